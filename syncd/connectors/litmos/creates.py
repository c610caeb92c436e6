"""A batch of people's operations (or part of one) as single calls, in as few as they allow.

Where an import does not pay (people.py), or a person cannot have a row, each new person
is created with `POST /users`, each change of an existing one is a read-modify-write
(`GET` and `PUT /users/{id}`), then the memberships and enrollments are sent as their own
kinds are (one call per team, one per person), with the ids just made. A membership or
enrollment of someone whose create failed is rejected by the lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from syncd.connectors.base import RemoteRefs
from syncd.connectors.litmos.writes import Writer
from syncd.connectors.outcomes import Outcomes, each
from syncd.operations import (
    AddMember,
    Applied,
    CreateUser,
    DeactivateUser,
    Enroll,
    Operation,
    Outcome,
    ReactivateUser,
    UpdateUser,
)
from syncd.records import CourseCode, EmployeeId, GroupRef, RemoteId

Indexed = list[tuple[int, Operation]]


class _Known:
    """The engine's refs, plus the accounts this batch has just created."""

    def __init__(self, refs: RemoteRefs, created: dict[EmployeeId, RemoteId]) -> None:
        self._refs, self._created = refs, created

    def user(self, employee_id: EmployeeId) -> RemoteId:
        return self._created.get(employee_id) or self._refs.user(employee_id)

    def group(self, ref: GroupRef) -> RemoteId:
        return self._refs.group(ref)

    def course(self, code: CourseCode) -> RemoteId:
        return self._refs.course(code)


def one_by_one_people(
    outcomes: Outcomes,
    ops: Indexed,
    refs: RemoteRefs,
    writer_for: Callable[[RemoteRefs], Writer],
) -> None:
    """Fill `outcomes` at the given indexes: creates, then changes, then memberships (a
    call per team) and enrollments (a call per person)."""
    writer = writer_for(refs)
    creates = [(i, op) for i, op in ops if isinstance(op, CreateUser)]
    each(outcomes, creates, writer.create_user)
    created = {
        op.person.employee_id: outcome.remote_id
        for i, op in creates
        if isinstance(outcome := outcomes.get(i), Applied) and outcome.remote_id
    }
    each(outcomes, [(i, op) for i, op in ops if _changes(op)], partial_change(writer))
    after = writer_for(_Known(refs, created))
    members = [(i, op) for i, op in ops if isinstance(op, AddMember)]
    if members:
        _put(outcomes, members, after.add_members([op for _, op in members]))
    enrolls = [(i, op) for i, op in ops if isinstance(op, Enroll)]
    if enrolls:
        _put(outcomes, enrolls, after.enroll([op for _, op in enrolls]))


def _changes(op: Operation) -> bool:
    return isinstance(op, UpdateUser | ReactivateUser | DeactivateUser)


def partial_change(writer: Writer) -> Callable[[Operation], Outcome]:
    """The writer's call for a change of an existing account."""

    def change(op: Operation) -> Outcome:
        match op:
            case UpdateUser():
                return writer.update_user(op)
            case ReactivateUser():
                return writer.reactivate_user(op)
            case DeactivateUser():
                return writer.deactivate_user(op)
            case _:
                raise TypeError(f"not a change of an account: {op!r}")

    return change


def _put(outcomes: Outcomes, ops: Sequence[tuple[int, object]], answers: list[Outcome]) -> None:
    """The answers of a grouping writer call (by team, by person), back at their indexes."""
    for (index, _), outcome in zip(ops, answers, strict=True):
        outcomes.set(index, outcome)


def indexed(batch: Sequence[Operation], indexes: Sequence[int]) -> Indexed:
    return [(i, batch[i]) for i in indexes]
