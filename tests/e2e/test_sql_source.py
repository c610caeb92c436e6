"""End to end with `hr.source = "sql"`: the HR rows live in tables of a database, and
Docebo ends in step exactly as with the CSV files (on SQLite and on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syncd.runtime import RunReport
from tests.e2e.harness import World
from tests.hr.sql_tables import load_folder


class SqlWorld(World):
    """A world whose HR source is SQL: the HR rows are loaded into `hr_*` tables of the
    world's own database each time the config is written, and `[hr]` reads them back."""

    def write_config(self, **settings: str) -> None:
        super().write_config(**settings)
        queries = load_folder(self.database_url, self.hr.folder).model_dump(exclude_none=True)
        text = self.config_path.read_text(encoding="utf-8")
        sql_hr = f'source = "sql"\nurl = "{self.database_url}"\n'
        sql_queries = "[hr.queries]\n" + "".join(f"{k} = '{q}'\n" for k, q in queries.items())
        text = text.replace(f'path = "{self.hr.folder}"\n', sql_hr, 1)
        self.config_path.write_text(text.replace("[safety]\n", sql_queries + "[safety]\n", 1))

    def run(self, *, dry_run: bool = False, force: bool = False) -> RunReport:
        self.hr.write()
        self.write_config()
        return super().run(dry_run=dry_run, force=force)


def converge(world: World) -> RunReport:
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok", [(o.key, o.error) for o in target.operations if o.error]
    world.assert_in_step()
    return report


@pytest.fixture
def sql_world(tmp_path: Path, database_url: str) -> SqlWorld:
    return SqlWorld(tmp_path / "sql", database_url)


@pytest.fixture
def csv_world(tmp_path: Path) -> World:
    (tmp_path / "csv").mkdir()
    return World(tmp_path / "csv", f"sqlite:///{tmp_path / 'csv' / 'syncd.db'}")


def change_hr(world: World) -> None:
    """A new hire, a leaver and a move: the same edit to either world."""
    world.hr.people.append(
        {**world.hr.person("E1002"), "employee_id": "E2001", "email": "nina.vogel@example.com"}
    )
    world.hr.person("E1003")["status"] = "inactive"
    world.hr.person("E1013")["org_unit"] = "ENG-APPS"


def add_bad_row(world: World) -> RunReport:
    world.hr.people.append({**world.hr.person("E1002"), "employee_id": "E2002", "email": "bad"})
    report = world.run()
    assert report.targets[0].status == "ok"
    return report


def state(world: World) -> Any:
    return world.sim.snapshot()


def test_sql_source_syncs_like_the_csv_source(sql_world: SqlWorld, csv_world: World) -> None:
    first = converge(sql_world)
    converge(csv_world)
    assert first.hr is not None
    assert (first.hr.status, first.hr.people, first.hr.quarantined) == ("applied", 36, 0)
    assert state(sql_world) == state(csv_world)

    change_hr(sql_world)
    change_hr(csv_world)
    changed = converge(sql_world)
    assert sql_world.plan(changed) == csv_world.plan(converge(csv_world)) != []
    assert state(sql_world) == state(csv_world)

    quarantined = add_bad_row(sql_world)
    assert quarantined.hr is not None
    assert (quarantined.hr.people, quarantined.hr.quarantined) == (37, 1)
    assert sql_world.plan(quarantined) == csv_world.plan(add_bad_row(csv_world)) == []
    assert state(sql_world) == state(csv_world)


def test_unchanged_tables_are_not_imported_again(sql_world: SqlWorld) -> None:
    converge(sql_world)
    again = converge(sql_world)
    assert again.hr is not None
    assert again.hr.status == "unchanged"
    assert sql_world.plan(again) == []


def test_failing_query_stops_the_run_with_a_config_error(sql_world: SqlWorld) -> None:
    sql_world.hr.write()
    sql_world.write_config()
    text = sql_world.config_path.read_text(encoding="utf-8")
    sql_world.config_path.write_text(text.replace("FROM hr_people", "FROM no_such_people"))
    code, _, err = sql_world.cli("run", "--once")
    assert code == 2
    assert "hr.queries.people: the query failed: " in err
    assert "no_such_people" in err
