"""The HR side: read a source into an HrSnapshot and derive HR's desired state from it.

`read_csv_source` (the CSV export) and `read_sql_source` (SELECTs against any SQL
database) feed their rows through the same rules of `validation` (bad rows go to
quarantine, the rest goes on); the `desired_*` functions of `rules` turn records and
config rules into groups, memberships and enrollments. Imports only stdlib, records,
errors, redact and config, and sqlalchemy for the SQL source.
"""

from syncd.hr.csv_source import CsvExport, load_csv_source, read_csv_source
from syncd.hr.rules import desired_enrollments, desired_groups, desired_memberships
from syncd.hr.snapshot import HrSnapshot, QuarantinedRow
from syncd.hr.sql_source import read_sql_source

__all__ = [
    "CsvExport",
    "HrSnapshot",
    "QuarantinedRow",
    "desired_enrollments",
    "desired_groups",
    "desired_memberships",
    "load_csv_source",
    "read_csv_source",
    "read_sql_source",
]
