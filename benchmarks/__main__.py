"""`python -m benchmarks`: run the benchmarks and print the figures (see cli.py for options)."""

from benchmarks.cli import main

raise SystemExit(main())
