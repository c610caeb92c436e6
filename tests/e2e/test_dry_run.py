"""`--dry-run` prints every operation and sends no write; the plan is recorded as a dry run."""

from __future__ import annotations

import json

from tests.e2e.harness import World


def test_dry_run_prints_every_operation_and_writes_nothing(fresh: World) -> None:
    server = fresh.serve()
    try:
        code, out, _ = fresh.cli("run", "--once", "--dry-run")
    finally:
        server.shutdown()
    assert code == 0
    assert fresh.sim.writes == []
    assert "184 operations planned" in out
    op_lines = [line for line in out.splitlines() if line[:3].strip() in {"+", "~", "-", "="}]
    assert len(op_lines) == 184
    assert "create_user      E1001" in out
    assert fresh.sim.snapshot().users == {}


def test_dry_run_json_matches_what_a_real_run_does(fresh: World) -> None:
    server = fresh.serve()
    try:
        _, out, _ = fresh.cli("run", "--once", "--dry-run", "--format", "json")
        dry = json.loads(out)
        code, out, _ = fresh.cli("run", "--once", "--format", "json")
        real = json.loads(out)
    finally:
        server.shutdown()
    assert code == 0
    assert dry["dry_run"] is True
    assert real["dry_run"] is False
    (planned,), (applied,) = dry["targets"], real["targets"]
    assert planned["status"] == "planned"
    assert [(o["kind"], o["key"], o["changes"]) for o in planned["operations"]] == [
        (o["kind"], o["key"], o["changes"]) for o in applied["operations"]
    ]
    assert {o["status"] for o in applied["operations"]} == {"done"}
    assert sum(planned["counts"].values()) == len(planned["operations"])


def test_dry_run_is_recorded_in_the_status_database(served: World) -> None:
    served.hr.person("E1012")["last_name"] = "Dubois-Martin"
    served.hr.write()
    writes_before = len(served.sim.writes)
    served.cli("run", "--once", "--dry-run")
    assert len(served.sim.writes) == writes_before
    code, out, _ = served.cli("status", "--format", "json")
    runs = json.loads(out)["targets"][0]["runs"]
    assert code == 0
    assert runs[0]["dry_run"] is True
    assert {k: v for k, v in runs[0]["counts"].items() if v} == {"update_user": 1}
