"""The reliability campaign: fault probes against the simulators and real syncd processes.

`python -m benchmarks.reliability` (`make reliability`) runs each probe within a time
budget and prints one table (probe, trials, failures, verdict, the worst example);
`campaign.py` holds the command, one module per probe family holds its probe, and
docs/reliability.md says what each probe checks. Nothing here patches syncd: probes
drive the simulators' knobs, the loopback servers, signals and the database.
"""
