"""A small HR import world: CSV files in a folder, a config, a migrated database, a fake clock.

`HrWorld.run()` does the import step of a cycle (`import_hr`); the readers show what the
mirror and the quarantine table hold afterwards. Shared by the tests of tests/hr that need
the import, not only a source.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from syncd.clock import FakeClock
from syncd.config import Config
from syncd.kinds import load_config
from syncd.reconcile.hr_import import ImportResult, import_hr
from syncd.records import DesiredState, OrgUnit
from syncd.store import Database
from syncd.store.mirror import load_desired, load_org_units
from syncd.store.schema import HrImportRow, QuarantineRow

PEOPLE = "employee_id,email,first_name,last_name,status,org_unit,job_title\n"
ADA = "E1,ada@example.com,Ada,Lovelace,active,ENG,Engineer\n"
GRACE = "E2,grace@example.com,Grace,Hopper,active,ENG,Admiral\n"
UNITS = "code,name,parent_code\nACME,Acme,\nENG,Engineering,ACME\n"
ENROLLMENTS = "employee_id,course_code,due_date\nE1,LEAD-401,2026-12-31\nE2,LEAD-401,\n"


class HrWorld:
    def __init__(self, tmp_path: Path, database_url: str) -> None:
        self.folder = tmp_path / "hr"
        self.folder.mkdir()
        self.config_path = tmp_path / "syncd.toml"
        self.config_path.write_text(
            f'[database]\nurl = "{database_url}"\n'
            f'[hr]\npath = "{self.folder}"\nexport_path = "{tmp_path / "export"}"\n'
            '[safety]\nmax_hr_shrink = "100%"\n',  # these tests are about rows, not shrinkage
            encoding="utf-8",
        )
        self.db = Database(database_url)
        self.clock = FakeClock()

    def config(self) -> Config:
        return load_config(self.config_path)

    def write(
        self, people: str | bytes, org_units: str | None = None, enrollments: str | None = None
    ) -> None:
        files = {"people.csv": people, "org_units.csv": org_units, "enrollments.csv": enrollments}
        for name, content in files.items():
            path = self.folder / name
            if content is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(content if isinstance(content, bytes) else content.encode())

    def run(self) -> ImportResult:
        self.clock.advance(60)
        return import_hr(self.db, self.config(), self.clock, force=False)

    def desired(self) -> DesiredState:
        with self.db.session() as session:
            return load_desired(session)

    def org_units(self) -> list[OrgUnit]:
        with self.db.session() as session:
            return load_org_units(session)

    def quarantine(self) -> list[tuple[str, int, str]]:
        """(file, line, reason) of every row the last import quarantined."""
        with self.db.session() as session:
            last = session.scalars(select(HrImportRow).order_by(HrImportRow.id.desc())).first()
            assert last is not None
            rows = session.scalars(
                select(QuarantineRow)
                .where(QuarantineRow.import_id == last.id)
                .order_by(QuarantineRow.id)
            )
            return [(q.source_file, q.line, q.reason) for q in rows]

    def close(self) -> None:
        self.db.dispose()
