"""How the apply stage packs a plan's steps into requests: `batches`.

Consecutive operations of one kind are packed up to the connector's batch size (user
creates and updates together where the connector upserts); a batch of user creates also
carries the new people's memberships and enrollments the connector's `create_carries`
allows, and one of member additions the removals that make them moves, or, where one
request edits a group's members whole, the group's removals (`carry.py`); where the
connector writes users as rows (`user_rows`), batches of people take every user write
and what each person's row carries; (de)activations may join user rows
(`status_rows.py`). The plan, and each operation's place in it, stay as reviewed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby

from syncd.connectors.base import Capabilities, Connector, EnrollScope
from syncd.operations import (
    AddMember,
    CreateUser,
    Enroll,
    Operation,
    OpKind,
    RemoveMember,
    Unenroll,
    UpdateUser,
)
from syncd.reconcile.carry import (
    ROW_WRITES,
    carried_steps,
    group_removals,
    paired_removals,
    people_steps,
)
from syncd.reconcile.status_rows import status_rows
from syncd.records import CourseCode, EmployeeId, GroupRef, MemberRole

Step = tuple[int, Operation]  # (place in the plan, operation)
MEMBER_KINDS = frozenset({OpKind.ADD_MEMBER, OpKind.REMOVE_MEMBER})


def batches(steps: Sequence[Step], connector: Connector) -> Iterator[list[Step]]:
    """Runs of one kind, cut to the batch size, never straddling two groups or two courses
    (LMS endpoints add members to one group, or people to one course, per call); where the
    LMS enrolls one person in many courses per call, a run of enrollments is regrouped by
    person instead (the plan, and each operation's place in it, stay as reviewed), and where
    it removes one person from many groups per call, a run of removals is ordered by person
    and cut by size only; where one request edits a group's members whole, runs of members
    are cut group by group whatever the role; where user rows also set the active status,
    (de)activations may join them (`status_rows.py`). A batch of user creates also takes
    the steps its people's creates carry, and one of member additions the removals riding
    with them (`carry.py`), after them; where users are written as rows, the user writes
    and what each person's row carries go in batches of people instead (`_people_batches`)."""
    capabilities = connector.capabilities
    if capabilities.user_rows:
        rows = _people_batches(steps, capabilities)
        steps = _without(steps, [step for batch in rows for step in batch])
    else:
        rows = []
    carried = carried_steps(steps, capabilities.create_carries)
    rest = _without(steps, [step for riders in carried.values() for step in riders])
    moves = _removal_riders(rest, capabilities)
    rest = _without(rest, [step for riders in moves.values() for step in riders])
    rest, joined = status_rows(rest, capabilities)
    for kind, run in groupby(rest, key=lambda step: _run_kind(step, capabilities, joined)):
        items = list(run)
        while rows and _first(rows[0]) < items[0][0]:  # a batch of people, where it stands
            yield rows.pop(0)
        size = max(1, capabilities.batch_size(kind))
        for scoped in _scoped(items, capabilities):
            for start in range(0, len(scoped), size):
                yield _with_riders(scoped[start : start + size], carried, moves)
    yield from rows


def _first(batch: list[Step]) -> int:
    return min(seq for seq, _ in batch)


def _people_batches(steps: Sequence[Step], capabilities: Capabilities) -> list[list[Step]]:
    """Where users are written as rows (`Capabilities.user_rows`): batches of whole people,
    up to CreateUser's batch size in people, each person's user writes first (in plan
    order) then what their row carries; each batch keyed, for its place in the plan, by its
    first step (`carry.people_steps`)."""
    people = list(people_steps(steps, capabilities.create_carries).values())
    size = max(1, capabilities.batch_size(OpKind.CREATE_USER))
    batches: list[list[Step]] = []
    for start in range(0, len(people), size):
        chunk = [step for person in people[start : start + size] for step in person]
        writes = sorted((s for s in chunk if isinstance(s[1], ROW_WRITES)), key=_seq)
        riders = sorted((s for s in chunk if not isinstance(s[1], ROW_WRITES)), key=_seq)
        batches.append(writes + riders)
    return sorted(batches, key=_first)


def _seq(step: Step) -> int:
    return step[0]


def _removal_riders(steps: Sequence[Step], capabilities: Capabilities) -> dict[int, list[Step]]:
    """The RemoveMember steps that ride with an AddMember step, by that step's plan place:
    the removals that make additions moves, and where one request edits a group's members,
    each group's removals with its first addition."""
    moves = paired_removals(steps, capabilities.moves_members)
    riders = {seq: [step] for seq, step in moves.items()}
    if capabilities.edits_group_members:
        rest = _without(steps, list(moves.values()))
        for seq, steps_of_group in group_removals(rest).items():
            riders.setdefault(seq, []).extend(steps_of_group)
    return riders


def _scoped(run: list[Step], capabilities: Capabilities) -> list[list[Step]]:
    """A run of one kind cut by what one request can carry (see `batches`)."""
    kind = run[0][1].KIND
    if kind in MEMBER_KINDS and capabilities.edits_group_members:
        groups: dict[GroupRef | None, list[Step]] = {}
        for step in run:
            groups.setdefault(_group_of(step[1]), []).append(step)
        return list(groups.values())
    if kind is OpKind.REMOVE_MEMBER and capabilities.removes_across_groups:
        return [sorted(run, key=lambda step: str(getattr(step[1], "employee_id", "")))]
    if kind is OpKind.ENROLL and capabilities.enroll_scope is EnrollScope.PERSON:
        people: dict[EmployeeId | None, list[Step]] = {}
        for step in run:
            person = step[1].employee_id if isinstance(step[1], Enroll) else None
            people.setdefault(person, []).append(step)
        return list(people.values())
    return [list(items) for _, items in groupby(run, key=lambda step: _scope(step[1]))]


def _run_kind(step: Step, capabilities: Capabilities, joined: set[int]) -> OpKind:
    """The kind a run shares (user updates count as creates where the LMS upserts, and so
    do the (de)activations that join the user rows, `status_rows`)."""
    seq, op = step
    if (op.KIND is OpKind.UPDATE_USER and capabilities.upserts_users) or seq in joined:
        return OpKind.CREATE_USER
    return op.KIND


def _without(steps: Sequence[Step], taken: list[Step]) -> list[Step]:
    seqs = {seq for seq, _ in taken}
    return [step for step in steps if step[0] not in seqs]


def _with_riders(
    batch: list[Step], carried: dict[EmployeeId, list[Step]], moves: dict[int, list[Step]]
) -> list[Step]:
    """A batch of creates (updates too, where the LMS upserts) followed by what their creates
    carry, or of member additions followed by the removals they pair with as moves; the
    riders in plan order."""
    match batch[0][1]:
        case CreateUser() | UpdateUser():
            people = [op.person.employee_id for _, op in batch if isinstance(op, CreateUser)]
            riders = [step for person in people for step in carried.get(person, ())]
        case AddMember():
            riders = [step for seq, _ in batch for step in moves.get(seq, ())]
        case _:
            riders = []
    return batch + sorted(riders, key=lambda step: step[0])


def _group_of(op: Operation) -> GroupRef | None:
    return op.group if isinstance(op, AddMember | RemoveMember) else None


def _scope(op: Operation) -> tuple[MemberRole, GroupRef] | CourseCode | None:
    match op:
        case AddMember() | RemoveMember():
            return op.role, op.group
        case Enroll() | Unenroll():
            return op.course_code
        case _:
            return None
