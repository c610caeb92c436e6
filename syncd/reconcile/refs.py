"""The remote ids an apply needs, kept current as operations create and delete things.

Implements the connector's `RemoteRefs`: lookups by HR key into this target's
links (users, groups) and its course-code table (`courses.py`). A miss is a
SkippableError naming what is missing.
"""

from __future__ import annotations

from syncd.errors import SkippableError
from syncd.keys import GroupKey, Links, ObjectKey, UserKey
from syncd.reconcile.courses import CourseCodes
from syncd.records import CourseCode, EmployeeId, GroupRef, RemoteId
from syncd.store.links import LinkChanges


class LiveRefs:
    def __init__(self, links: Links, courses: CourseCodes) -> None:
        self._ids: dict[ObjectKey, RemoteId] = dict(links.ids)
        self._courses = courses

    def user(self, employee_id: EmployeeId) -> RemoteId:
        return self._get(UserKey(employee_id), f"no account is linked to employee {employee_id}")

    def group(self, ref: GroupRef) -> RemoteId:
        return self._get(GroupKey(ref), f"no group is linked to {ref}")

    def course(self, code: CourseCode) -> RemoteId:
        found = self._courses.id_of(code)
        if found is None:
            raise SkippableError(f"unknown course code {code!r}: no course has that code here")
        return found

    def awaited(self, employee_id: EmployeeId) -> bool:
        """The person's account is being made by a job still running (its link is reserved
        without an id): nothing can be sent for them until a read finds it."""
        return self._ids.get(UserKey(employee_id)) == ""

    def absorb(self, changes: LinkChanges) -> None:
        """Follow the link changes a batch made, so later batches resolve against them."""
        for key, (remote_id, _) in changes.puts.items():
            self._ids[key] = remote_id
        for key in changes.drops:
            self._ids.pop(key, None)
        for employee_id in changes.deleted_users:
            self.forget_user(employee_id)

    def forget_user(self, employee_id: EmployeeId) -> None:
        """Forget a deleted account with its memberships and enrollments, as the links do."""
        for key in [k for k in self._ids if k.person == employee_id]:
            del self._ids[key]

    def _get(self, key: ObjectKey, missing: str) -> RemoteId:
        found = self._ids.get(key)
        if found is None:
            raise SkippableError(missing)
        return found
