"""The Litmos simulator's wire rules: HTTPS, key, source, format, Content-Type, unknown
parameters, paging, sorting, searching and the rolling rate limit (seed and spec)."""

from __future__ import annotations

import time

import httpx
import pytest

from syncd.kinds import lookup
from syncd.sandbox import LitmosSimulator, serve
from syncd.sandbox.core import ManualClock
from syncd.sandbox.demo import DEMO_COURSES
from syncd.sandbox.litmos import SEED_RATE_LIMITED, SPEC_RATE_LIMITED, words
from syncd.sandbox.litmos.demo import DEMO
from tests.sandbox.conftest import LITMOS_JSON as JSON
from tests.sandbox.conftest import LITMOS_PARAMS, LITMOS_URL

USERS = "/v1.svc/users"
FORBIDDEN = {"Detail": words.SEED_FORBIDDEN}
BAD_REQUEST = {"Detail": words.SEED_BAD_REQUEST}


def _get(
    sim: LitmosSimulator,
    params: dict[str, str],
    headers: dict[str, str] | None = None,
    base_url: str = LITMOS_URL,
) -> httpx.Response:
    with httpx.Client(transport=sim.transport(), base_url=base_url) as client:
        return client.get(USERS, params=params, headers=JSON if headers is None else headers)


def test_api_key_in_the_query_or_the_header_is_accepted(litmos: LitmosSimulator) -> None:
    assert _get(litmos, LITMOS_PARAMS).status_code == 200
    params = {"source": "syncd-tests", "format": "json"}
    assert _get(litmos, params, {**JSON, "apikey": "sandbox-litmos-key"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"source": "s", "format": "json"},
        {"apikey": "wrong", "source": "s", "format": "json"},
        {"apikey": "sandbox-litmos-key", "format": "json"},
        {"apikey": "sandbox-litmos-key", "source": " ", "format": "json"},
        {"apikey": "sandbox-litmos-key", "source": "s" * 51, "format": "json"},
        {"apikey": "k" * 51, "source": "s", "format": "json"},
    ],
)
def test_a_bad_missing_or_too_long_key_or_source_is_403(
    litmos: LitmosSimulator, params: dict[str, str]
) -> None:
    response = _get(litmos, params)
    assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_a_source_of_50_characters_is_served(litmos: LitmosSimulator) -> None:
    assert _get(litmos, {**LITMOS_PARAMS, "source": "s" * 50}).status_code == 200


def test_a_wrong_header_key_is_403(litmos: LitmosSimulator) -> None:
    params = {"source": "s", "format": "json"}
    assert _get(litmos, params, {**JSON, "apikey": "nope"}).status_code == 403


def test_plain_http_is_403(litmos: LitmosSimulator) -> None:
    for base_url in ("http://api.litmos.test", "http://127.0.0.1:8412"):
        response = _get(litmos, LITMOS_PARAMS, base_url=base_url)
        assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_plain_http_on_loopback_only_with_the_knob() -> None:
    sim = LitmosSimulator(allow_plain_http_on_loopback=True)
    assert _get(sim, LITMOS_PARAMS, base_url="http://127.0.0.1:8412").status_code == 200
    assert _get(sim, LITMOS_PARAMS, base_url="http://localhost:8412").status_code == 200
    assert _get(sim, LITMOS_PARAMS, base_url="http://api.litmos.test").status_code == 403
    assert _get(sim, LITMOS_PARAMS).status_code == 200


def test_without_format_json_the_sandbox_refuses_with_406(litmos: LitmosSimulator) -> None:
    response = _get(litmos, {"apikey": "sandbox-litmos-key", "source": "s"})
    assert (response.status_code, response.json()) == (406, {"Detail": words.JSON_ONLY})


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/xml", "Text/XML; charset=utf-8"]
)
def test_a_json_or_xml_content_type_is_served(litmos: LitmosSimulator, content_type: str) -> None:
    assert _get(litmos, LITMOS_PARAMS, {"Content-Type": content_type}).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "text/plain"}])
