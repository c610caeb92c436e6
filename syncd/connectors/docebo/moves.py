"""Moving people between branches in one request, where that loses nothing.

`PUT /manage/v1/user/move_to_branch` takes `user_ids` and `branch_ids` and no source
branch; syncd reads it strictly (docs/lms/docebo.md): the user leaves every branch they
are in. So a person's branch RemoveMember rides with their AddMember (the engine pairs
them, `Capabilities.moves_members`) and is sent as a move only when the last read of the
platform showed that person in exactly one branch: the one the removal leaves. Anyone
else (in branches syncd does not manage, or not seen) gets the add and the remove as
their own calls. `BranchCounts` keeps, per user id, how many branches the read showed
(0, 1, or 2 for "more"), one byte per id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from syncd.records import RemoteId

MORE = 2
DENSE = 1 << 26  # ids below this take a byte each; any above, a dict entry


class BranchCounts:
    """How many branches each user sat in directly, as the current fetch read them."""

    def __init__(self) -> None:
        self._dense = bytearray()
        self._sparse: dict[int, int] = {}

    def reset(self) -> None:
        self._dense, self._sparse = bytearray(), {}

    def see(self, user_id: RemoteId) -> None:
        if not user_id.isdigit():
            return  # not an id a move could name
        number = int(user_id)
        if number >= DENSE:
            self._sparse[number] = min(self._sparse.get(number, 0) + 1, MORE)
            return
        if number >= len(self._dense):
            self._dense.extend(bytes(number + 1 - len(self._dense)))
        self._dense[number] = min(self._dense[number] + 1, MORE)

    def only_one(self, user_id: RemoteId) -> bool:
        if not user_id.isdigit():
            return False
        number = int(user_id)
        if number >= DENSE:
            return self._sparse.get(number) == 1
        return number < len(self._dense) and self._dense[number] == 1


@dataclass(frozen=True, slots=True)
class Move:
    """One person's add (batch place `add`) and remove (`remove`) sent as one move."""

    add: int
    remove: int
    user_id: RemoteId
    branch_id: RemoteId  # the destination


def moves(
    adds: Sequence[tuple[int, RemoteId, RemoteId]],
    removes: Sequence[tuple[int, RemoteId]],
    counts: BranchCounts,
) -> list[Move]:
    """The pairs to send as moves: `adds` are (place, user id, destination branch id) and
    `removes` (place, user id), every id a Docebo integer id already checked."""
    leaving = {user_id: place for place, user_id in removes}
    return [
        Move(place, leaving[user_id], user_id, branch_id)
        for place, user_id, branch_id in adds
        if user_id in leaving and counts.only_one(user_id)
    ]
