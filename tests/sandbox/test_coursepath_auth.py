"""The conventions of docs/lms/coursepath.md against the Coursepath simulator: the
HS256 JWT on every call (signature, algorithm, claims, freshness, single use,
an existing active member), HTTPS only, the error body, and the loopback server."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from syncd.kinds import KINDS, lookup
from syncd.sandbox import CoursepathSimulator, serve
from syncd.sandbox.core import ManualClock
from syncd.sandbox.coursepath.demo import DEMO
from syncd.sandbox.demo import DEMO_COURSES

Minter = Callable[..., str]
URL = "https://academy.coursepath.test"
ACTOR = "api@acme.example"


def call(
    sim: CoursepathSimulator, token: str | None, path: str = "/api/v1/courses"
) -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    with httpx.Client(transport=sim.transport(), base_url=URL, headers=headers) as client:
        return client.get(path)


def refused(response: httpx.Response) -> str:
    """The 401's message, after checking its shape."""
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert (set(body), body["error"]) == ({"error", "message"}, "unauthorized")
    return str(body["message"])


def test_a_fresh_token_of_an_existing_member_is_served(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter
) -> None:
    assert call(coursepath, coursepath_jwt()).status_code == 200


def test_a_missing_token_is_401(coursepath: CoursepathSimulator) -> None:
    assert "bearer" in refused(call(coursepath, None)).lower()


def test_another_scheme_is_401(coursepath: CoursepathSimulator, coursepath_jwt: Minter) -> None:
    with httpx.Client(transport=coursepath.transport(), base_url=URL) as client:
        response = client.get(
            "/api/v1/courses", headers={"Authorization": f"Basic {coursepath_jwt()}"}
        )
    refused(response)


def test_a_bad_signature_is_401(coursepath: CoursepathSimulator, coursepath_jwt: Minter) -> None:
    assert "signature" in refused(call(coursepath, coursepath_jwt(secret="not-the-api-key")))


def test_a_tampered_payload_is_401(coursepath: CoursepathSimulator, coursepath_jwt: Minter) -> None:
    head, _, sig = coursepath_jwt().split(".")
    other = coursepath_jwt(email="someone@else.example").split(".")[1]
    assert "signature" in refused(call(coursepath, f"{head}.{other}.{sig}"))


@pytest.mark.parametrize("alg", ["none", "HS512", "RS256", "hs256"])
def test_only_hs256_is_accepted(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter, alg: str
) -> None:
    assert "HS256" in refused(call(coursepath, coursepath_jwt(alg=alg)))


def test_an_unsigned_alg_none_token_is_401(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter
) -> None:
    head, body, _ = coursepath_jwt(alg="none").split(".")
    refused(call(coursepath, f"{head}.{body}."))


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b", "!!!.e30.x", "e30.!!!.x", "W10.e30.x"])
def test_a_malformed_token_is_401(coursepath: CoursepathSimulator, token: str) -> None:
    refused(call(coursepath, token))


@pytest.mark.parametrize("missing", ["email", "iat", "jti"])
def test_each_claim_is_required(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter, missing: str
) -> None:
    assert missing in refused(call(coursepath, coursepath_jwt(omit=(missing,))))


@pytest.mark.parametrize(("claim", "value"), [("iat", "yesterday"), ("iat", True), ("jti", "")])
def test_claims_of_the_wrong_type_are_401(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter, claim: str, value: object
) -> None:
    refused(call(coursepath, coursepath_jwt(**{claim: value})))


def test_a_token_older_than_max_token_age_is_401(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter, clock: ManualClock
) -> None:
    assert call(coursepath, coursepath_jwt(iat=clock.now - 120)).status_code == 200
    assert "too old" in refused(call(coursepath, coursepath_jwt(iat=clock.now - 121)))


def test_a_token_minted_then_held_too_long_is_401(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter, clock: ManualClock
) -> None:
    token = coursepath_jwt()
    clock.advance(121)
    refused(call(coursepath, token))


def test_max_token_age_is_a_constructor_knob(coursepath_jwt: Minter, clock: ManualClock) -> None:
    sim = CoursepathSimulator(clock=clock, max_token_age=10)
    sim.seed_member(ACTOR)
    assert call(sim, coursepath_jwt(iat=clock.now - 10)).status_code == 200
    refused(call(sim, coursepath_jwt(iat=clock.now - 11)))
    with pytest.raises(ValueError, match="max_token_age"):
        CoursepathSimulator(max_token_age=0)


def test_a_token_from_the_future_is_401_beyond_30_seconds_of_skew(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter, clock: ManualClock
) -> None:
    assert call(coursepath, coursepath_jwt(iat=clock.now + 30)).status_code == 200
    assert "future" in refused(call(coursepath, coursepath_jwt(iat=clock.now + 31)))


def test_a_replayed_jti_is_401(coursepath: CoursepathSimulator, coursepath_jwt: Minter) -> None:
    token = coursepath_jwt()
    assert call(coursepath, token).status_code == 200
    assert "already used" in refused(call(coursepath, token))
    assert "already used" in refused(call(coursepath, coursepath_jwt(jti="jti-1")))


