"""The Litmos simulator's wire rules: key, source, format, errors, paging, rate limit."""

from __future__ import annotations

import httpx
import pytest

from syncd.sandbox import LitmosSimulator, new_simulator, serve
from syncd.sandbox.core import ManualClock
from syncd.sandbox.registry import DEMO_COURSES, SIMULATORS
from tests.sandbox.conftest import LITMOS_PARAMS, LITMOS_URL

USERS = "/v1.svc/users"


def _raw(sim: LitmosSimulator, params: dict[str, str], **kwargs: object) -> httpx.Response:
    with httpx.Client(transport=sim.transport(), base_url=LITMOS_URL) as client:
        return client.get(USERS, params=params, **kwargs)  # type: ignore[arg-type]


def test_api_key_in_the_query_is_accepted(litmos: LitmosSimulator) -> None:
    assert _raw(litmos, LITMOS_PARAMS).status_code == 200


def test_api_key_in_the_header_is_accepted(litmos: LitmosSimulator) -> None:
    params = {"source": "syncd-tests", "format": "json"}
    response = _raw(litmos, params, headers={"apikey": "sandbox-litmos-key"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"source": "s", "format": "json"},
        {"apikey": "wrong", "source": "s", "format": "json"},
        {"apikey": "sandbox-litmos-key", "format": "json"},
        {"apikey": "sandbox-litmos-key", "source": " ", "format": "json"},
    ],
)
def test_a_bad_or_missing_key_or_source_is_403(
    litmos: LitmosSimulator, params: dict[str, str]
) -> None:
    response = _raw(litmos, params)
    assert response.status_code == 403
    assert set(response.json()) == {"Detail"}


def test_a_wrong_header_key_is_403(litmos: LitmosSimulator) -> None:
    params = {"source": "s", "format": "json"}
    assert _raw(litmos, params, headers={"apikey": "nope"}).status_code == 403


def test_without_format_json_the_sandbox_refuses_with_406(litmos: LitmosSimulator) -> None:
    response = _raw(litmos, {"apikey": "sandbox-litmos-key", "source": "s"})
    assert response.status_code == 406
    assert "format=json" in response.json()["Detail"]


def test_unknown_path_is_404_with_detail(litmos_client: httpx.Client) -> None:
    response = litmos_client.get("/v1.svc/nothing")
    assert response.status_code == 404
    assert "Detail" in response.json()


def test_refused_calls_are_logged(litmos: LitmosSimulator) -> None:
    _raw(litmos, {"source": "s", "format": "json"})
    assert [r.status for r in litmos.requests] == [403]


def _seed(sim: LitmosSimulator, n: int) -> None:
    for i in range(n):
        sim.seed_user(f"user{i:04d}", "First", f"Last{i:04d}", f"u{i}@acme.test")


def test_lists_default_to_100_and_walk_to_an_empty_page(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    _seed(litmos, 230)
    first = litmos_client.get(USERS).json()
    assert isinstance(first, list)
    assert len(first) == 100
    seen: list[str] = []
    start = 0
    while page := litmos_client.get(USERS, params={"start": start, "limit": 100}).json():
        seen += [u["UserName"] for u in page]
        start += 100
    assert len(seen) == 230 == len(set(seen))
    assert start == 300


def test_limit_1000_is_served_and_1001_refused(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    _seed(litmos, 3)
    assert litmos_client.get(USERS, params={"limit": 1000}).status_code == 200
    refused = litmos_client.get(USERS, params={"limit": 1001})
    assert refused.status_code == 406
    assert "1000" in refused.json()["Detail"]


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "x"}, {"start": "-1"}])
def test_bad_paging_values_are_400(litmos_client: httpx.Client, params: dict[str, str]) -> None:
    assert litmos_client.get(USERS, params=params).status_code == 400


def test_sort_dir_and_search(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    litmos.seed_user("b.smith", "Bea", "Smith", "b@acme.test")
    litmos.seed_user("a.jones", "Al", "Jones", "a@acme.test")
    litmos.seed_user("c.smithers", "Cy", "Smithers", "c@acme.test")
    names = [u["UserName"] for u in litmos_client.get(USERS, params={"sort": "UserName"}).json()]
    assert names == ["a.jones", "b.smith", "c.smithers"]
    params = {"sort": "LastName", "dir": "DESC", "search": "smith"}
    found = [u["LastName"] for u in litmos_client.get(USERS, params=params).json()]
    assert found == ["Smithers", "Smith"]
    assert litmos_client.get(USERS, params={"search": "nobody"}).json() == []


def test_unknown_sort_or_dir_is_400(litmos_client: httpx.Client) -> None:
    assert litmos_client.get(USERS, params={"sort": "Password"}).status_code == 400
    assert litmos_client.get(USERS, params={"sort": "Email", "dir": "UP"}).status_code == 400


def test_rate_limit_allows_100_and_refuses_the_101st(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    for _ in range(100):
        assert litmos_client.get(USERS).status_code == 200
        clock.advance(0.1)
    refused = litmos_client.get(USERS)
    assert refused.status_code == 503
    assert refused.json() == {"Detail": "The API rating limit has been exceeded"}


def test_rate_limit_recovers_as_the_window_slides(
    litmos_client: httpx.Client, clock: ManualClock
) -> None:
    for _ in range(100):
        litmos_client.get(USERS)
        clock.advance(0.5)
    assert litmos_client.get(USERS).status_code == 503
    clock.advance(60 - 50 + 0.01)  # the first call (t=0) has left the window
    assert litmos_client.get(USERS).status_code == 200
    assert litmos_client.get(USERS).status_code == 503
    clock.advance(0.5)  # the second (t=0.5) has too
    assert litmos_client.get(USERS).status_code == 200


def test_rate_limit_and_window_are_configurable(clock: ManualClock) -> None:
    sim = LitmosSimulator(clock=clock, rate_limit=3, rate_window=10.0)
    statuses = [_raw(sim, LITMOS_PARAMS).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 503]
    clock.advance(10.0)
    assert _raw(sim, LITMOS_PARAMS).status_code == 200


def test_rate_limit_counts_only_calls_with_the_valid_key(clock: ManualClock) -> None:
    sim = LitmosSimulator(clock=clock, rate_limit=2, rate_window=10.0)
    for _ in range(5):
        _raw(sim, {"apikey": "wrong", "source": "s", "format": "json"})
    assert [_raw(sim, LITMOS_PARAMS).status_code for _ in range(3)] == [200, 200, 503]


def test_bad_rate_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        LitmosSimulator(rate_limit=0)


def test_served_on_loopback() -> None:
    sim = LitmosSimulator()
    sim.seed_user("loop.user", "Loop", "User", "loop@acme.test")
    server = serve(sim)
    try:
        response = httpx.get(server.url + USERS, params=LITMOS_PARAMS, timeout=5)
    finally:
        server.shutdown()
    assert response.status_code == 200
    assert [u["UserName"] for u in response.json()] == ["loop.user"]


def test_registered_with_the_demo_catalog() -> None:
    sim = new_simulator("litmos")
    assert isinstance(sim, LitmosSimulator)
    assert "litmos" in SIMULATORS
    assert {c.code for c in sim.state.courses.values()} == {code for code, _ in DEMO_COURSES}
