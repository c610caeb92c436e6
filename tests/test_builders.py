"""`builder(cls)` makes the very value `cls(...)` makes, only faster."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from syncd.builders import builder
from syncd.keys import Links
from syncd.operations import AddMember, CreateUser, Enroll
from syncd.records import EmployeeId, GroupKind, GroupRef, MemberRole, OrgUnitCode, Person

ADA = Person(
    EmployeeId("E1"),
    "a@x",
    "Ada",
    "Lovelace",
    "ada",
    False,
    OrgUnitCode("SAL"),
    EmployeeId("E0"),
    (("site", "Lyon"),),
)
VALUES = [
    (Person, tuple(getattr(ADA, f.name) for f in dataclasses.fields(Person))),
    (CreateUser, (ADA,)),
    (AddMember, (GroupRef(GroupKind.ORG_UNIT, "SAL"), EmployeeId("E1"), MemberRole.MANAGER)),
    (Enroll, (EmployeeId("E1"), "SEC-101", dt.date(2026, 2, 4))),
    (Enroll, (EmployeeId("E1"), "SEC-101", None)),
]


@pytest.mark.parametrize(("cls", "fields"), VALUES)
def test_a_built_value_is_the_value_the_class_makes(
    cls: type[Any], fields: tuple[object, ...]
) -> None:
    first = dataclasses.fields(cls)[0].name
    built: object = builder(cls)(*fields)
    made = cls(*fields)
    assert type(built) is cls
    assert built == made
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert _refused(built, first) is _refused(made, first)  # still frozen, as the class is


def _refused(value: object, name: str) -> type[BaseException]:
    with pytest.raises(Exception) as refused:
        setattr(value, name, None)
    return refused.type


def test_every_field_must_be_given() -> None:
    with pytest.raises(TypeError):
        builder(Enroll)("E1", "SEC-101")  # the default due date is not taken


def test_a_class_with_checks_of_its_own_is_refused() -> None:
    with pytest.raises(TypeError, match="__post_init__"):
        builder(Links)

    @dataclasses.dataclass(frozen=True)
    class Unslotted:
        name: str

    with pytest.raises(TypeError, match="slotted"):
        builder(Unslotted)
