"""Object keys in typed columns: what the journal, the job table and the links store and read.

`key_columns` spreads a key over the `KeyParts` columns (schema.py), '' for a part its kind
does not have; `key_of` makes the key again from a row's kind and parts. Syncd reads keys
from these columns only, never from the text columns beside them.
"""

from __future__ import annotations

from typing import Any, assert_never

from syncd.keys import EnrollmentKey, GroupKey, MembershipKey, ObjectKey, UserKey
from syncd.records import CourseCode, EmployeeId, GroupKind, GroupRef, LinkKind, MemberRole
from syncd.store.schema import NONE

PARTS = ("employee_id", "group_kind", "group_code", "course_code", "role")


def key_columns(key: ObjectKey) -> dict[str, str]:
    """The key's parts by column name ('' for those its kind has none of)."""
    parts = dict.fromkeys(PARTS, NONE)
    match key:
        case UserKey():
            parts["employee_id"] = key.employee_id
        case GroupKey():
            parts |= _group(key.ref)
        case MembershipKey():
            parts |= _group(key.group)
            parts.update(employee_id=key.employee_id, role=key.role.value)
        case EnrollmentKey():
            parts.update(employee_id=key.employee_id, course_code=key.course_code)
        case _:
            assert_never(key)
    return parts


def _group(ref: GroupRef) -> dict[str, str]:
    return {"group_kind": ref.kind.value, "group_code": ref.code}


def key_of(kind: LinkKind, row: Any) -> ObjectKey:
    """The key of `kind` whose parts `row` (a row with the `PARTS` columns) holds."""
    match kind:
        case LinkKind.USER:
            return UserKey(EmployeeId(row.employee_id))
        case LinkKind.ORG_UNIT | LinkKind.GROUP:
            return GroupKey(_ref(row))
        case LinkKind.MEMBERSHIP:
            return MembershipKey(_ref(row), EmployeeId(row.employee_id), MemberRole(row.role))
        case LinkKind.ENROLLMENT:
            return EnrollmentKey(EmployeeId(row.employee_id), CourseCode(row.course_code))
        case _:
            assert_never(kind)


def _ref(row: Any) -> GroupRef:
    return GroupRef(GroupKind(row.group_kind), row.group_code)
