"""What one HR import produced: the accepted records, the quarantined rows, a fingerprint.

Built by a source (`read_csv_source`, `read_sql_source`), consumed by the import into
the mirror and the quarantine table. Every accepted record is valid and its references
resolve; every refused row is in `quarantined` with where it came from (a file name such
as "people.csv", or "sql:people" for a query), its line (the physical line, or the row
number in the query's result) and a reason; its raw values stay with it, so the import
can tell which person, unit or enrollment it describes (`QuarantinedRow.key`).
"""

from __future__ import annotations

from dataclasses import dataclass

from syncd.records import Enrollment, OrgUnit, Person, Tenure


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """One refused input row: where it is, why, and its (column, raw value) pairs."""

    source_file: str
    line: int
    reason: str
    row: tuple[tuple[str, str], ...]

    @property
    def table(self) -> str:
        """The HR table of the row, whatever the source: "people.csv", "sql:people" -> "people"."""
        return self.source_file.removeprefix("sql:").removesuffix(".csv")

    def key(self, *columns: str) -> tuple[str, ...] | None:
        """The row's stripped values in `columns` (its key), or None if one of them is empty."""
        values = dict(self.row)
        key = tuple(values.get(column, "").strip() for column in columns)
        return key if all(key) else None


@dataclass(frozen=True, slots=True)
class HrSnapshot:
    """The records of one HR import, in file order; `fingerprint` changes with the input data."""

    people: tuple[Person, ...]
    org_units: tuple[OrgUnit, ...]
    enrollments: tuple[Enrollment, ...]
    quarantined: tuple[QuarantinedRow, ...]
    fingerprint: str
    # The dates, time zones and leave of the accepted people who have any (`hr.tenure`).
    tenures: tuple[Tenure, ...] = ()
