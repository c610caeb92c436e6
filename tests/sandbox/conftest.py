"""Fixtures for the sandbox tests: a manual clock, a Docebo and a Dokeos
simulator, and httpx clients wired to them in-process (Docebo: anonymous and
with a bearer token; Dokeos: with the V2 Accept header and its API token)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from syncd.sandbox import DoceboSimulator, DokeosSimulator
from syncd.sandbox.core import ManualClock

BASE_URL = "https://sandbox.docebo.test"
DOKEOS_URL = "https://acme.dokeos.test"
DOKEOS_HEADERS = {
    "Accept": "application/vnd.dokeos+json;version=2",
    "Authorization": "Bearer sandbox-dokeos-token",
}

PASSWORD_GRANT = {
    "grant_type": "password",
    "client_id": "syncd-sandbox",
    "client_secret": "sandbox-secret",
    "username": "api-admin",
    "password": "sandbox-password",
    "scope": "api",
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> DoceboSimulator:
    return DoceboSimulator(clock=clock)


@pytest.fixture
def password_grant() -> dict[str, str]:
    return dict(PASSWORD_GRANT)


@pytest.fixture
def anon(sim: DoceboSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=sim.transport(), base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def token(anon: httpx.Client) -> str:
    response = anon.post("/oauth2/token", data=PASSWORD_GRANT)
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
