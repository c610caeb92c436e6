"""The HR side: read a source into an HrSnapshot and derive HR's desired state from it.

`read_csv_source` validates the CSV export (bad rows go to quarantine, the rest goes on);
the `desired_*` functions of `rules` turn records and config rules into groups,
memberships and enrollments. Imports only stdlib, records, errors and config.
"""

from syncd.hr.csv_source import read_csv_source
from syncd.hr.rules import desired_enrollments, desired_groups, desired_memberships
from syncd.hr.snapshot import HrSnapshot, QuarantinedRow

__all__ = [
    "HrSnapshot",
    "QuarantinedRow",
    "desired_enrollments",
    "desired_groups",
    "desired_memberships",
    "read_csv_source",
]
