"""HTTP requests by family: the method and the simulator's route pattern
(`GET /manage/v1/group/{id}/members`), and which families write.

A write is every request but a GET and the token call (a Litmos import's status polls are
GETs, so reads)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from syncd.sandbox.core import HttpError, LoggedRequest

OAUTH_PATH = "/oauth2/token"


def family(sim: Any, method: str, path: str) -> str:
    """`METHOD pattern` of the route that served the request (the raw path if none did)."""
    try:
        return f"{method} {sim.router.match(method, path).route.pattern}"
    except HttpError:
        return f"{method} {path}"


def by_family(sim: Any, requests: Iterable[LoggedRequest]) -> Counter[str]:
    return Counter(family(sim, r.method, r.path) for r in requests)


def is_write(family_name: str) -> bool:
    return not family_name.startswith("GET ") and not family_name.endswith(OAUTH_PATH)


def writes_of(requests: Counter[str]) -> int:
    return sum(n for name, n in requests.items() if is_write(name))
