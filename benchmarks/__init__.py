"""Scale and API-call benchmarks of syncd: `python -m benchmarks` (what `make bench` runs).

Drives the real engine against the real Docebo simulator on synthetic HR data and
prints wall times, request counts against the API's minimum, and the pure diff's
scaling. Timings are printed, never asserted; see benchmarks/README.md.
"""
