"""An unchanged CSV export (same bytes, same rules) is recognised before it is parsed: the
import says `unchanged` without reading a row. A changed byte imports again. On SQLite and
on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.hr import CsvExport, HrSnapshot
from tests.hr.hr_world import ADA, GRACE, PEOPLE, UNITS, HrWorld


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[HrWorld]:
    world = HrWorld(tmp_path, database_url)
    world.write(PEOPLE + ADA + GRACE, UNITS)
    assert world.run().status == "applied"
    yield world
    world.close()


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders whose CSV files were parsed from now on."""
    folders: list[Path] = []
    parse = CsvExport.snapshot

    def counted(export: CsvExport) -> HrSnapshot:
        folders.append(export.folder)
        return parse(export)

    monkeypatch.setattr(CsvExport, "snapshot", counted)
    return folders


def test_the_same_files_again_are_not_parsed(world: HrWorld, parsed: list[Path]) -> None:
    result = world.run()

    assert (result.status, result.people) == ("unchanged", 2)
    assert parsed == []


def test_a_changed_byte_is_parsed_and_imported(world: HrWorld, parsed: list[Path]) -> None:
    world.write(PEOPLE + ADA + GRACE.replace("Admiral", "Admiral "), UNITS)

    assert world.run().status == "applied"
    assert parsed == [world.folder]
