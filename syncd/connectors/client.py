"""The one protocol the four LMS clients implement, and the access check made with any of them.

Each `<lms>/client.py` wraps `HttpClient` (retries, re-auth, status classification) in its
LMS's auth, envelope and paging, and offers its connector this surface: the decoded answer
to a read, the decoded answer to a write, close. Their list walks stay their own (Docebo
must name a sort key); so do Dokeos's job polls and Litmos's search.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from syncd.errors import FatalError, SkippableError

if TYPE_CHECKING:
    from syncd.connectors.http import Params


class LmsClient(Protocol):
    """Authenticated JSON calls to one LMS tenant, one at a time."""

    def get(self, path: str, params: Params | None = None) -> Any:
        """The decoded answer to a GET (the content of the LMS's envelope, if it has one)."""
        ...

    def send(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        params: Params | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """The decoded answer to a write carrying `body` as JSON (None sends no body), or
        None where the LMS answers with an empty body. `idempotent` overrides the method's
        own say on whether a request that may have reached the LMS is resent."""
        ...

    def close(self) -> None: ...


def check_access(client: LmsClient, path: str, params: Params | None, target: str) -> None:
    """One authenticated read of `path`; a refusal of it (a 4xx) is a FatalError naming
    the `target`, as are the client's own (bad credentials); RetriableError propagates."""
    try:
        client.get(path, params)
    except SkippableError as err:
        raise FatalError(f"{target}: {err}") from err
