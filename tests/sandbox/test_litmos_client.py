"""The httpx client the Litmos simulator tests speak through (`conftest.json_client`) sends
what every Litmos call needs, and nothing more."""

from __future__ import annotations

import httpx

from syncd.sandbox import LitmosSimulator
from tests.sandbox.conftest import LITMOS_PARAMS


def test_the_client_sends_what_every_call_needs(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    assert litmos_client.get("/v1.svc/users").status_code == 200
    (logged,) = litmos.requests
    assert dict(logged.query) == {k: (v,) for k, v in LITMOS_PARAMS.items()}
