"""What the Coursepath connector remembers of its academy between a read and the writes.

Coursepath joins and leaves groups by name, and makes a group only when someone joins
it, so the writes need each group's name and the acting member's id. `fetch` already
lists both (every group, every member, the acting member among them): `Academy` keeps
them, so that no write walks `GET /groups` or asks `GET /members/me` again. What it
has not seen (writes before any read, a group an admin made since) it looks up once:
`GET /members/me`, or one walk of `GET /groups` per batch that misses. A group renamed
in Coursepath after the cycle's read is written under the name that read saw; the
next cycle's read sees the new name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from syncd.connectors.coursepath import mapping
from syncd.records import RemoteId

JsonObject = Mapping[str, Any]


class Academy:
    """The acting member's id and every group's name, as last read or written."""

    def __init__(self, acting_email: str) -> None:
        self._acting = acting_email.casefold()
        self._me: int | None = None
        self._groups: dict[RemoteId, str] = {}

    def saw_member(self, item: JsonObject) -> None:
        """A member item of a read: the acting member's id is kept."""
        email = item.get("email")
        if isinstance(email, str) and email.casefold() == self._acting:
            self._me = mapping.coursepath_id(mapping.remote_id(item.get("id")))

    def saw_group(self, item: JsonObject) -> None:
        """A group item of a read or a join: its name is kept by id."""
        self._groups[mapping.remote_id(item.get("id"))] = str(item.get("name"))

    def me(self, ask: Callable[[], JsonObject]) -> int:
        """The acting member's id; `ask` (GET /members/me) only when no read listed her."""
        if self._me is None:
            self._me = mapping.coursepath_id(mapping.remote_id(ask().get("id")))
        return self._me

    def group_name(self, group_id: RemoteId) -> str | None:
        return self._groups.get(group_id)

    def relearn_groups(self, items: Iterable[JsonObject]) -> None:
        """Every group again, from a walk of GET /groups (the names may have changed)."""
        self._groups.clear()
        for item in items:
            self.saw_group(item)
