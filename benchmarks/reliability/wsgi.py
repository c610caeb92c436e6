"""Small WSGI apps around the simulators: a foreign origin, a redirector, slow answers.

`Recorder` answers 404 to everything and keeps each request as text (method, path,
query, headers, body), so the secrets probe can look for credentials in it;
`Redirector` wraps a simulator and, when armed, answers its next `n` requests with a 307
or 308 to the same path and query on the foreign origin; `SlowAnswers` holds back the
answer of every write the simulator has already applied (the sigkill probe's window).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment


class Recorder:
    """A foreign origin: records every request it gets, answers 404."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[str] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = [f"{k[5:]}: {v}" for k, v in environ.items() if k.startswith("HTTP_")]
        shown = (
            f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')}?"
            f"{environ.get('QUERY_STRING', '')}\n"
            + "\n".join(headers)
            + "\n\n"
            + body.decode("utf-8", errors="replace")
        )
        with self.lock:
            self.seen.append(shown)
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"message": "not here"}']


class Redirector:
    """Wraps `app`; `arm(n, status, origin)` redirects its next `n` requests to `origin`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()
        self._left, self._status, self._origin, self._skip = 0, 307, "", 0

    def arm(self, n: int, status: int, origin: str, *, after: int = 0) -> None:
        """Redirect `n` requests, once `after` more have been served normally."""
        with self.lock:
            self._left, self._status, self._origin, self._skip = n, status, origin, after

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self.lock:
            redirect = self._left > 0 and self._skip == 0
            if redirect:
                self._left -= 1
            elif self._skip:
                self._skip -= 1
        if not redirect:
            result: Iterable[bytes] = self.app(environ, start_response)
            return result
        query = environ.get("QUERY_STRING", "")
        where = self._origin + environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        reason = "Temporary Redirect" if self._status == 307 else "Permanent Redirect"
        start_response(f"{self._status} {reason}", [("Location", where), ("Content-Length", "0")])
        return [b""]


class SlowAnswers:
    """Wraps `app`: every write is done at once, its answer held back `seconds`, so that a
    process killed meanwhile has sent a request the LMS applied and never heard back."""

    def __init__(self, app: Any, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body: Iterable[bytes] = self.app(environ, start_response)
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            time.sleep(self.seconds)
        return body
