"""Scale and API-call benchmarks of syncd: `python -m benchmarks` (what `make bench` runs).

Drives the real engine against each LMS's simulator on synthetic HR data and prints
wall times, request counts by endpoint family against an independent minimum (from the
LMS's state and documented limits alone) and a per-record peer, and the pure diff's
scaling. Timings and ratios are printed, never asserted; see benchmarks/README.md.
"""
