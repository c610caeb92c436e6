"""A batch of Litmos user creates with what they carry (`CreateCarries`), as few calls.

At or above the target's `bulk_import_threshold` the batch is one import (or a few, by
size: imports.py), every operation Pending on it. Below it, each person is created with
`POST /users` as before, then the carried memberships and enrollments are sent as their
own kinds are (one call per team, one per person), with the ids just made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from syncd.connectors.base import RemoteRefs
from syncd.connectors.litmos.imports import Carried
from syncd.connectors.litmos.writes import Writer
from syncd.connectors.outcomes import one_by_one
from syncd.operations import AddMember, Applied, CreateUser, Enroll, Outcome
from syncd.records import CourseCode, EmployeeId, GroupRef, RemoteId


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


def one_by_one_carrying(
    writer: Writer,
    refs: RemoteRefs,
    batch: tuple[Sequence[CreateUser], Sequence[Carried]],
    writer_for: Callable[[RemoteRefs], Writer],
) -> list[Outcome]:
    """Each create on its own, then what they carry, grouped as their kinds are sent; a
    carried operation of someone whose create failed is rejected by the lookup."""
    creates, riders = batch
    made = one_by_one(creates, writer.create_user)
    created = {
        op.person.employee_id: outcome.remote_id
        for op, outcome in zip(creates, made, strict=True)
        if isinstance(outcome, Applied) and outcome.remote_id
    }
    after = writer_for(_Known(refs, created))
    members = [(i, op) for i, op in enumerate(riders) if isinstance(op, AddMember)]
    enrolls = [(i, op) for i, op in enumerate(riders) if isinstance(op, Enroll)]
    answers = [
        *after.add_members([op for _, op in members]),
        *after.enroll([op for _, op in enrolls]),
    ]
    outcomes: list[Outcome] = list(answers)  # placed back in the riders' order below
    for (index, _), outcome in zip([*members, *enrolls], answers, strict=True):
        outcomes[index] = outcome
    return [*made, *outcomes]
