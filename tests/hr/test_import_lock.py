"""One HR importer at a time: a second one waits for the first, never imports alongside it,
and a stop request ends its wait at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.errors import ShutdownRequestedError, SyncdError
from syncd.reconcile import hr_import
from syncd.reconcile.hr_import import import_hr
from tests.hr.hr_world import ADA, PEOPLE, UNITS, HrWorld


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[HrWorld]:
    world = HrWorld(tmp_path, database_url)
    world.write(PEOPLE + ADA, UNITS)
    yield world
    world.db.dispose()


def test_an_importer_that_cannot_have_the_lock_does_not_import_alongside(
    world: HrWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hr_import, "IMPORT_LOCK_WAIT_SECONDS", 0.3)
    with world.db.lock("hr-import", wait_seconds=0) as other:
        assert other
        with pytest.raises(SyncdError, match="another syncd process has been importing HR"):
            world.run()
    assert world.run().status == "applied"


def test_a_stop_request_ends_the_wait_for_the_import_lock(world: HrWorld) -> None:
    stop = threading.Event()
    stop.set()
    with world.db.lock("hr-import", wait_seconds=0) as other:
        assert other
        with pytest.raises(ShutdownRequestedError):
            import_hr(world.db, world.config(), world.clock, force=False, stop=stop)
