"""A process killed during apply loses nothing: the next cycle closes its run as
`interrupted` and lets the fresh read settle what it had sent.

A kill is played in-process by a transport that delivers one request to the simulator and
then raises a BaseException, which unwinds past every handler that would record anything,
as SIGKILL does (locks and connections are released by the unwinding, as by the kernel).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from syncd.store import Database
from syncd.store.schema import OperationRow, SyncRunRow
from tests.e2e.harness import World

ENROLLMENTS = "/learn/v1/enrollments"


class Killed(BaseException):
    """What SIGKILL does to a cycle: nothing after it runs."""


class KillAfter(httpx.BaseTransport):
    """The simulator, but the process dies just after the LMS has done the first enrollment
    write for `course_id`, before its answer is read."""

    def __init__(self, inner: httpx.BaseTransport, course_id: int) -> None:
        self.inner, self.course_id = inner, course_id

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        writes = request.method == "POST" and request.url.path == ENROLLMENTS
        if writes and self.course_id in json.loads(request.content).get("course_ids", []):
            raise Killed
        return response


def course_id(world: World, code: str) -> int:
    return next(c.id for c in world.sim.state.courses.values() if c.code == code)


def killed_during_apply(tmp_path: Path, database_url: str) -> World:
    """A first run killed just after Docebo enrolled E1002 and E1005 in SALES-301."""
    world = World(tmp_path, database_url)
    world.wire = KillAfter(world.sim.transport(), course_id(world, "SALES-301"))
    with pytest.raises(Killed):
        world.run()
    return world


def journal(world: World) -> tuple[list[str], list[tuple[str, str, str]]]:
    db = Database(world.database_url)
    with db.session() as session:
        runs = list(session.scalars(select(SyncRunRow.status).order_by(SyncRunRow.id)))
        ops = session.execute(
            select(OperationRow.kind, OperationRow.object_key, OperationRow.status).order_by(
                OperationRow.id
            )
        )
        found = [tuple(row) for row in ops]
    db.dispose()
    return runs, found  # type: ignore[return-value]


def test_an_enrollment_sent_before_a_kill_is_still_removed_when_hr_drops_it(
    tmp_path: Path, database_url: str
) -> None:
    world = killed_during_apply(tmp_path, database_url)
    assert ("SALES-301", "camille.laurent@example.com") in world.sim.snapshot().enrollments

    world.wire = None
    dropped = {"employee_id": "E1005", "course_code": "SALES-301", "due_date": "2026-02-27"}
    world.hr.enrollments.remove(dropped)
    recovery = world.run()
    assert recovery.targets[0].status == "ok", recovery.targets[0].message

    enrollments = world.sim.snapshot().enrollments
    assert {e[1] for e in enrollments if e[0] == "SALES-301"} == {"camille.laurent@example.com"}
    assert world.plan(world.run()) == []


def test_a_killed_run_is_closed_as_interrupted_and_leaves_nothing_sent(
    tmp_path: Path, database_url: str
) -> None:
    world = killed_during_apply(tmp_path, database_url)
    runs, ops = journal(world)
    assert runs == ["running"]
    assert {status for kind, key, status in ops if key.endswith("/SALES-301")} == {"sent"}

    world.wire = None
    world.clock.slept.clear()
    world.run()
    assert world.clock.slept[0] == 30.0  # the killed write may still be at the LMS: waited out
    runs, ops = journal(world)
    assert runs[0] == "interrupted"
    assert "running" not in runs
    assert not [op for op in ops if op[2] in {"sent", "planned"}]
    killed = {key: status for kind, key, status in ops if kind == "enroll"}
    assert killed["E1002/SALES-301"] == "done"


def test_status_names_the_interrupted_run(tmp_path: Path, database_url: str) -> None:
    world = killed_during_apply(tmp_path, database_url)
    world.wire = None
    world.run()
    code, out, _ = world.cli("status", "--format", "json")
    assert code == 0
    runs = [run for target in json.loads(out)["targets"] for run in target["runs"]]
    assert "interrupted" in {run["status"] for run in runs}
    assert "running" not in {run["status"] for run in runs}


class FailingEnrollmentReads(httpx.BaseTransport):
    """The simulator, but every read of enrollments answers 500."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/enrollments"):
            return httpx.Response(500, json={"message": "Internal error"})
        return self.inner.handle_request(request)


def test_a_hand_made_enrollment_stays_hand_made_when_its_read_failed(
    tmp_path: Path, database_url: str
) -> None:
    """Enrollments that existed before syncd are never removed, even when the read that
    would have shown one failed in the cycle where HR first asked for it."""
    world = World(tmp_path, database_url)
    world.run()
    eng = course_id(world, "ENG-210")
    camille = world.sim.state.user_by_username("camille.laurent@example.com").user_id
    world.sim.seed_enrollment(eng, camille)  # by hand, in the LMS

    world.wire = FailingEnrollmentReads(world.sim.transport())
    world.hr.enrollments.append(
        {"employee_id": "E1002", "course_code": "ENG-210", "due_date": "2026-03-13"}
    )
    world.run()
    world.wire = None
    world.run()

    world.hr.enrollments = [e for e in world.hr.enrollments if e["course_code"] != "ENG-210"]
    world.run()
    assert ("ENG-210", "camille.laurent@example.com") in world.sim.snapshot().enrollments
