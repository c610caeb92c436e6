"""`python -m benchmarks.reliability`: run the reliability campaign (see campaign.py)."""

from benchmarks.reliability.campaign import main

raise SystemExit(main())
