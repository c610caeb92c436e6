"""How many ids one Docebo write may name: 1,000 per list, on every endpoint that takes one.

No public source states a limit for `assign_users`, `change_status`, `move_to_branch`,
`remove_from_branch`, group members or `/learn/v1/enrollments`; the simulator applies the
one it applies to the batch endpoints (user batch, orgchart batch, user delete) **[decided]**,
and answers more with 400, changing nothing. The enrollment calls count pairs (every listed
course times every listed user), the strictest reading of "items".
"""

from __future__ import annotations

from collections.abc import Sized

from syncd.sandbox.messages import HttpError

MAX_IDS = 1000


def at_most(items: Sized, what: str) -> None:
    """400 when one call names more than MAX_IDS `what`."""
    if len(items) > MAX_IDS:
        raise HttpError(400, f"At most {MAX_IDS} {what} per call")