def test_a_missing_or_other_content_type_is_400(
    litmos: LitmosSimulator, headers: dict[str, str]
) -> None:
    response = _get(litmos, LITMOS_PARAMS, headers)
    assert (response.status_code, response.json()) == (400, BAD_REQUEST)


def test_an_xml_body_is_400(litmos: LitmosSimulator) -> None:
    with httpx.Client(transport=litmos.transport(), base_url=LITMOS_URL) as client:
        response = client.post(
            "/v1.svc/teams",
            params=LITMOS_PARAMS,
            content=b"<Team><Id></Id><Name>Sales</Name></Team>",
            headers={"Content-Type": "text/xml"},
        )
    assert (response.status_code, response.json()) == (400, {"Detail": words.JSON_BODIES_ONLY})


def test_search_of_more_than_50_characters_is_400(litmos_client: httpx.Client) -> None:
    assert litmos_client.get(USERS, params={"search": "x" * 50}).status_code == 200
    response = litmos_client.get(USERS, params={"search": "x" * 51})
    assert (response.status_code, response.json()) == (400, BAD_REQUEST)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (USERS, {"colour": "blue"}),
        (USERS, {"limit": ["1", "2"]}),
        ("/v1.svc/teams", {"sort": "Name"}),
        ("/v1.svc/teams/any/users", {"sort": "UserName"}),
        ("/v1.svc/courses", {"dir": "ASC"}),
        ("/v1.svc/results/details", {"since": "2024-01-01", "to": "2024-02-01", "search": "a"}),
    ],
)
def test_a_parameter_the_operation_does_not_list_is_400(
    litmos_client: httpx.Client, path: str, params: dict[str, object]
) -> None:
    response = litmos_client.get(path, params=params)  # type: ignore[arg-type]
    assert response.status_code == 400


def test_unknown_path_is_404_with_detail(litmos_client: httpx.Client) -> None:
    response = litmos_client.get("/v1.svc/nothing")
    assert response.status_code == 404
    assert "Detail" in response.json()


def test_refused_calls_are_logged(litmos: LitmosSimulator) -> None:
    _get(litmos, {"source": "s", "format": "json"})
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


