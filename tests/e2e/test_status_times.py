"""`syncd status` times, in text and JSON: ISO 8601 in UTC with its zone, on both backends.

A Dokeos world with a job still running after a poll, so that every kind of time the
status shows has a value: runs, the HR import, read back, and the job's own times.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.e2e.dokeos_world import DokeosWorld

TIME_KEYS = {"started_at", "finished_at", "created_at", "expires_at", "last_polled_at"}
TIME_KEYS |= {"read_back_until"}
TEXT_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}[0-9:.TZ+-]*")


def _world_waiting_on_a_job(tmp_path: Path, database_url: str) -> DokeosWorld:
    world = DokeosWorld(tmp_path, database_url)
    assert world.run().targets[0].status == "ok"
    world.sim.job_duration(600)
    world.hr.person("E1011")["org_unit"] = "ENG-APPS"
    world.run()
    world.clock.advance(60)
    world.poll_jobs()
    return world


def _times(doc: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) of the document whose key names a time, at any depth."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key in TIME_KEYS:
                yield key, value
            yield from _times(value)
    elif isinstance(doc, list):
        for item in doc:
            yield from _times(item)


def test_status_json_times_are_iso_8601_with_a_zone(tmp_path: Path, database_url: str) -> None:
    world = _world_waiting_on_a_job(tmp_path, database_url)
    code, out, _ = world.cli("status", "--format", "json")
    assert code == 0
    times = list(_times(json.loads(out)))
    assert {key for key, _ in times} == TIME_KEYS  # every kind of time has a value here
    for key, value in times:
        if value is None:
            continue
        moment = dt.datetime.fromisoformat(value)
        assert moment.utcoffset() == dt.timedelta(0), (key, value)
        assert value.endswith("Z"), (key, value)


def test_status_text_times_are_iso_8601_in_utc(tmp_path: Path, database_url: str) -> None:
    world = _world_waiting_on_a_job(tmp_path, database_url)
    code, out, _ = world.cli("status")
    assert code == 0
    assert "waiting on job" in out
    shown = TEXT_TIME.findall(out)
    assert len(shown) >= 4
    for value in shown:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", value), value
        assert dt.datetime.fromisoformat(value).tzinfo is dt.UTC
