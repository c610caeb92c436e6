"""What one HR import produced: the accepted records, the quarantined rows, a fingerprint.

Built by a source (`read_csv_source`), consumed by the import into the mirror and the
quarantine table. Every accepted record is valid and its references resolve; every
refused row is in `quarantined` with its file, physical line and a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncd.records import Enrollment, OrgUnit, Person


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """One refused input row: where it is, why, and its (column, raw value) pairs."""

    source_file: str
    line: int
    reason: str
    row: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class HrSnapshot:
    """The records of one HR import, in file order; `fingerprint` changes with any input byte."""

    people: tuple[Person, ...]
    org_units: tuple[OrgUnit, ...]
    enrollments: tuple[Enrollment, ...]
    quarantined: tuple[QuarantinedRow, ...]
    fingerprint: str
