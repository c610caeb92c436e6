"""The generic simulator core: routing, parsing, the request log, the fault
knobs, the serial guard and the loopback server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from syncd.sandbox import DoceboSimulator, serve
from syncd.sandbox.core import (
    HttpError,
    ManualClock,
    Request,
    Response,
    Route,
    SerialGuard,
    SimulatorApp,
    json_response,
)
from syncd.sandbox.server import is_loopback


class EchoApp(SimulatorApp):
    """A tiny simulator built on the core, as a new LMS would be."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock=clock)
        self.route("GET", "/items", self.echo)
        self.route("POST", "/items", self.echo)
        self.route("GET", "/items/{item_id}", self.echo)
        self.route("DELETE", "/items/{item_id}", self.echo)
        self.route("GET", "/items/special", self.special)
        self.route("POST", "/slow", self.echo, serial=True)
        self.route("POST", "/login", self.echo, auth=True)
        self.route("GET", "/refuse", self.refuse)
        self.route("GET", "/raw", lambda _: Response(200, raw=b"plain"))

    def authorize(self, request: Request, route: Route) -> None:
        if not route.auth and request.header("x-key") == "wrong":
            raise HttpError(401, "bad key")

    @staticmethod
    def echo(request: Request) -> Response:
        return json_response(
            {
                "method": request.method,
                "params": dict(request.params),
                "query": {k: list(v) for k, v in request.query.items()},
                "body": request.body,
                "content_type": request.header("Content-Type"),
            }
        )

    @staticmethod
    def special(_: Request) -> Response:
        return json_response({"special": True})

    @staticmethod
    def refuse(_: Request) -> Response:
        raise HttpError(418, "no tea", headers=(("X-Why", "teapot"),))


@pytest.fixture
def app(clock: ManualClock) -> EchoApp:
    return EchoApp(clock)


@pytest.fixture
def http(app: EchoApp) -> Iterator[httpx.Client]:
    with httpx.Client(transport=app.transport(), base_url="http://core.test") as client:
        yield client


# -- routing -------------------------------------------------------------------


def test_unknown_path_is_404_with_the_app_error_body(http: httpx.Client) -> None:
    response = http.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {
        "error": "Not Found",
        "message": "No route for /nowhere",
        "status": 404,
    }


def test_known_path_with_a_wrong_verb_is_405_with_allow(http: httpx.Client) -> None:
    response = http.put("/items")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_path_parameters_reach_the_handler(http: httpx.Client) -> None:
    assert http.get("/items/42").json()["params"] == {"item_id": "42"}


def test_literal_segments_beat_parameters(http: httpx.Client) -> None:
    assert http.get("/items/special").json() == {"special": True}


def test_the_most_specific_pattern_decides_the_verb(http: httpx.Client) -> None:
    assert http.delete("/items/special").status_code == 405
    assert http.delete("/items/7").status_code == 200


def test_a_route_cannot_be_registered_twice(app: EchoApp) -> None:
    with pytest.raises(ValueError, match="already routed"):
        app.route("GET", "/items", EchoApp.echo)


def test_trailing_slash_is_another_path(http: httpx.Client) -> None:
    assert http.get("/items/").status_code == 404


def test_handler_errors_keep_status_and_headers(http: httpx.Client) -> None:
    response = http.get("/refuse")
    assert response.status_code == 418
    assert response.headers["x-why"] == "teapot"
    assert response.json()["message"] == "no tea"


def test_authorize_hook_refuses_except_on_auth_routes(http: httpx.Client) -> None:
    assert http.get("/items", headers={"X-Key": "wrong"}).status_code == 401
    assert http.post("/login", headers={"X-Key": "wrong"}).status_code == 200


# -- request parsing -----------------------------------------------------------


def test_query_is_a_multi_dict(http: httpx.Client) -> None:
    body = http.get("/items", params=[("a", "1"), ("a", "2"), ("b", "")]).json()
    assert body["query"] == {"a": ["1", "2"], "b": [""]}


def test_json_body_is_parsed(http: httpx.Client) -> None:
    assert http.post("/items", json={"x": [1, 2]}).json()["body"] == {"x": [1, 2]}


def test_form_body_is_parsed(http: httpx.Client) -> None:
    body = http.post("/items", data={"grant_type": "password", "x": "1"}).json()
    assert body["body"] == {"grant_type": "password", "x": "1"}
    assert body["content_type"] == "application/x-www-form-urlencoded"


