"""`syncd check` reaches the status database and reads the HR source, and every command
meets an unreachable database with one clear line naming `database.url` (password masked,
exit 2), never a traceback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.e2e.harness import World

PASSWORD = "db-pa55-hunter2"
DOWN = f"postgresql+psycopg://syncd:{PASSWORD}@127.0.0.1:1/syncd"  # nothing listens on port 1


@pytest.fixture
def live(fresh: World) -> Iterator[World]:
    """A world whose simulator listens on loopback, never synced (check only reads)."""
    server = fresh.serve()
    yield fresh
    server.shutdown()


def _point_database_at(world: World, url: str) -> None:
    text = world.config_path.read_text(encoding="utf-8")
    world.config_path.write_text(text.replace(world.database_url, url), encoding="utf-8")


def test_check_says_what_it_checked(live: World) -> None:
    code, out, err = live.cli("check")
    assert code == 0, err
    assert "database (" in out
    assert "ok, connected" in out
    assert f"hr (csv {live.hr.folder}): ok, 36 people read" in out
    assert "docebo-main (docebo): ok, authenticated read worked" in out


@pytest.mark.parametrize("command", [["check"], ["run", "--once"], ["status"], ["db", "upgrade"]])
def test_an_unreachable_database_is_a_config_error_naming_database_url(
    live: World, command: list[str]
) -> None:
    _point_database_at(live, DOWN)
    code, _, err = live.cli(*command)
    assert code == 2, err
    assert (
        f"{live.config_path}: database.url (postgresql+psycopg://syncd:***@127.0.0.1:1/syncd)"
        in err
    )
    assert "cannot connect" in err
    assert PASSWORD not in err
    assert "Traceback" not in err


def test_a_sqlite_database_whose_folder_cannot_be_made_is_a_config_error(live: World) -> None:
    blocker = live.tmp / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    _point_database_at(live, f"sqlite:///{blocker}/syncd.db")
    code, _, err = live.cli("run", "--once")
    assert code == 2, err
    assert "database.url (sqlite:///" in err
    assert "Traceback" not in err


def test_check_reports_a_missing_hr_folder_naming_hr_path(live: World) -> None:
    shutil.rmtree(live.hr.folder)
    code, out, err = live.cli("check")
    assert code == 2
    assert f"{live.config_path}: hr.path" in err
    assert "HR folder not found" in err
    assert str(live.hr.folder) in err
    assert "docebo-main (docebo): ok" in out  # the rest is still checked


def test_check_reports_a_missing_people_file(live: World) -> None:
    (live.hr.folder / "people.csv").unlink()
    code, _, err = live.cli("check")
    assert code == 2
    assert "hr.path: " in err
    assert "people.csv is required" in err


def test_check_reports_an_unreadable_people_file(live: World) -> None:
    people = live.hr.folder / "people.csv"
    people.unlink()
    people.mkdir()  # cannot be read as a file, whoever runs the test
    code, _, err = live.cli("check")
    assert code == 2
    assert "hr.path: " in err
    assert "cannot read" in err


def test_check_reports_an_unreachable_sql_hr_source_naming_hr_url(live: World) -> None:
    text = live.config_path.read_text(encoding="utf-8")
    csv = f'[hr]\npath = "{live.hr.folder}"\n'
    sql = f'[hr]\nsource = "sql"\nurl = "{DOWN}"\n'
    text = text.replace(csv, sql) + '\n[hr.queries]\npeople = "SELECT 1"\n'
    live.config_path.write_text(text, encoding="utf-8")
    code, _, err = live.cli("check")
    assert code == 2, err
    assert "hr.url (postgresql+psycopg://syncd:***@127.0.0.1:1/syncd)" in err
    assert PASSWORD not in err