def test_a_numeric_jti_counts_as_its_text(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter
) -> None:
    assert call(coursepath, coursepath_jwt(jti=508870138)).status_code == 200
    refused(call(coursepath, coursepath_jwt(jti="508870138")))


def test_a_jti_is_spent_even_when_the_call_then_fails(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter
) -> None:
    token = coursepath_jwt()
    assert call(coursepath, token, "/api/v1/courses/99").status_code == 404
    refused(call(coursepath, token))


def test_the_dump_keeps_used_jtis(coursepath: CoursepathSimulator, coursepath_jwt: Minter) -> None:
    token = coursepath_jwt()
    assert call(coursepath, token).status_code == 200
    restored = CoursepathSimulator(clock=coursepath.clock)
    restored.load_state(coursepath.dump_state())
    refused(call(restored, token))


def test_the_email_must_be_an_existing_member(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter
) -> None:
    assert "member" in refused(call(coursepath, coursepath_jwt("nobody@acme.example")))


def test_the_email_matches_ignoring_case(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter
) -> None:
    assert call(coursepath, coursepath_jwt("API@Acme.Example")).status_code == 200


def test_a_deactivated_member_cannot_act(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter
) -> None:
    coursepath.seed_member("gone@acme.example", active=False)
    refused(call(coursepath, coursepath_jwt("gone@acme.example")))


def test_the_secret_is_a_constructor_knob(coursepath_jwt: Minter, clock: ManualClock) -> None:
    sim = CoursepathSimulator(clock=clock, jwt_secret="academy-key")
    sim.seed_member(ACTOR)
    assert call(sim, coursepath_jwt(secret="academy-key")).status_code == 200
    refused(call(sim, coursepath_jwt()))


# -- HTTPS only, errors --------------------------------------------------------------


def test_plain_http_is_refused_with_403(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter
) -> None:
    with httpx.Client(
        transport=coursepath.transport(), base_url="http://academy.coursepath.test"
    ) as c:
        response = c.get("/api/v1/courses", headers={"Authorization": f"Bearer {coursepath_jwt()}"})
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "message": "All API requests must be made over HTTPS",
    }


def test_plain_http_is_refused_before_the_token_is_spent(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter
) -> None:
    token = coursepath_jwt()
    with httpx.Client(transport=coursepath.transport(), base_url="http://127.0.0.1") as c:
        assert (
            c.get("/api/v1/courses", headers={"Authorization": f"Bearer {token}"}).status_code
            == 403
        )
    assert call(coursepath, token).status_code == 200


def test_the_loopback_flag_admits_plain_http_on_loopback_hosts_only(
    coursepath_jwt: Minter, clock: ManualClock
) -> None:
    sim = CoursepathSimulator(clock=clock, allow_plain_http_on_loopback=True)
    sim.seed_member(ACTOR)
    statuses = []
    for base in ("http://127.0.0.1:8413", "http://localhost", "http://[::1]", "http://acme.test"):
        with httpx.Client(transport=sim.transport(), base_url=base) as c:
            auth = {"Authorization": f"Bearer {coursepath_jwt()}"}
            statuses.append(c.get("/api/v1/courses", headers=auth).status_code)
    assert statuses == [200, 200, 200, 403]


def test_errors_are_error_and_message(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    response = coursepath_client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "No route for /api/v1/nothing"}
    assert coursepath_client.put("/api/v1/members").status_code == 405


def test_the_fault_knobs_answer_in_the_coursepath_error_shape(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    coursepath.fail_next(1, 503)
    response = coursepath_client.get("/api/v1/courses")
    assert response.status_code == 503
    assert response.json() == {"error": "service_unavailable", "message": "Service Unavailable"}


# -- served on loopback, and in the registry ---------------------------------------


@pytest.mark.slow
def test_served_on_loopback_it_answers_the_same_rules(coursepath_jwt: Minter) -> None:
    sim = DEMO.simulator(time.time)
    assert isinstance(sim, CoursepathSimulator)
    server = serve(sim)
    try:
        with httpx.Client(base_url=server.url) as client:
            token = coursepath_jwt(iat=sim.clock())
            auth = {"Authorization": f"Bearer {token}"}
            courses = client.get("/api/v1/courses", headers=auth)
            replayed = client.get("/api/v1/courses", headers=auth)
    finally:
        server.shutdown()
    assert server.url.startswith("http://127.0.0.1:")
    assert [(c["code"], c["name"]) for c in courses.json()] == list(DEMO_COURSES)
    assert replayed.status_code == 401


def test_the_registry_builds_a_coursepath_sandbox_with_an_acting_admin(
    coursepath_jwt: Minter,
) -> None:
    assert lookup("coursepath").demo.target is DEMO.target
    assert max(KINDS, key=lambda kind: kind.sandbox_port).kind == "coursepath"  # served last
    sim = DEMO.simulator(time.time)
    assert isinstance(sim, CoursepathSimulator)
    snapshot = sim.snapshot()
    assert snapshot.courses == dict(DEMO_COURSES)
    assert set(snapshot.members) == {ACTOR}
    me = call(sim, coursepath_jwt(iat=sim.clock()), "/api/v1/members/me")
    assert (me.json()["email"], me.json()["name"]) == (ACTOR, "API Admin")
