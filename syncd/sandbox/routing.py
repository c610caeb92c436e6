"""The router of the sandbox: `(method, path pattern)` to a handler.

Patterns use `{name}` for one path segment. When several patterns match a
path, the one with the most literal segments decides: an unknown path is
404, a known path asked with a verb it does not serve is 405 (with `Allow`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from syncd.sandbox.messages import HttpError, Request, Response

Handler = Callable[[Request], Response]

_PARAM = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")


@dataclass(frozen=True, slots=True)
class Route:
    """One served verb on one pattern; `serial` calls go through the guard,
    `auth` marks the token endpoint (no bearer needed, not counted a write)."""

    method: str
    pattern: str
    handler: Handler
    serial: bool = False
    auth: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    route: Route
    params: Mapping[str, str]


@dataclass(slots=True)
class _Pattern:
    text: str
    regex: re.Pattern[str]
    literals: int
    routes: dict[str, Route] = field(default_factory=dict)


class Router:
    """Maps requests to routes; raises `HttpError` 404/405 when none fits."""

    def __init__(self) -> None:
        self._patterns: dict[str, _Pattern] = {}

    def add(self, route: Route) -> None:
        pattern = self._patterns.get(route.pattern)
        if pattern is None:
            pattern = _compile(route.pattern)
            self._patterns[route.pattern] = pattern
        if route.method in pattern.routes:
            raise ValueError(f"{route.method} {route.pattern} is already routed")
        pattern.routes[route.method] = route

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(r for p in self._patterns.values() for r in p.routes.values())

    def match(self, method: str, path: str) -> Match:
        found = self._best(path)
        if found is None:
            raise HttpError(404, f"No route for {path}")
        pattern, params = found
        route = pattern.routes.get(method)
        if route is None:
            allow = ", ".join(sorted(pattern.routes))
            raise HttpError(405, f"{method} is not allowed on {path}", headers=(("Allow", allow),))
        return Match(route=route, params=params)

    def _best(self, path: str) -> tuple[_Pattern, dict[str, str]] | None:
        best: tuple[_Pattern, dict[str, str]] | None = None
        for pattern in self._patterns.values():
            hit = pattern.regex.fullmatch(path)
            if hit and (best is None or pattern.literals > best[0].literals):
                best = (pattern, hit.groupdict())
        return best


def _compile(text: str) -> _Pattern:
    if not text.startswith("/"):
        raise ValueError(f"pattern must start with '/': {text!r}")
    parts: list[str] = []
    literals = 0
    for segment in text.split("/")[1:]:
        param = _PARAM.match(segment)
        if param:
            parts.append(f"(?P<{param.group(1)}>[^/]+)")
        else:
            parts.append(re.escape(segment))
            literals += 1
    return _Pattern(text=text, regex=re.compile("/" + "/".join(parts)), literals=literals)
