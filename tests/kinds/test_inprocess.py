"""The in-process sandbox: a target's simulator on a fast-forward clock that its connector
shares, so a rate limit is counted and waited out in no real time; its state, and the time
its clock reached, kept between runs."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from syncd.clock import FakeClock, FastForwardClock
from syncd.connectors.base import ConnectorContext
from syncd.connectors.litmos.settings import LitmosTarget
from syncd.kinds import build_connector, sandboxed
from syncd.sandbox.litmos.demo import DEMO as LITMOS_DEMO

QUERY = {"source": "syncd", "format": "json", "limit": "1"}
HEADERS = {"apikey": "sandbox-litmos-key", "Content-Type": "application/json"}


class Statuses(httpx.BaseTransport):
    """The status of every answer that passes through `inner`."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.seen = inner, list[int]()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.seen.append(response.status_code)
        return response


def _litmos(tmp_path: Path) -> LitmosTarget:
    state = tmp_path / "litmos-sandbox.json"
    return LitmosTarget(
        name="litmos-sandbox", sandbox=True, sandbox_state=state, **LITMOS_DEMO.target
    )


def test_the_litmos_sandbox_stays_strict_on_its_clock_100_calls_in_any_60_s() -> None:
    clock = FastForwardClock(FakeClock())
    sim = LITMOS_DEMO.simulator(clock.timestamp)
    url = LITMOS_DEMO.target["base_url"]
    with httpx.Client(transport=sim.transport(), base_url=url, headers=HEADERS) as client:
        answers = [client.get("/users", params=QUERY).status_code for _ in range(101)]
        assert answers == [200] * 100 + [503]
        clock.sleep(59)
        assert client.get("/users", params=QUERY).status_code == 503
        clock.sleep(1)
        assert client.get("/users", params=QUERY).status_code == 200


def test_the_connector_waits_the_limit_out_on_the_sandbox_clock_and_meets_no_503(
    tmp_path: Path,
) -> None:
    target, clock = _litmos(tmp_path), FastForwardClock(FakeClock())
    with sandboxed(target, clock) as transport:
        wire = Statuses(transport)
        connector = build_connector(target, ConnectorContext(clock, wire))
        for _ in range(250):
            connector.check()
        connector.close()
    assert wire.seen == [200] * 250
    assert clock.skipped >= 120  # 95 a minute (the target's margin): two windows waited out


def test_the_next_run_s_clock_catches_up_with_the_time_the_last_one_reached(
    tmp_path: Path,
) -> None:
    target = _litmos(tmp_path)
    first = FastForwardClock(FakeClock())
    with sandboxed(target, first):
        first.sleep(300)
    saved = json.loads(target.sandbox_state_path.read_text(encoding="utf-8"))
    assert set(saved) == {"clock", "simulator"}
    again = FastForwardClock(FakeClock())
    with sandboxed(target, again):
        assert again.now() == first.now()


def test_a_state_file_without_the_clock_still_loads(tmp_path: Path) -> None:
    target = _litmos(tmp_path)
    sim = LITMOS_DEMO.simulator(FakeClock().now().timestamp)
    sim.seed_user("ada", "Ada", "Lovelace", "ada@example.com")
    target.sandbox_state_path.write_text(json.dumps(sim.dump_state()), encoding="utf-8")
    clock = FastForwardClock(FakeClock())
    with (
        sandboxed(target, clock) as transport,
        httpx.Client(transport=transport, base_url=target.base_url, headers=HEADERS) as client,
    ):
        users = client.get("/users", params=QUERY).json()
    assert [user["UserName"] for user in users] == ["ada"]
    assert clock.skipped == 0
