"""Redirects and credentials: a redirect within the LMS's origin is followed with its
credentials; one to another origin (host, port, or a scheme change such as a downgrade to
http) is refused before a byte reaches that origin, so no header or query credential
(Litmos's `apikey`, a bearer token) and no body ever leaves for a host nobody configured."""

from __future__ import annotations

import httpx
import pytest

from syncd.clock import FakeClock
from syncd.connectors.http import ForeignRedirectError, HttpClient
from syncd.connectors.litmos.client import LitmosClient
from syncd.connectors.outcomes import ClientSettings
from syncd.errors import FatalError

BASE = "https://lms.example.test"
KEY = "litmos-key-5f2a9c"
USERS = "/v1.svc/users"


class KeyHeader:
    """An Authenticator sending a custom credential header, as Litmos does (`apikey`)."""

    def headers(self) -> dict[str, str]:
        return {"apikey": KEY, "Authorization": f"Bearer {KEY}"}

    def invalidate(self) -> None:
        """A static key."""


class Lms:
    """Answers every request to the LMS's own origin with `first` once, then 200; records
    every request each origin saw."""

    def __init__(self, location: str, status: int = 307) -> None:
        self.location, self.status = location, status
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if len(self.seen) == 1:
            return httpx.Response(self.status, headers={"Location": self.location})
        return httpx.Response(200, json=[])

    def hosts(self) -> list[str]:
        return [f"{r.url.scheme}://{r.url.netloc.decode()}" for r in self.seen]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def _client(lms: Lms) -> HttpClient:
    return HttpClient(
        BASE, transport=lms.transport(), clock=FakeClock(), timeout=5.0, max_attempts=3,
        auth=KeyHeader(),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("location", "origin"),
    [
        ("https://other-host.test/v1.svc/users?apikey=leak", "https://other-host.test"),
        ("http://lms.example.test/v1.svc/users?apikey=leak", "http://lms.example.test"),
        ("https://lms.example.test:8443/v1.svc/users", "https://lms.example.test:8443"),
    ],
    ids=["other-host", "downgrade-to-http", "other-port"],
)
def test_a_redirect_to_another_origin_is_refused_before_any_credential_leaves(
    location: str, origin: str
) -> None:
    lms = Lms(location)
    with pytest.raises(ForeignRedirectError) as caught:
        _client(lms).get(USERS, params={"apikey": KEY, "source": "syncd"})
    assert lms.hosts() == [BASE]  # the other origin saw no request at all
    message = str(caught.value)
    assert f"the LMS redirected to another origin, {origin}" in message
    assert "leak" not in message  # the origin is named without its query
    assert KEY not in message
    assert isinstance(caught.value, FatalError)  # a config matter: stop this target


def test_a_redirect_to_another_origin_sends_no_litmos_key_in_query_or_header() -> None:
    lms = Lms("http://other-host.test/v1.svc/users")
    for key_in_query in (True, False):
        lms.seen.clear()
        settings = ClientSettings(
            base_url=f"{BASE}/v1.svc", transport=lms.transport(), clock=FakeClock(),
            timeout=5.0, max_attempts=1, page_size=100,
        )  # fmt: skip
        client = LitmosClient(
            settings, KEY, source="syncd", key_in_query=key_in_query, requests_per_minute=100
        )
        with pytest.raises(ForeignRedirectError):
            client.get("/users")
        leaked = [r for r in lms.seen if r.url.host != "lms.example.test"]
        assert leaked == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_same_origin_redirect_is_followed_with_its_credentials(status: int) -> None:
    lms = Lms("/v2.svc/users?moved=1", status)
    response = _client(lms).get(USERS, params={"apikey": KEY})
    assert response.status_code == 200
    follow = lms.seen[1]
    assert (follow.url.host, follow.url.path) == ("lms.example.test", "/v2.svc/users")
    assert follow.headers["apikey"] == KEY
    assert follow.headers["Authorization"] == f"Bearer {KEY}"
    assert len(lms.seen) == 2


def test_a_same_origin_redirect_keeps_a_write_and_its_body() -> None:
    lms = Lms(f"{BASE}/v2.svc/users", 307)
    client = _client(lms)
    assert client.request("POST", USERS, json={"a": 1}).status_code == 200
    assert [(r.method, r.content) for r in lms.seen] == [("POST", b'{"a":1}')] * 2
    assert client.stats.redirects == 1
