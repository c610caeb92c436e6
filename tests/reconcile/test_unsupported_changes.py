"""What the diff does with changes a target's API cannot make, and with parents on an LMS
whose groups are flat."""

from __future__ import annotations

from syncd.keys import Links
from syncd.operations import MoveGroup, Operation, OpKind, UpdateGroup
from syncd.reconcile.diff import DiffPolicy, diff
from syncd.records import (
    DesiredState,
    Group,
    GroupKind,
    GroupRef,
    RemoteGroup,
    RemoteId,
    RemoteState,
)

EU, DE = GroupRef(GroupKind.ORG_UNIT, "EU"), GroupRef(GroupKind.ORG_UNIT, "DE")


def world() -> tuple[DesiredState, RemoteState]:
    """HR renamed DE and put it under EU; the LMS has both at the top, DE by its old name."""
    desired = DesiredState(
        people={},
        groups={EU: Group(EU, "Europe"), DE: Group(DE, "Deutschland", EU)},
        memberships=frozenset(),
        enrollments={},
    )
    remote = RemoteState(
        groups=(
            RemoteGroup(RemoteId("1"), GroupKind.ORG_UNIT, "Europe", "EU"),
            RemoteGroup(RemoteId("2"), GroupKind.ORG_UNIT, "Germany", "DE"),
        )
    )
    return desired, remote


def changes(plan: list[Operation]) -> list[OpKind]:
    """The plan's kinds past the adoptions (the LMS's groups are adopted by code first)."""
    return [op.KIND for op in plan if op.KIND is not OpKind.ADOPT]


def test_a_change_the_api_cannot_make_is_listed_not_planned() -> None:
    desired, remote = world()
    policy = DiffPolicy(supports=frozenset(OpKind) - {OpKind.UPDATE_GROUP, OpKind.MOVE_GROUP})
    plan = diff(desired, remote, Links(), policy)
    assert changes(plan) == []
    assert set(plan.unsupported) == {
        UpdateGroup(Group(DE, "Deutschland", EU), "Germany"),
        MoveGroup(Group(DE, "Deutschland", EU), None),
    }


def test_a_supported_change_is_planned_and_nothing_listed() -> None:
    desired, remote = world()
    plan = diff(desired, remote, Links(), DiffPolicy())
    assert set(changes(plan)) == {OpKind.UPDATE_GROUP, OpKind.MOVE_GROUP}
    assert plan.unsupported == ()


def test_on_flat_groups_a_parent_is_never_a_change() -> None:
    desired, remote = world()
    policy = DiffPolicy(supports=frozenset(OpKind) - {OpKind.MOVE_GROUP}, nested_groups=False)
    plan = diff(desired, remote, Links(), policy)
    assert changes(plan) == [OpKind.UPDATE_GROUP]
    assert plan.unsupported == ()