def test_limit_1000_is_served_and_1001_refused_with_the_spec_words(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    _seed(litmos, 3)
    assert litmos_client.get(USERS, params={"limit": 1000}).status_code == 200
    refused = litmos_client.get(USERS, params={"limit": 1001})
    assert (refused.status_code, refused.json()) == (406, {"Detail": words.SPEC_TOO_MANY})


@pytest.mark.parametrize(
    "params", [{"limit": "0"}, {"limit": "x"}, {"limit": ""}, {"start": "-1"}, {"start": "1.5"}]
)
def test_bad_paging_values_are_400(litmos_client: httpx.Client, params: dict[str, str]) -> None:
    response = litmos_client.get(USERS, params=params)
    assert (response.status_code, response.json()) == (400, BAD_REQUEST)


def test_sort_dir_and_search(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    litmos.seed_user("b.smith", "Bea", "Smith", "b@acme.test")
    litmos.seed_user("a.jones", "Al", "Jones", "a@acme.test")
    litmos.seed_user("c.smithers", "Cy", "Smithers", "c@acme.test")
    names = [u["UserName"] for u in litmos_client.get(USERS, params={"sort": "UserName"}).json()]
    assert names == ["a.jones", "b.smith", "c.smithers"]
    params = {"sort": "LastName", "dir": "desc", "search": "smith"}
    found = [u["LastName"] for u in litmos_client.get(USERS, params=params).json()]
    assert found == ["Smithers", "Smith"]
    assert litmos_client.get(USERS, params={"search": "nobody"}).json() == []


def test_unknown_sort_or_dir_is_400(litmos_client: httpx.Client) -> None:
    assert litmos_client.get(USERS, params={"sort": "Password"}).status_code == 400
    assert litmos_client.get(USERS, params={"sort": "Email", "dir": "UP"}).status_code == 400


def test_show_inactive_false_hides_inactive_users(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    litmos.seed_user("on.user", "On", "User", "on@acme.test")
    litmos.seed_user("off.user", "Off", "User", "off@acme.test", active=False)
    assert len(litmos_client.get(USERS).json()) == 2  # deactivate-user.yml lists inactive ones
    assert len(litmos_client.get(USERS, params={"showInactive": "True"}).json()) == 2
    shown = litmos_client.get(USERS, params={"showInactive": "false"}).json()
    assert [u["UserName"] for u in shown] == ["on.user"]
    assert litmos_client.get(USERS, params={"showInactive": "1"}).status_code == 400


def test_rate_limit_allows_100_and_refuses_the_101st_with_the_seed_words(
    litmos_client: httpx.Client, clock: ManualClock
) -> None:
    for _ in range(100):
        assert litmos_client.get(USERS).status_code == 200
        clock.advance(0.1)
    refused = litmos_client.get(USERS)
    assert (refused.status_code, refused.json()) == (503, {"Detail": SEED_RATE_LIMITED})
    assert SEED_RATE_LIMITED == "Rating Limit Exceeded"


def test_the_rate_message_knob_gives_the_spec_words(clock: ManualClock) -> None:
    sim = LitmosSimulator(clock=clock, rate_limit=1, rate_message=SPEC_RATE_LIMITED)
    statuses = [_get(sim, LITMOS_PARAMS) for _ in range(2)]
    assert [r.status_code for r in statuses] == [200, 503]
    assert statuses[1].json() == {"Detail": "The API rating limit has been exceeded"}


def test_every_use_of_the_key_counts_refused_ones_too(
    litmos_client: httpx.Client, clock: ManualClock
) -> None:
    for _ in range(100):
        litmos_client.get(USERS)
        clock.advance(0.5)  # calls at t = 0, 0.5, … 49.5
    assert litmos_client.get(USERS).status_code == 503  # t = 50, counted
    clock.advance(10.01)  # t = 60.01: the call at t = 0 has left the window
    assert litmos_client.get(USERS).status_code == 503  # 99 + the 503 + this one
    clock.advance(50.0)  # t = 110.01: only the refused call at t = 60.01 remains
    assert litmos_client.get(USERS).status_code == 200
    assert litmos_client.get("/v1.svc/nothing").status_code == 404  # counted as well


def test_rate_limit_and_window_are_configurable(clock: ManualClock) -> None:
    sim = LitmosSimulator(clock=clock, rate_limit=3, rate_window=10.0)
    statuses = [_get(sim, LITMOS_PARAMS).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 503]
    clock.advance(10.0)
    assert _get(sim, LITMOS_PARAMS).status_code == 200


def test_rate_limit_counts_only_calls_with_the_valid_key(clock: ManualClock) -> None:
    sim = LitmosSimulator(clock=clock, rate_limit=2, rate_window=10.0)
    for _ in range(5):
        _get(sim, {"apikey": "wrong", "source": "s", "format": "json"})
    assert [_get(sim, LITMOS_PARAMS).status_code for _ in range(3)] == [200, 200, 503]


@pytest.mark.parametrize(
    "kwargs", [{"rate_limit": 0}, {"rate_window": 0.0}, {"api_key": ""}, {"api_key": "k" * 51}]
)
def test_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        LitmosSimulator(**kwargs)  # type: ignore[arg-type]


def test_served_on_loopback_over_plain_http_with_the_knob() -> None:
    sim = LitmosSimulator(allow_plain_http_on_loopback=True)
    sim.seed_user("loop.user", "Loop", "User", "loop@acme.test")
    server = serve(sim)
    try:
        response = httpx.get(server.url + USERS, params=LITMOS_PARAMS, headers=JSON, timeout=5)
    finally:
        server.shutdown()
    assert response.status_code == 200
    assert [u["UserName"] for u in response.json()] == ["loop.user"]


def test_registered_with_the_demo_catalog_and_plain_http_on_loopback() -> None:
    sim = DEMO.simulator(time.time)
    assert isinstance(sim, LitmosSimulator)
    assert lookup("litmos").demo.target is DEMO.target
    assert sim.allow_plain_http_on_loopback is True
    assert {c.code for c in sim.state.courses.values()} == {code for code, _ in DEMO_COURSES}
