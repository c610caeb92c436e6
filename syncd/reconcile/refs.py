"""The remote ids an apply needs, kept current as operations create and delete things.

Implements the connector's `RemoteRefs`: lookups by HR key into this target's
links (users, groups) and its course-code table (`courses.py`). A miss is a
SkippableError naming what is missing.
"""

from __future__ import annotations

from syncd.errors import SkippableError
from syncd.reconcile.courses import CourseCodes
from syncd.records import CourseCode, EmployeeId, GroupRef, LinkKind, Links, RemoteId
from syncd.store.links import LinkChanges


class LiveRefs:
    def __init__(self, links: Links, courses: CourseCodes) -> None:
        self._ids: dict[LinkKind, dict[str, RemoteId]] = {
            kind: dict(links.of(kind)) for kind in LinkKind
        }
        self._courses = courses

    def user(self, employee_id: EmployeeId) -> RemoteId:
        return self._get(
            LinkKind.USER, employee_id, f"no account is linked to employee {employee_id}"
        )

    def group(self, ref: GroupRef) -> RemoteId:
        return self._get(LinkKind.of_group(ref.kind), ref.code, f"no group is linked to {ref}")

    def course(self, code: CourseCode) -> RemoteId:
        found = self._courses.id_of(code)
        if found is None:
            raise SkippableError(f"unknown course code {code!r}: no course has that code here")
        return found

    def absorb(self, changes: LinkChanges) -> None:
        """Follow the link changes a batch made, so later batches resolve against them."""
        for (kind, key), (remote_id, _) in changes.puts.items():
            self._ids[kind][key] = RemoteId(remote_id)
        for kind, key in changes.drops:
            self._ids[kind].pop(key, None)
        for employee_id in changes.deleted_users:
            self.forget_user(EmployeeId(employee_id))

    def forget_user(self, employee_id: EmployeeId) -> None:
        """Forget a deleted account with its memberships and enrollments, as the links do."""
        self._ids[LinkKind.USER].pop(employee_id, None)
        members, enrolled = self._ids[LinkKind.MEMBERSHIP], self._ids[LinkKind.ENROLLMENT]
        for key in [k for k in members if k.endswith(f"/{employee_id}")]:
            del members[key]
        for key in [k for k in enrolled if k.startswith(f"{employee_id}/")]:
            del enrolled[key]

    def _get(self, kind: LinkKind, key: str, missing: str) -> RemoteId:
        found = self._ids[kind].get(key)
        if found is None:
            raise SkippableError(missing)
        return found
