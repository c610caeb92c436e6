"""The conventions every Coursepath call follows: HTTPS, the JWT, errors, paging.

`check_scheme` refuses plain HTTP (403) unless allowed on loopback;
`authenticate` turns the bearer JWT into the acting member (401 otherwise);
`page_of` reads `offset`/`limit` against an endpoint's default and answers a
bare JSON array; `path_record` maps a path id to a record (400/404).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar
from urllib.parse import urlsplit

from syncd.sandbox.coursepath.records import Member
from syncd.sandbox.coursepath.state import CoursepathState
from syncd.sandbox.coursepath.tokens import TokenError, verify
from syncd.sandbox.fields import as_id, int_arg
from syncd.sandbox.messages import HttpError, Request, Response, json_response, reason
from syncd.sandbox.server import is_loopback

T = TypeVar("T")

MAX_LIMIT = 1000
CLOCK_SKEW = 30.0  # seconds an `iat` may lie ahead of the simulator's clock
HTTPS_MESSAGE = "All API requests must be made over HTTPS"


def error_code(status: int) -> str:
    """The `error` of an error body: the snake_cased reason phrase."""
    return reason(status).lower().replace(" ", "_").replace("-", "_")


def error(status: int, message: str) -> HttpError:
    return HttpError(status, message, body={"error": error_code(status), "message": message})


def check_scheme(request: Request, allow_plain_http_on_loopback: bool) -> None:
    """403 for plain HTTP, unless allowed and the request's host is a loopback one."""
    parts = urlsplit(request.origin)
    if parts.scheme == "https":
        return
    if allow_plain_http_on_loopback and is_loopback(parts.hostname or ""):
        return
    raise error(403, HTTPS_MESSAGE)


def authenticate(
    state: CoursepathState, authorization: str | None, secret: str, max_age: float
) -> Member:
    """The acting member of a valid, fresh, unused bearer JWT; 401 otherwise."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("A bearer JWT is required")
    try:
        claims = verify(token.strip(), secret)
    except TokenError as err:
        raise _unauthorized(str(err)) from err
    now = state.clock()
    if now - claims.iat > max_age:
        raise _unauthorized("The token is too old; mint a new one for each request")
    if claims.iat - now > CLOCK_SKEW:
        raise _unauthorized("The token was issued in the future")
    if not state.use_jti(claims.jti, claims.iat, now - max_age - CLOCK_SKEW):
        raise _unauthorized("The token was already used (jti)")
    member = state.member_with_email(claims.email)
    if member is None or not member.active:
        raise _unauthorized("The token's email is not an active member of this academy")
    return member


def page_of(
    request: Request,
    items: Sequence[T],
    render: Callable[[T], dict[str, object]],
    default_limit: int,
) -> Response:
    """The `offset`/`limit` slice of `items` as a bare JSON array."""
    limit = int_arg(request, "limit", default_limit, 1, MAX_LIMIT)
    offset = int_arg(request, "offset", 0, 0)
    return json_response([render(item) for item in items[offset : offset + limit]])


def path_record(table: Mapping[int, T], request: Request, param: str, kind: str) -> T:
    """The record a path id names: 400 when not an integer, 404 when unknown."""
    raw = request.params[param]
    record_id = as_id(raw)
    if record_id is None:
        raise error(400, f"{kind} id must be an integer: {raw}")
    record = table.get(record_id)
    if record is None:
        raise error(404, f"{kind} {raw} not found")
    return record


def check_query(request: Request, allowed: Sequence[str]) -> None:
    """400 for a query parameter the endpoint does not know."""
    unknown = sorted(set(request.query) - {"offset", "limit", *allowed})
    if unknown:
        raise error(400, f"Unknown query parameters: {', '.join(unknown)}")


def _unauthorized(message: str) -> HttpError:
    body = {"error": "unauthorized", "message": message}
    return HttpError(401, message, body=body, headers=(("WWW-Authenticate", "Bearer"),))
