"""Serve a simulator on a loopback port, in a background thread.

`serve(app)` starts a threading WSGI server (one daemon thread per request,
so concurrent calls really overlap) and returns a `RunningServer` to stop.
Only loopback hosts are accepted: a sandbox never listens on a network.
"""

from __future__ import annotations

import ipaddress
import socket
import socketserver
import threading
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.types import WSGIApplication


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean: no access log."""


@dataclass(frozen=True, slots=True)
class RunningServer:
    """A served app: its base `url` and `port`; `shutdown()` stops it."""

    url: str
    port: int
    _server: WSGIServer
    _thread: threading.Thread

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve(app: WSGIApplication, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve `app` on `host:port` (0: a free port) until `shutdown()`."""
    if not is_loopback(host):
        raise ValueError(f"the sandbox serves on loopback hosts only, not {host!r}")
    server_class = _ThreadingServer6 if ":" in host else _ThreadingServer
    server = server_class((host, port), _QuietHandler)
    server.set_app(app)
    thread = threading.Thread(target=server.serve_forever, name="sandbox-server", daemon=True)
    thread.start()
    bound = int(server.server_address[1])
    shown = f"[{host}]" if ":" in host else host
    return RunningServer(url=f"http://{shown}:{bound}", port=bound, _server=server, _thread=thread)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
