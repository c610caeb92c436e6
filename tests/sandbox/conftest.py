"""Fixtures for the sandbox tests: a manual clock, a Docebo and a Dokeos
simulator, and httpx clients wired to them in-process (Docebo: anonymous and
with a bearer token; Dokeos: with the V2 Accept header and its API token)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from collections.abc import Callable, Generator, Iterator

import httpx
import pytest

from syncd.sandbox import DoceboSimulator, DokeosSimulator
from syncd.sandbox.core import ManualClock
from syncd.sandbox.coursepath import CoursepathSimulator
from syncd.sandbox.litmos import LitmosSimulator
from tests.lms_fixtures import COURSEPATH_ACTOR, DOCEBO_PASSWORD_GRANT

BASE_URL = "https://sandbox.docebo.test"
DOKEOS_URL = "https://acme.dokeos.test"
DOKEOS_HEADERS = {
    "Accept": "application/vnd.dokeos+json;version=2",
    "Authorization": "Bearer sandbox-dokeos-token",
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> DoceboSimulator:
    return DoceboSimulator(clock=clock)


@pytest.fixture
def password_grant() -> dict[str, str]:
    return dict(DOCEBO_PASSWORD_GRANT)


@pytest.fixture
def anon(sim: DoceboSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=sim.transport(), base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def token(anon: httpx.Client) -> str:
    response = anon.post("/oauth2/token", data=DOCEBO_PASSWORD_GRANT)
    assert response.status_code == 200
    return str(response.json()["access_token"])


@pytest.fixture
def client(sim: DoceboSimulator, token: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(transport=sim.transport(), base_url=BASE_URL, headers=headers) as client:
        yield client


@pytest.fixture
def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def base_url() -> str:
    return BASE_URL


@pytest.fixture
def dokeos(clock: ManualClock) -> DokeosSimulator:
    return DokeosSimulator(clock=clock)


@pytest.fixture
def dokeos_client(dokeos: DokeosSimulator) -> Iterator[httpx.Client]:
    transport = dokeos.transport()
    with httpx.Client(transport=transport, base_url=DOKEOS_URL, headers=DOKEOS_HEADERS) as client:
        yield client


LITMOS_URL = "https://api.litmos.test"
LITMOS_PARAMS = {"apikey": "sandbox-litmos-key", "source": "syncd-tests", "format": "json"}


@pytest.fixture
def litmos(clock: ManualClock) -> LitmosSimulator:
    return LitmosSimulator(clock=clock)


@pytest.fixture
def litmos_client(litmos: LitmosSimulator) -> Iterator[httpx.Client]:
    with json_client(litmos) as client:
        yield client


LITMOS_JSON = {"Content-Type": "application/json"}


def json_client(sim: LitmosSimulator, **params: str) -> httpx.Client:
    """What every Litmos call needs: HTTPS, the sandbox key, `source`, `format=json` and a
    Content-Type header (seed 004: "With every request you must include a Content-Type")."""
    return httpx.Client(
        transport=sim.transport(),
        base_url=LITMOS_URL,
        params={**LITMOS_PARAMS, **params},
        headers=LITMOS_JSON,
    )


COURSEPATH_URL = "https://academy.coursepath.test"
COURSEPATH_SECRET = "sandbox-coursepath-secret"

Minter = Callable[..., str]


def mint_jwt(claims: dict[str, object], secret: str, header: dict[str, object]) -> str:
    """An HS256-signed JWT, written with the stdlib only (as Coursepath's jwt.md)."""

    def encode(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    signing_input = f"{encode(json.dumps(header).encode())}.{encode(json.dumps(claims).encode())}"
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{encode(mac)}"


@pytest.fixture
def coursepath(clock: ManualClock) -> CoursepathSimulator:
    """A Coursepath academy on the manual clock, with the acting member seeded."""
    sim = CoursepathSimulator(clock=clock)
    sim.seed_member(COURSEPATH_ACTOR, "API Admin")
    return sim


@pytest.fixture
def coursepath_jwt(clock: ManualClock) -> Minter:
    """mint(email=actor, iat=now, jti=fresh, secret=..., alg="HS256", omit=(claim names))."""
    counter = itertools.count(1)

    def mint(
        email: str = COURSEPATH_ACTOR,
        *,
        iat: object = None,
        jti: object = None,
        secret: str = COURSEPATH_SECRET,
        alg: str = "HS256",
        omit: tuple[str, ...] = (),
    ) -> str:
        claims: dict[str, object] = {
            "jti": f"jti-{next(counter)}" if jti is None else jti,
            "iat": int(clock.now) if iat is None else iat,
            "email": email,
        }
        kept = {key: value for key, value in claims.items() if key not in omit}
        return mint_jwt(kept, secret, {"typ": "JWT", "alg": alg})

    return mint


class FreshJwt(httpx.Auth):
    """Signs every request with a new token, as a Coursepath client must."""

    def __init__(self, mint: Minter) -> None:
        self.mint = mint

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.mint()}"
        yield request


@pytest.fixture
def coursepath_client(
    coursepath: CoursepathSimulator, coursepath_jwt: Minter
) -> Iterator[httpx.Client]:
    transport = coursepath.transport()
    auth = FreshJwt(coursepath_jwt)
    with httpx.Client(transport=transport, base_url=COURSEPATH_URL, auth=auth) as client:
        yield client
