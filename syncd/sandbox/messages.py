"""HTTP messages of the sandbox: the parsed request, the response, the refusal.

`read_request` turns a WSGI environ into a `Request` (query as a multi-dict,
JSON or form body parsed once); `write_response` hands a `Response` back to
the WSGI server. Handlers raise `HttpError`; the app renders its error body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from urllib.parse import parse_qs, parse_qsl, quote
from wsgiref.types import StartResponse, WSGIEnvironment

Query = Mapping[str, tuple[str, ...]]
Headers = tuple[tuple[str, str], ...]

FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json; charset=UTF-8"


@dataclass(frozen=True, slots=True)
class Request:
    """One request as a handler sees it; `params` are the path parameters."""

    method: str
    path: str
    query: Query
    headers: Mapping[str, str]
    body: object
    origin: str
    raw_query: str = ""
    malformed: bool = False
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The full URL of the request, as received (query string included)."""
        return self.origin + quote(self.path) + ("?" + self.raw_query if self.raw_query else "")

    def arg(self, name: str) -> str | None:
        """The first value of query parameter `name`, or None."""
        values = self.query.get(name, ())
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        """A request header by case-insensitive name."""
        return self.headers.get(name.lower())

    def with_params(self, params: Mapping[str, str]) -> Request:
        return replace(self, params=dict(params))

    def with_query(self, query: Query) -> Request:
        return replace(self, query=dict(query))


@dataclass(frozen=True, slots=True)
class Response:
    """A status, a JSON-serialisable body (or raw bytes) and extra headers."""

    status: int
    body: object = None
    headers: Headers = ()
    raw: bytes | None = None

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body).encode("utf-8")


class HttpError(Exception):
    """A refusal: `status` and `message`; `body` overrides the app's error body."""

    def __init__(
        self, status: int, message: str, *, body: object = None, headers: Headers = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body
        self.headers = headers


def json_response(body: object, status: int = 200, headers: Headers = ()) -> Response:
    return Response(status=status, body=body, headers=headers)


def reason(status: int) -> str:
    """The standard reason phrase of `status` ("Unknown" when there is none)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def read_request(environ: WSGIEnvironment) -> Request:
    """Parse a WSGI environ into a `Request` (the body is read once, here)."""
    headers = _headers(environ)
    body, malformed = _parse_body(_read_body(environ), headers.get("content-type", ""))
    raw_query = str(environ.get("QUERY_STRING", ""))
    return Request(
        method=str(environ["REQUEST_METHOD"]).upper(),
        path=_path(environ),
        query=_query(raw_query),
        headers=headers,
        body=body,
        origin=_origin(environ),
        raw_query=raw_query,
        malformed=malformed,
    )


def write_response(
    start_response: StartResponse, response: Response, extra: Headers = ()
) -> list[bytes]:
    """Start the WSGI response and return its body chunks."""
    payload = response.payload()
    headers = [*extra, *response.headers, ("Content-Length", str(len(payload)))]
    if response.raw is None and response.body is not None:
        headers.append(("Content-Type", JSON_TYPE))
    start_response(f"{response.status} {reason(response.status)}", headers)
    return [payload]


def _headers(environ: WSGIEnvironment) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers


def _read_body(environ: WSGIEnvironment) -> bytes:
    length = str(environ.get("CONTENT_LENGTH") or "0")
    size = int(length) if length.isdigit() else 0
    return environ["wsgi.input"].read(size) if size > 0 else b""


def _parse_body(raw: bytes, content_type: str) -> tuple[object, bool]:
    """(parsed body, malformed?): form bodies become a dict, others JSON."""
    if not raw:
        return None, False
    if content_type.split(";", maxsplit=1)[0].strip().lower() == FORM_TYPE:
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)), False
    try:
        return json.loads(raw), False
    except ValueError:
        return raw.decode("utf-8", "replace"), True


def _query(text: str) -> dict[str, tuple[str, ...]]:
    parsed = parse_qs(text, keep_blank_values=True)
    return {key: tuple(values) for key, values in parsed.items()}


def _path(environ: WSGIEnvironment) -> str:
    """PATH_INFO, undoing PEP 3333's latin-1 transport of UTF-8 bytes."""
    path = str(environ.get("PATH_INFO", "")) or "/"
    try:
        return path.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return path


def _origin(environ: WSGIEnvironment) -> str:
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    host = environ.get("HTTP_HOST")
    if host:
        return f"{scheme}://{host}"
    port = str(environ.get("SERVER_PORT", ""))
    default = {"http": "80", "https": "443"}.get(scheme)
    suffix = "" if port in ("", default) else f":{port}"
    return f"{scheme}://{environ.get('SERVER_NAME', 'localhost')}{suffix}"
