"""A spool gives back every operation in the order it took them, past its memory chunk too."""

from __future__ import annotations

import datetime as dt

from syncd.keys import MembershipKey
from syncd.operations import (
    AddMember,
    Adopt,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    Enroll,
    FieldChange,
    Operation,
    UpdateUser,
)
from syncd.reconcile.spool import Spool
from syncd.records import (
    CourseCode,
    EmployeeId,
    Group,
    GroupKind,
    GroupRef,
    MemberRole,
    Person,
    RemoteId,
)


def _ops(n: int) -> list[Operation]:
    return [DeactivateUser(EmployeeId(f"E{i}")) for i in range(n)]


def test_a_spool_within_its_chunk_gives_back_what_it_took() -> None:
    spool = Spool(chunk=10)
    for op in _ops(7):
        spool.append(op)

    assert list(spool) == _ops(7)
    assert spool.count == 7


def test_a_spool_past_its_chunk_writes_on_and_reads_back_in_order() -> None:
    spool = Spool(chunk=3)
    for op in _ops(11):
        spool.append(op)

    assert list(spool) == _ops(11)
    assert spool.count == 11


def test_every_kind_of_operation_comes_back_equal_from_the_file() -> None:
    person = Person(EmployeeId("E1"), "a@x", "A", "B", "a@x", attributes=(("dept", "Sales"),))
    ref = GroupRef(GroupKind.ORG_UNIT, "SAL")
    ops: list[Operation] = [
        CreateUser(person),
        UpdateUser(person, (FieldChange("email", "b@x", "a@x"),)),
        AddMember(ref, EmployeeId("E1"), MemberRole.MANAGER),
        Enroll(EmployeeId("E1"), CourseCode("SEC"), dt.date(2026, 3, 31)),
        Adopt(MembershipKey(ref, EmployeeId("E1")), RemoteId("g1/u1")),
        CreateGroup(Group(ref, "Sales", GroupRef(GroupKind.ORG_UNIT, "CO"))),
    ]
    spool = Spool(chunk=2)
    for op in ops:
        spool.append(op)

    assert list(spool) == ops
