"""A process whose lane lock was taken from it stops writing before its next request.

PostgreSQL releases a session's advisory lock when the session ends (a restart, a
failover, `idle_session_timeout`, a pooler): another replica may then take the lane. The
process that held it must not send another write to the LMS (Docebo forbids concurrent
batch and branch calls: seed 000)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import end_lock_sessions
from tests.e2e.harness import World

pytestmark = pytest.mark.postgres


class EndLockSession(httpx.BaseTransport):
    """The simulator; at the first write, the lane lock's database session is ended (the
    write in flight still reaches the LMS), and every later write is counted."""

    def __init__(self, inner: httpx.BaseTransport, database_url: str) -> None:
        self.inner, self.url = inner, database_url
        self.ended = False
        self.writes_after: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET" and "oauth2" not in request.url.path:
            if self.ended:
                self.writes_after.append(f"{request.method} {request.url.path}")
            else:
                self.ended = True
                end_lock_sessions(self.url)
        return self.inner.handle_request(request)


def test_a_writer_that_lost_its_lane_sends_no_further_write(
    tmp_path: Path, postgres_url: str
) -> None:
    world = World(tmp_path, postgres_url)
    wire = EndLockSession(world.sim.transport(), postgres_url)
    world.wire = wire
    report = world.run()

    target = report.targets[0]
    assert wire.ended
    assert wire.writes_after == []
    assert target.status == "failed"
    assert "lost the lock lane:docebo-main" in (target.message or "")
    assert {op.status for op in target.operations} <= {"done", "failed", "skipped"}

    world.wire = None
    assert world.run().targets[0].status == "ok"
    world.assert_in_step()
