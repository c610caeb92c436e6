"""Docebo and Dokeos in one config: one cycle serves both, each in its own lane."""

from __future__ import annotations

from pathlib import Path

from syncd.kinds import load_config
from syncd.runtime import Runtime
from syncd.store import Database
from tests.e2e.dokeos_world import DokeosWorld
from tests.e2e.harness import World


class DoceboSide(World):
    """Only lends its simulator and target section to the combined config."""


def _both(tmp_path: Path, database_url: str) -> tuple[DokeosWorld, DoceboSide]:
    dokeos = DokeosWorld(tmp_path / "dokeos", database_url)
    docebo = DoceboSide(tmp_path / "docebo", database_url)
    text = dokeos.config_path.read_text(encoding="utf-8") + docebo.target_toml()
    dokeos.config_path.write_text(text, encoding="utf-8")
    return dokeos, docebo


def _runtime(dokeos: DokeosWorld, docebo: DoceboSide, *, lane_wait: float = 600) -> Runtime:
    transports = {"dokeos-main": dokeos.sim.transport(), "docebo-main": docebo.sim.transport()}
    runtime = Runtime(
        load_config(dokeos.config_path),
        clock=dokeos.clock,
        transports=transports,
        lane_wait_seconds=lane_wait,
    )
    runtime.upgrade()
    return runtime


def test_one_cycle_syncs_both_lms(tmp_path: Path, database_url: str) -> None:
    dokeos, docebo = _both(tmp_path, database_url)
    runtime = _runtime(dokeos, docebo)
    report = runtime.run_once(dry_run=False, force=False)
    runtime.close()
    assert [(t.name, t.kind, t.status) for t in report.targets] == [
        ("dokeos-main", "dokeos", "ok"),
        ("docebo-main", "docebo", "ok"),
    ]
    dokeos.assert_in_step()
    docebo.hr = dokeos.hr  # both were fed the one HR export
    docebo.assert_in_step()


def test_each_target_has_its_own_lane(tmp_path: Path, database_url: str) -> None:
    dokeos, docebo = _both(tmp_path, database_url)
    runtime = _runtime(dokeos, docebo, lane_wait=0)
    other_process = Database(database_url)
    with other_process.lock("lane:docebo-main", wait_seconds=0) as held:
        assert held
        report = runtime.run_once(dry_run=False, force=False)
    other_process.dispose()
    runtime.close()
    statuses = {t.name: t.status for t in report.targets}
    assert statuses == {"dokeos-main": "ok", "docebo-main": "busy"}
    assert docebo.sim.writes == []  # the held lane let nothing through to Docebo
    dokeos.assert_in_step()
