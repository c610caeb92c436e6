"""A saved plan is applied exactly as reviewed, or refused naming what changed since.

`syncd plan --out FILE` against a synced Docebo world served on loopback, an HR change
made first so that the plan has something to do; then `syncd apply FILE` as a user runs it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.e2e.harness import World

REPO = Path(__file__).parents[2]
_SCHEMA = json.loads((REPO / "docs" / "plan.schema.json").read_text(encoding="utf-8"))
PLAN_FILE = Draft202012Validator({**_SCHEMA, "anyOf": [{"$ref": "#/$defs/planFile"}]})


def _rename_and_leave(world: World) -> None:
    """Two changes of different kinds: E1002's new last name, E1006 leaves."""
    world.hr.person("E1002")["last_name"] = "Martin"
    world.hr.person("E1006")["status"] = "inactive"
    world.hr.write()


def _plan(world: World, path: Path, *args: str) -> dict[str, Any]:
    code, _, err = world.cli("plan", "--out", str(path), *args)
    assert code == 0, err
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    PLAN_FILE.validate(doc)  # the documented format (docs/plan.schema.json)
    return doc


def _ops(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(o["kind"], o["key"]) for t in doc["targets"] for o in t["operations"]]


def _last_name(world: World) -> str:
    """E1002's last name as Docebo holds it (a snapshot's user: email, first, last, active)."""
    last: str = world.sim.snapshot().users[world.login("E1002")][2]
    return last


def _applied(out: str) -> list[tuple[str, str]]:
    doc = json.loads(out)
    return [
        (o["kind"], o["key"])
        for t in doc["targets"]
        for o in t["operations"]
        if o["status"] == "done"
    ]


def test_an_unchanged_world_applies_exactly_the_saved_plan_and_then_needs_nothing(
    served: World, tmp_path: Path
) -> None:
    _rename_and_leave(served)
    saved = _plan(served, tmp_path / "plan.json")
    assert _ops(saved) == [("update_user", "E1002"), ("deactivate_user", "E1006")]
    [update] = [o for o in saved["targets"][0]["operations"] if o["kind"] == "update_user"]
    assert update["before"] == {"last_name": "Laurent"}
    assert update["changes"] == {"last_name": "Martin"}
    code, out, err = served.cli("apply", str(tmp_path / "plan.json"), "--format", "json")
    assert code == 0, err
    assert _applied(out) == _ops(saved)
    assert _last_name(served) == "Martin"
    code, out, _ = served.cli("plan")
    assert code == 0
    assert "0 operations planned" in out


def test_a_changed_hr_row_is_named_and_nothing_is_applied(served: World, tmp_path: Path) -> None:
    _rename_and_leave(served)
    _plan(served, tmp_path / "plan.json")
    served.hr.person("E1003")["first_name"] = "Jon"
    served.hr.write()
    code, _, err = served.cli("apply", str(tmp_path / "plan.json"))
    assert code == 1
    assert "HR changed since the plan was saved: people: 1 changed (E1003)" in err
    assert "Nothing was applied" in err
    assert _last_name(served) == "Laurent"


def test_an_lms_object_changed_by_hand_is_named_and_nothing_is_applied(
    served: World, tmp_path: Path
) -> None:
    _rename_and_leave(served)
    _plan(served, tmp_path / "plan.json")
    sim = served.sim
    with sim.lock:
        user = sim.state.user_by_username(served.login("E1002"))
        sim.state.put_user(replace(user, first_name="Leah"))
    code, out, _ = served.cli("apply", str(tmp_path / "plan.json"))
    assert code == 1
    assert "docebo-main (docebo): stopped" in out
    assert f"users: 1 changed ({user.user_id})" in out
    assert "Nothing was applied" in out
    assert _last_name(served) == "Laurent"


def test_only_applies_the_chosen_kinds_and_the_next_plan_is_the_rest(
    served: World, tmp_path: Path
) -> None:
    _rename_and_leave(served)
    _plan(served, tmp_path / "plan.json")
    code, out, err = served.cli(
        "apply", str(tmp_path / "plan.json"), "--only", "update_user", "--format", "json"
    )
    assert code == 0, err
    assert _applied(out) == [("update_user", "E1002")]
    assert "left for a later plan (--only): deactivate_user 1" in out
    rest = _plan(served, tmp_path / "rest.json")
    assert _ops(rest) == [("deactivate_user", "E1006")]
    assert rest["targets"][0]["drift"] == 0  # what --only left is HR's change, not drift
    code, status, _ = served.cli("status", "--format", "json")
    [applied] = [r for r in json.loads(status)["targets"][0]["runs"] if not r["dry_run"]][:1]
    assert applied["whole"] is False
    assert set(applied["fingerprints"]) == {"hr", "lms"}


def test_a_plan_older_than_the_limit_or_of_another_version_is_refused(
    served: World, tmp_path: Path
) -> None:
    _rename_and_leave(served)
    doc = _plan(served, tmp_path / "plan.json")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({**doc, "created_at": old.isoformat()}), encoding="utf-8")
    code, _, err = served.cli("apply", str(stale))
    assert code == 1
    assert "more than the 24 h `safety.plan_max_age` allows" in err
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**doc, "version": 2}), encoding="utf-8")
    code, _, err = served.cli("apply", str(other))
    assert code == 1
    assert "a plan of version 2; this syncd reads version 1" in err
    assert _last_name(served) == "Laurent"


@pytest.mark.parametrize("form", ["text", "json"])
def test_a_recorded_plan_is_shown_again(served: World, tmp_path: Path, form: str) -> None:
    _rename_and_leave(served)
    doc = _plan(served, tmp_path / "plan.json")
    run_id = doc["targets"][0]["run_id"]
    code, out, _ = served.cli("plan", "--show", str(run_id), "--format", form)
    assert code == 0
    if form == "json":
        assert _ops(json.loads(out)) == _ops(doc)
    else:
        assert "last_name: Laurent → Martin" in out
        assert "active: true → false" in out
