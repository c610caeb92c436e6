"""The daemon's jobs log what they expect (an HR source missing, an import refused, a stop)
as an error event with its words and no traceback; only the unforeseen is a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from syncd.errors import ConfigError, ShutdownRequestedError
from syncd.runtime import Runtime
from syncd.scheduler import cycle_job, poll_job
from tests.e2e.harness import World


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path, f"sqlite:///{tmp_path / 'syncd.db'}")


def _errors(logs: list[dict[str, object]]) -> list[dict[str, object]]:
    return [e for e in logs if e["log_level"] in ("error", "critical")]


def test_a_missing_hr_folder_is_logged_as_an_error_without_a_traceback(world: World) -> None:
    runtime = world.runtime()
    shutil.rmtree(world.hr.folder)
    with capture_logs() as logs:
        cycle_job(runtime, runtime.targets()[0])
    runtime.close()
    [event] = _errors(logs)
    assert event["event"] == "hr_import_failed"
    assert "HR folder not found" in str(event["error"])
    assert "exc_info" not in event


def test_an_unreadable_people_file_is_logged_as_an_error_without_a_traceback(
    world: World,
) -> None:
    runtime = world.runtime()
    people = world.hr.folder / "people.csv"
    people.unlink()
    people.mkdir()  # unreadable as a file, whoever runs the test
    with capture_logs() as logs:
        cycle_job(runtime, runtime.targets()[0])
    runtime.close()
    [event] = _errors(logs)
    assert event["event"] == "hr_import_failed"
    assert "exc_info" not in event


def test_a_refused_import_is_logged_as_an_error_without_a_traceback(world: World) -> None:
    world.run()
    world.hr.people = world.hr.people[:10]
    world.hr.write()
    runtime = world.runtime()
    with capture_logs() as logs:
        cycle_job(runtime, runtime.targets()[0])
    runtime.close()
    [event] = _errors(logs)
    assert event["event"] == "hr_import_refused"
    assert "exc_info" not in event


def test_an_expected_error_of_the_cycle_is_logged_without_a_traceback(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = world.runtime()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise ConfigError("targets[0].courses: no such course")

    monkeypatch.setattr(runtime, "run_target", refuse)
    with capture_logs() as logs:
        cycle_job(runtime, runtime.targets()[0])
    runtime.close()
    [event] = _errors(logs)
    assert event["event"] == "cycle_failed"
    assert event["error"] == "targets[0].courses: no such course"
    assert "exc_info" not in event


def test_a_stop_during_a_job_poll_ends_it_quietly(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime: Runtime = world.runtime()

    def stopped(*_args: object, **_kwargs: object) -> None:
        runtime.shutdown.set()
        raise ShutdownRequestedError("syncd was asked to stop (a wait of 45s was cut short)")

    monkeypatch.setattr(runtime, "poll_jobs", stopped)
    with capture_logs() as logs:
        poll_job(runtime, runtime.targets())
    runtime.close()
    assert _errors(logs) == []