def test_malformed_json_is_400(http: httpx.Client) -> None:
    response = http.post(
        "/items", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_empty_body_is_none(http: httpx.Client) -> None:
    assert http.post("/items").json()["body"] is None


def test_raw_responses_are_sent_as_is(http: httpx.Client) -> None:
    response = http.get("/raw")
    assert response.content == b"plain"
    assert "content-type" not in response.headers


def test_json_responses_are_typed(http: httpx.Client) -> None:
    assert http.get("/items").headers["content-type"].startswith("application/json")


# -- request log ---------------------------------------------------------------


def test_every_request_is_logged_with_status_and_clock_times(
    http: httpx.Client, app: EchoApp, clock: ManualClock
) -> None:
    http.post("/items", params={"q": "1"}, json={"a": 1})
    http.get("/nowhere")
    first, second = app.requests
    assert (first.method, first.path, first.query, first.body, first.status) == (
        "POST",
        "/items",
        {"q": ("1",)},
        {"a": 1},
        200,
    )
    assert first.started_at == first.finished_at == clock.now
    assert (second.path, second.status) == ("/nowhere", 404)


def test_writes_exclude_reads_and_auth_calls(http: httpx.Client, app: EchoApp) -> None:
    http.get("/items")
    http.post("/login")
    http.post("/items")
    http.delete("/items/3")
    assert [(w.method, w.path) for w in app.writes] == [("POST", "/items"), ("DELETE", "/items/3")]


def test_writes_include_refused_writes(http: httpx.Client, app: EchoApp) -> None:
    app.fail_next(1, 503)
    http.post("/items")
    assert [w.status for w in app.writes] == [503]


def test_clear_log_empties_requests_and_violations(http: httpx.Client, app: EchoApp) -> None:
    http.get("/items")
    app.guard.enter("POST", "/slow")
    app.guard.enter("POST", "/slow")
    app.guard.leave()
    app.clear_log()
    assert app.requests == []
    assert app.violations == []


# -- fail_next -----------------------------------------------------------------


def test_fail_next_then_recovers(http: httpx.Client, app: EchoApp) -> None:
    app.fail_next(2, 503)
    statuses = [http.get("/items").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_fail_next_uses_the_app_error_body(http: httpx.Client, app: EchoApp) -> None:
    app.fail_next(1, 500)
    assert http.get("/items").json() == {
        "error": "Internal Server Error",
        "message": "Internal Server Error",
        "status": 500,
    }


def test_fail_next_with_retry_after_and_body(http: httpx.Client, app: EchoApp) -> None:
    app.fail_next(1, 429, retry_after=7, body={"custom": True})
    response = http.get("/items")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json() == {"custom": True}


def test_fail_next_without_retry_after_sends_no_header(http: httpx.Client, app: EchoApp) -> None:
    app.fail_next(1, 503)
    assert "retry-after" not in http.get("/items").headers


def test_fail_next_with_a_path_prefix_spares_other_paths(http: httpx.Client, app: EchoApp) -> None:
    app.fail_next(1, 503, path_prefix="/items/")
    assert http.get("/items").status_code == 200
    assert http.post("/login").status_code == 200
    assert http.get("/items/1").status_code == 503
    assert http.get("/items/1").status_code == 200


def test_fail_next_rules_queue_up(http: httpx.Client, app: EchoApp) -> None:
    app.fail_next(1, 500)
    app.fail_next(1, 502)
    assert [http.get("/items").status_code for _ in range(3)] == [500, 502, 200]


def test_fail_next_applies_before_routing(http: httpx.Client, app: EchoApp) -> None:
    app.fail_next(1, 503)
    assert http.get("/nowhere").status_code == 503


def test_fail_next_needs_a_positive_count(app: EchoApp) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        app.fail_next(0, 503)


def test_clear_faults_drops_pending_failures(http: httpx.Client, app: EchoApp) -> None:
    app.fail_next(5, 503)
    app.rate_limit(1, 60)
    app.clear_faults()
    assert [http.get("/items").status_code for _ in range(3)] == [200, 200, 200]


# -- rate_limit ----------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(
    http: httpx.Client, app: EchoApp, clock: ManualClock
) -> None:
    app.rate_limit(2, 60, retry_after=True)
    assert http.get("/items").status_code == 200
    clock.advance(10)
    assert http.get("/items").status_code == 200
    clock.advance(5)
    refused = http.get("/items")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "45"


def test_rate_limit_without_retry_after_sends_no_header(http: httpx.Client, app: EchoApp) -> None:
    app.rate_limit(1, 60, retry_after=False)
    http.get("/items")
    refused = http.get("/items")
    assert refused.status_code == 429
    assert "retry-after" not in refused.headers


def test_rate_limit_window_rolls_on_the_injected_clock(
    http: httpx.Client, app: EchoApp, clock: ManualClock
) -> None:
    app.rate_limit(2, 60)
    http.get("/items")
    clock.advance(30)
    http.get("/items")
    clock.advance(29)
    assert http.get("/items").status_code == 429
    clock.advance(1)
    assert http.get("/items").status_code == 200
    assert http.get("/items").status_code == 429


def test_refused_requests_do_not_use_up_the_window(
    http: httpx.Client, app: EchoApp, clock: ManualClock
) -> None:
    app.rate_limit(1, 10)
    http.get("/items")
    for _ in range(5):
        assert http.get("/items").status_code == 429
    clock.advance(10)
    assert http.get("/items").status_code == 200


def test_no_rate_limit_lifts_the_limit(http: httpx.Client, app: EchoApp) -> None:
    app.rate_limit(1, 60)
    http.get("/items")
    app.no_rate_limit()
    assert http.get("/items").status_code == 200


def test_rate_limit_needs_a_positive_window(app: EchoApp) -> None:
    with pytest.raises(ValueError, match="positive"):
        app.rate_limit(1, 0)


# -- redirect_next -------------------------------------------------------------


def test_redirect_next_answers_307_to_the_same_url(http: httpx.Client, app: EchoApp) -> None:
    app.redirect_next(1)
    response = http.get("/items", params={"a": "1", "b": "x y"})
    assert response.status_code == 307
    assert response.headers["location"] == "http://core.test/items?a=1&b=x+y"


def test_a_client_following_redirects_gets_the_answer(app: EchoApp) -> None:
    app.redirect_next(2)
    transport = app.transport()
    with httpx.Client(transport=transport, base_url="http://core.test", follow_redirects=True) as c:
        response = c.post("/items", json={"kept": True})
    assert response.status_code == 200
    assert response.json()["body"] == {"kept": True}
    assert [r.status for r in app.requests] == [307, 307, 200]


# -- latency and the serial guard ----------------------------------------------


def test_latency_really_sleeps(http: httpx.Client, app: EchoApp) -> None:
    app.latency(0.05, serial_only=False)
    started = time.monotonic()
    http.get("/items")
    assert time.monotonic() - started >= 0.05


def test_serial_only_latency_spares_other_calls(http: httpx.Client, app: EchoApp) -> None:
    app.latency(5, serial_only=True)
    started = time.monotonic()
    http.get("/items")
    assert time.monotonic() - started < 1


def test_latency_must_not_be_negative(app: EchoApp) -> None:
    with pytest.raises(ValueError, match="negative"):
        app.latency(-1)


def test_serial_guard_refuses_a_second_call_in_flight(clock: ManualClock) -> None:
    guard = SerialGuard(clock)
    assert guard.enter("POST", "/a")
    assert not guard.enter("PUT", "/b")
    guard.leave()
    assert guard.enter("PUT", "/b")
    (violation,) = guard.violations
    assert (violation.method, violation.path) == ("PUT", "/b")
    assert (violation.in_flight_method, violation.in_flight_path) == ("POST", "/a")
    assert violation.at == clock.now


def _post_in_threads(app: SimulatorApp, paths: list[str]) -> list[int]:
    barrier = threading.Barrier(len(paths))
    statuses: list[int] = []

    def call(path: str) -> None:
        with httpx.Client(transport=app.transport(), base_url="http://core.test") as c:
            barrier.wait()
            statuses.append(c.post(path).status_code)

    threads = [threading.Thread(target=call, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def test_two_serial_calls_at_once_one_gets_409(app: EchoApp) -> None:
    app.latency(0.3)
    assert _post_in_threads(app, ["/slow", "/slow"]) == [200, 409]
    assert len(app.violations) == 1


def test_the_state_lock_is_free_while_a_serial_call_sleeps(app: EchoApp) -> None:
    app.latency(0.5)
    worker = threading.Thread(target=_post_in_threads, args=(app, ["/slow"]))
    worker.start()
    time.sleep(0.1)
    started = time.monotonic()
    with httpx.Client(transport=app.transport(), base_url="http://core.test") as c:
        assert c.get("/items").status_code == 200
    assert time.monotonic() - started < 0.3
    worker.join()


def test_non_serial_calls_may_overlap(app: EchoApp) -> None:
    app.latency(0.2, serial_only=False)
    assert _post_in_threads(app, ["/items", "/items"]) == [200, 200]
    assert app.violations == []


# -- serving on loopback -------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.5"])
def test_loopback_hosts_are_recognised(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", ""])
def test_serve_refuses_non_loopback_hosts(host: str, app: EchoApp) -> None:
    with pytest.raises(ValueError, match="loopback"):
        serve(app, host=host)


@pytest.mark.slow
def test_serve_on_loopback_answers_http(app: EchoApp) -> None:
    server = serve(app)
    try:
        assert server.url == f"http://127.0.0.1:{server.port}"
        with httpx.Client(base_url=server.url) as c:
            assert c.get("/items/9").json()["params"] == {"item_id": "9"}
    finally:
        server.shutdown()


@pytest.mark.slow
def test_serve_lets_two_clients_overlap_and_detects_the_serial_breach() -> None:
    sim = DoceboSimulator()
    server = serve(sim)
    try:
        token = sim.issue_token()
        sim.latency(0.4)
        statuses = _two_clients(server.url, token)
    finally:
        server.shutdown()
    assert sorted(statuses) == [200, 409]
    (violation,) = sim.violations
    assert {violation.path, violation.in_flight_path} == {"/manage/v1/user/batch"}


def _two_clients(url: str, token: str) -> list[int]:
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    body = {"items": [{"username": "x", "email": "x@example.com"}]}

    def call() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=headers) as c:
            barrier.wait()
            statuses.append(c.post("/manage/v1/user/batch", json=body).status_code)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses
