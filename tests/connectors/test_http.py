"""The shared HTTP client: retries and backoff on the injected clock, one re-auth on 401,
error classification, redirects, redaction of logs and errors, and the loop-guarded paginator.
Behaviour runs against the Docebo simulator's knobs; httpx.MockTransport stands in only
for what a simulator cannot do (lost connections, timeouts, odd headers)."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from syncd.clock import FakeClock
from syncd.connectors.http import (
    HttpClient,
    LoopGuard,
    OutcomeUnknownError,
    Page,
    RequestRefusedError,
    Verdict,
    default_classify,
    lms_message,
    paginate,
    parse_retry_after,
)
from syncd.errors import FatalError, RetriableError, SkippableError
from syncd.redact import register
from syncd.sandbox import DoceboSimulator

BASE = "https://acme.docebosaas.com"
USERS = "/manage/v1/user"


class SimAuth:
    """An Authenticator that takes tokens straight from the simulator and counts its calls."""

    def __init__(self, sim: DoceboSimulator) -> None:
        self._sim = sim
        self.token: str | None = None
        self.issued = 0
        self.invalidated = 0

    def headers(self) -> dict[str, str]:
        if self.token is None:
            self.token = self._sim.issue_token()
            register(self.token)
            self.issued += 1
        return {"Authorization": f"Bearer {self.token}"}

    def invalidate(self) -> None:
        self.token = None
        self.invalidated += 1


class FixedAuth:
    """Always the same (refused) token."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.invalidated = 0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def invalidate(self) -> None:
        self.invalidated += 1


class MaxRandom(random.Random):
    """Full jitter at its ceiling, so the backoff bounds can be asserted exactly."""

    def uniform(self, a: float, b: float) -> float:
        return b


def make_client(transport: httpx.BaseTransport, clock: FakeClock, **overrides: Any) -> HttpClient:
    options: dict[str, Any] = {"timeout": 5.0, "max_attempts": 6, "auth": None}
    return HttpClient(BASE, transport=transport, clock=clock, **(options | overrides))


@pytest.fixture
def auth(sim: DoceboSimulator) -> SimAuth:
    return SimAuth(sim)


@pytest.fixture
def api(sim: DoceboSimulator, clock: FakeClock, auth: SimAuth) -> HttpClient:
    return make_client(sim.transport(), clock, auth=auth)


def mock(
    clock: FakeClock, answers: list[Callable[[httpx.Request], httpx.Response]], **overrides: Any
) -> tuple[HttpClient, list[httpx.Request]]:
    """A client whose transport plays `answers` in order (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[min(len(seen), len(answers)) - 1](request)

    return make_client(httpx.MockTransport(handler), clock, **overrides), seen


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": {"ok": True}})


def raising(error: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("boom", request=request)

    return handler


def answer(
    status: int, headers: dict[str, str] | None = None, body: object = None
) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, headers=headers, json=body or {})


def calls_to(sim: DoceboSimulator, path: str) -> int:
    return sum(1 for r in sim.requests if r.path == path)


# --- retries and backoff -------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503, 500, 502, 504, 408])
def test_transient_status_is_retried_until_success(
    api: HttpClient, sim: DoceboSimulator, clock: FakeClock, status: int
) -> None:
    sim.fail_next(2, status)
    response = api.get(USERS)
    assert response.status_code == 200
    assert calls_to(sim, USERS) == 3
    assert len(clock.slept) == 2
    assert api.stats.retries == 2


def test_retry_after_seconds_is_slept_on_the_clock(
    api: HttpClient, sim: DoceboSimulator, clock: FakeClock
) -> None:
    sim.fail_next(2, 429, retry_after=7)
    api.get(USERS)
    assert clock.slept == [7.0, 7.0]


def test_retry_after_http_date_is_honoured(clock: FakeClock) -> None:
    later = email.utils.format_datetime(clock.now() + dt.timedelta(seconds=30), usegmt=True)
    client, seen = mock(clock, [answer(503, {"Retry-After": later}), ok])
    client.get(USERS)
    assert clock.slept == [30.0]
    assert len(seen) == 2


def test_retry_after_is_capped_at_backoff_cap(
    sim: DoceboSimulator, clock: FakeClock, auth: SimAuth
) -> None:
    sim.fail_next(1, 429, retry_after=3600)
    make_client(sim.transport(), clock, auth=auth, backoff_cap=60.0).get(USERS)
    assert clock.slept == [60.0]


def test_backoff_without_retry_after_is_exponential_full_jitter(clock: FakeClock) -> None:
    client, _ = mock(clock, [answer(503)] * 5 + [ok], rng=MaxRandom(), backoff_cap=5.0)
    client.get(USERS)
    assert clock.slept == [0.5, 1.0, 2.0, 4.0, 5.0]


def test_backoff_draws_below_its_ceiling(clock: FakeClock) -> None:
    client, _ = mock(clock, [answer(503)] * 5 + [ok], rng=random.Random(7))
    client.get(USERS)
    assert all(0.0 <= slept <= 0.5 * 2**i for i, slept in enumerate(clock.slept))


def test_attempts_exhausted_raise_retriable_with_retry_after(
    sim: DoceboSimulator, clock: FakeClock, auth: SimAuth
) -> None:
    sim.fail_next(10, 503, retry_after=5)
    client = make_client(sim.transport(), clock, auth=auth, max_attempts=3)
    with pytest.raises(RetriableError, match="gave up after 3 attempts") as caught:
        client.get(USERS)
    assert caught.value.retry_after == 5.0
    assert calls_to(sim, USERS) == 3
    assert clock.slept == [5.0, 5.0]


# --- transport errors: resend only what cannot have been applied twice ---------------------


@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError]
)
def test_post_that_may_have_reached_the_server_is_not_resent(
    clock: FakeClock, error: type[httpx.TransportError]
) -> None:
    client, seen = mock(clock, [raising(error), ok])
    with pytest.raises(OutcomeUnknownError, match="may have reached the server") as caught:
        client.request("POST", "/manage/v1/orgchart", json={"code": "B1"})
    assert isinstance(caught.value, RetriableError)
    assert isinstance(caught.value.__cause__, error)
    assert len(seen) == 1
    assert clock.slept == []


def test_post_marked_idempotent_is_resent_after_a_read_timeout(clock: FakeClock) -> None:
    client, seen = mock(clock, [raising(httpx.ReadTimeout), ok])
    response = client.request("POST", "/manage/v1/user/batch", json={}, idempotent=True)
    assert response.status_code == 200
    assert len(seen) == 2


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_methods_are_resent_after_a_read_timeout(clock: FakeClock, method: str) -> None:
    client, seen = mock(clock, [raising(httpx.ReadTimeout), ok])
    assert client.request(method, USERS).status_code == 200
    assert len(seen) == 2


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
def test_failure_before_sending_is_retried_even_for_post(
    clock: FakeClock, error: type[httpx.TransportError]
) -> None:
    client, seen = mock(clock, [raising(error), raising(error), ok])
    assert client.request("POST", "/manage/v1/orgchart", json={}).status_code == 200
    assert len(seen) == 3
    assert len(clock.slept) == 2


def test_transport_errors_exhausted_raise_retriable_from_the_cause(clock: FakeClock) -> None:
    client, seen = mock(clock, [raising(httpx.ConnectError)], max_attempts=4)
    with pytest.raises(RetriableError, match="ConnectError, gave up after 4") as caught:
        client.get(USERS)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(seen) == 4


# --- authentication ----------------------------------------------------------------------


def test_401_invalidates_and_retries_once_with_fresh_headers(
    api: HttpClient, auth: SimAuth, sim: DoceboSimulator, clock: FakeClock
) -> None:
    api.get(USERS)
    clock.advance(3601)  # the simulator's token expired
    assert api.get(USERS).status_code == 200
    assert (auth.issued, auth.invalidated) == (2, 1)
    assert [r.status for r in sim.requests] == [200, 401, 200]
    assert api.stats.reauths == 1


def test_a_second_401_is_fatal(sim: DoceboSimulator, clock: FakeClock) -> None:
    auth = FixedAuth("not-a-token-1234")
    client = make_client(sim.transport(), clock, auth=auth)
    with pytest.raises(FatalError, match="HTTP 401 after re-authentication"):
        client.get(USERS)
    assert auth.invalidated == 1
    assert calls_to(sim, USERS) == 2


def test_401_without_an_authenticator_is_fatal(sim: DoceboSimulator, clock: FakeClock) -> None:
    with pytest.raises(FatalError, match="HTTP 401"):
        make_client(sim.transport(), clock).get(USERS)
    assert calls_to(sim, USERS) == 1


# --- refusals ----------------------------------------------------------------------------


def test_403_is_fatal_and_not_retried(api: HttpClient, sim: DoceboSimulator) -> None:
    sim.fail_next(1, 403)
    with pytest.raises(FatalError, match="HTTP 403"):
        api.get(USERS)
    assert calls_to(sim, USERS) == 1


def test_400_is_skippable_with_the_lms_words(api: HttpClient, sim: DoceboSimulator) -> None:
    sim.seed_group("Sales")
    with pytest.raises(RequestRefusedError) as caught:
        api.request("POST", "/manage/v1/group", json={"name": "Sales"})
    assert isinstance(caught.value, SkippableError)
    assert caught.value.status == 400
    assert caught.value.detail == "Group name already in use: Sales"
    assert "POST /manage/v1/group: HTTP 400: Group name already in use: Sales" in str(caught.value)


def test_404_is_skippable(api: HttpClient) -> None:
    with pytest.raises(RequestRefusedError) as caught:
        api.get("/manage/v1/group/999/members")
    assert (caught.value.status, caught.value.detail) == (404, "Group not found: 999")


def test_unexpected_5xx_is_fatal(clock: FakeClock) -> None:
    client, seen = mock(clock, [answer(501, body={"message": "Not Implemented"})])
    with pytest.raises(FatalError, match="HTTP 501: Not Implemented"):
        client.get(USERS)
    assert len(seen) == 1


def test_a_custom_classifier_decides(clock: FakeClock) -> None:
    def conflicts_are_transient(response: httpx.Response) -> Verdict:
        return Verdict.RETRY if response.status_code == 409 else default_classify(response)

    client, seen = mock(clock, [answer(409), ok], classify=conflicts_are_transient)
    assert client.get(USERS).status_code == 200
    assert len(seen) == 2


# --- redirects ---------------------------------------------------------------------------


def test_redirects_are_followed(api: HttpClient, sim: DoceboSimulator) -> None:
    sim.redirect_next(2)
    assert api.get(USERS).status_code == 200
    assert [r.status for r in sim.requests] == [307, 307, 200]
    assert api.stats.redirects == 2


def test_a_redirect_loop_is_fatal(clock: FakeClock) -> None:
    loop = answer(307, {"Location": f"{BASE}{USERS}"})
    client, seen = mock(clock, [loop])
    with pytest.raises(FatalError, match="TooManyRedirects"):
        client.get(USERS)
    assert len(seen) == 6  # the first request and five redirects


# --- redaction and logs ------------------------------------------------------------------


def test_secrets_and_query_strings_stay_out_of_errors_and_logs(
    api: HttpClient, auth: SimAuth, sim: DoceboSimulator
) -> None:
    sim.fail_next(10, 503)
    with capture_logs() as logs, pytest.raises(RetriableError) as caught:
        api.get(f"{USERS}?inline_key=qs-inline-4242", params={"api_key": "qs-param-4242"})
    assert auth.token is not None
    texts = [str(caught.value), *(json.dumps(entry, default=str) for entry in logs)]
    for text in texts:
        assert "qs-inline-4242" not in text
        assert "qs-param-4242" not in text
        assert auth.token not in text
        assert "?" not in text
    assert {entry["path"] for entry in logs} == {USERS}


def test_lms_words_are_scrubbed_of_registered_secrets(clock: FakeClock) -> None:
    register("leaked-secret-9876")
    client, _ = mock(clock, [answer(400, body={"message": "bad key leaked-secret-9876"})])
    with pytest.raises(RequestRefusedError) as caught:
        client.request("POST", "/x", json={"password": "body-secret-1111"})
    assert caught.value.detail == "bad key ***"
    assert "body-secret-1111" not in str(caught.value)


def test_one_log_event_per_attempt(api: HttpClient, sim: DoceboSimulator) -> None:
    sim.fail_next(2, 503)
    with capture_logs() as logs:
        api.get(USERS)
    assert [(e["event"], e["method"], e["path"], e["status"], e["attempt"]) for e in logs] == [
        ("http_request", "GET", USERS, 503, 1),
        ("http_request", "GET", USERS, 503, 2),
        ("http_request", "GET", USERS, 200, 3),
    ]
    assert all(isinstance(e["elapsed_ms"], float) for e in logs)


def test_a_transport_failure_is_logged_with_its_kind(clock: FakeClock) -> None:
    client, _ = mock(clock, [raising(httpx.ConnectError), ok])
    with capture_logs() as logs:
        client.get(USERS)
    assert [(e["status"], e.get("error")) for e in logs] == [(None, "ConnectError"), (200, None)]


def test_stats_count_requests_retries_and_statuses(api: HttpClient, sim: DoceboSimulator) -> None:
    sim.fail_next(1, 429)
    api.get(USERS)
    api.request("POST", "/manage/v1/group", json={"name": "Ops"})
    assert api.stats.requests == {"GET": 2, "POST": 1}
    assert api.stats.statuses == {429: 1, 200: 2}
    assert (api.stats.retries, api.stats.total) == (1, 3)


# --- small pieces --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            {"name": "Bad Request", "message": "page_size out of range", "code": 400},
            "page_size out of range",
        ),
        ({"error": "invalid_token", "error_description": "The token expired"}, "The token expired"),
        ({"error": "invalid_grant"}, "invalid_grant"),
        ({"message": ["one", "two"]}, "one; two"),
        ({"errors": [{"message": "deep"}]}, "deep"),
    ],
)
def test_lms_message_picks_the_lms_words(body: object, words: str) -> None:
    assert lms_message(httpx.Response(400, json=body)) == words


def test_lms_message_falls_back_to_clipped_text() -> None:
    response = httpx.Response(502, text="<html>\n  Bad   gateway " + "x" * 500)
    assert lms_message(response).startswith("<html> Bad gateway x")
    assert len(lms_message(response)) == 300


def test_parse_retry_after() -> None:
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Mon, 05 Jan 2026 09:01:00 GMT", now) == 60.0
    assert parse_retry_after("Mon, 05 Jan 2026 08:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, Verdict.OK),
        (204, Verdict.OK),
        (408, Verdict.RETRY),
        (429, Verdict.RETRY),
        (500, Verdict.RETRY),
        (504, Verdict.RETRY),
        (401, Verdict.REAUTH),
        (403, Verdict.FATAL),
        (400, Verdict.SKIP),
        (404, Verdict.SKIP),
        (409, Verdict.SKIP),
        (501, Verdict.FATAL),
        (304, Verdict.FATAL),
    ],
)
def test_default_classify(status: int, verdict: Verdict) -> None:
    assert default_classify(httpx.Response(status)) is verdict


# --- pagination --------------------------------------------------------------------------


def pages_of(table: dict[int, Page[str, int]]) -> Callable[[int], Page[str, int]]:
    return table.__getitem__


def test_paginate_walks_every_page() -> None:
    fetch = pages_of(
        {
            1: Page(["a", "b"], 1, 2),
            2: Page(["c", "d"], 2, 3),
            3: Page(["e"], 3, None),
        }
    )
    assert list(paginate(fetch, 1, what="letters")) == ["a", "b", "c", "d", "e"]


def test_a_page_served_twice_is_fatal() -> None:
    fetch = pages_of({1: Page(["a"], 1, 2), 2: Page(["a"], 1, 3)})  # the server clamps to 1
    with pytest.raises(FatalError, match="pagination loop on letters: 1 served twice"):
        list(paginate(fetch, 1, what="letters"))


def test_a_cursor_seen_twice_is_fatal() -> None:
    cursors = {"a": Page([1], "a", "b"), "b": Page([2], "b", "a")}
    seen: list[int] = []
    with pytest.raises(FatalError, match="'a' served twice"):
        seen.extend(paginate(cursors.__getitem__, "a", what="numbers"))
    assert seen == [1, 2]


def test_an_empty_page_claiming_more_is_fatal() -> None:
    fetch = pages_of({1: Page([], 1, 2)})
    with pytest.raises(FatalError, match="empty page"):
        list(paginate(fetch, 1, what="letters"))


def test_loop_guard() -> None:
    guard = LoopGuard("tree")
    guard.see("1")
    guard.see("2")
    with pytest.raises(FatalError, match="tree"):
        guard.see("1")
