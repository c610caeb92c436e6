"""Drift: HR-owned values someone changed by hand inside an LMS, which a plan puts back.

An operation restores drift when HR did not ask for it: a change to the account of a
person HR has not changed since the target was last in step with HR (`hr_changed` holds
the people HR changed since then), or the re-adding of a membership or an enrollment
that syncd had already made there (its link exists, so someone removed it in the LMS).
Without an earlier run that left the target in step, nothing counts as drift.
"""

from __future__ import annotations

from collections.abc import Iterable

from syncd.keys import Links, UserKey
from syncd.operations import (
    AddMember,
    DeactivateUser,
    Enroll,
    Operation,
    ReactivateUser,
    UpdateUser,
)
from syncd.records import EmployeeId


def count_drift(ops: Iterable[Operation], hr_changed: set[EmployeeId] | None, links: Links) -> int:
    if hr_changed is None:
        return 0
    return sum(1 for op in ops if _restores(op, hr_changed, links))


def _restores(op: Operation, hr_changed: set[EmployeeId], links: Links) -> bool:
    match op:
        case UpdateUser():
            return _unchanged_in_hr(op.person.employee_id, hr_changed, links)
        case DeactivateUser() | ReactivateUser():
            return _unchanged_in_hr(op.employee_id, hr_changed, links)
        case AddMember() | Enroll():
            return op.key in links
        case _:
            return False


def _unchanged_in_hr(employee_id: EmployeeId, hr_changed: set[EmployeeId], links: Links) -> bool:
    return employee_id not in hr_changed and UserKey(employee_id) in links
