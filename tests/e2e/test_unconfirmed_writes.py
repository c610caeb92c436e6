"""Writes whose answer syncd cannot read are verified by the next read, not failed.

Docebo's group write endpoints are not public, so any answer shape is a guess: a plain
`{"success": true}` reads as done, and a 2xx in a shape syncd does not read at all is
`unconfirmed` (the run still exits 0); the next cycle's read settles it as `done`, or as
`replanned` when the LMS did not do it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from sqlalchemy import select

from syncd.sandbox import DoceboSimulator
from syncd.store import Database
from syncd.store.schema import OperationRow
from tests.e2e.harness import World

MEMBERS = "/manage/v1/group/"  # POST /manage/v1/group/{id}/members


class SuccessOnly(World):
    """A tenant answering group-member writes with `{"success": true}` only."""

    def make_simulator(self) -> DoceboSimulator:
        sim = super().make_simulator()
        sim.state.group_member_answer = "success"
        return sim


class Unreadable(httpx.BaseTransport):
    """The simulator, but every group-member write is answered `{"data": {}}` (2xx, a shape
    no source shows); with `deliver=False` the write never reaches the simulator either."""

    def __init__(self, inner: httpx.BaseTransport, *, deliver: bool = True) -> None:
        self.inner, self.deliver = inner, deliver

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        writes_members = request.method == "POST" and request.url.path.endswith("/members")
        if not (writes_members and request.url.path.startswith(MEMBERS)):
            return self.inner.handle_request(request)
        if self.deliver:
            self.inner.handle_request(request).read()
        return httpx.Response(200, content=json.dumps({"data": {}}).encode())


def statuses(world: World, kind: str) -> list[str]:
    db = Database(world.database_url)
    with db.session() as session:
        query = select(OperationRow.status).where(OperationRow.kind == kind)
        found = list(session.scalars(query.order_by(OperationRow.id)))
    db.dispose()
    return found


def test_a_plain_success_answer_is_done(tmp_path: Path, database_url: str) -> None:
    world = SuccessOnly(tmp_path, database_url)
    server = world.serve()
    try:
        code, _, _ = world.cli("run", "--once")
        assert code == 0
        assert world.plan(world.run()) == []
        code, out, _ = world.cli("status")
    finally:
        server.shutdown()
    assert code == 0
    assert "failed" not in out
    assert set(statuses(world, "add_member")) == {"done"}


def test_an_unreadable_answer_is_unconfirmed_then_confirmed_by_the_next_read(
    tmp_path: Path, database_url: str
) -> None:
    world = World(tmp_path, database_url)
    world.wire = Unreadable(world.sim.transport())
    first = world.run()
    target = first.targets[0]
    assert target.status == "ok", target.message
    assert "unconfirmed" in (target.message or "")
    group_adds = [o for o in target.operations if o.kind == "add_member" and "group:" in o.key]
    assert group_adds
    assert {o.status for o in group_adds} == {"unconfirmed"}
    code, out, _ = world.cli("status")
    assert code == 0
    assert "unconfirmed add_member group:" in out
    assert "failed" not in out
    second = world.run()
    assert world.plan(second) == []  # the read shows the members: nothing to do again
    assert "unconfirmed" not in statuses(world, "add_member")
    world.assert_in_step()


def test_an_unreadable_answer_to_a_write_not_done_is_planned_again(
    tmp_path: Path, database_url: str
) -> None:
    world = World(tmp_path, database_url)
    world.wire = Unreadable(world.sim.transport(), deliver=False)
    first = world.run()
    unconfirmed = {o.key for o in first.targets[0].operations if o.status == "unconfirmed"}
    assert unconfirmed
    world.wire = None
    second = world.run()
    again = {key for kind, key in world.plan(second) if kind == "add_member"}
    assert unconfirmed <= again
    assert statuses(world, "add_member").count("replanned") == len(unconfirmed)
    world.assert_in_step()
