"""Coursepath writes: each operation family as Coursepath's calls, one Outcome per operation.

`CoursepathConnector.apply` hands a `Writer` the operations of one kind (user creates with
the first enrollment each carries); every call is synchronous and answers Applied. A
lookup that fails (SkippableError from the refs) rejects that operation only, a request
Coursepath refuses rejects it with Coursepath's words; FatalError and RetriableError
propagate. Group names and the acting member's id come from the `Academy` the reads filled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import structlog

from syncd.connectors.base import RemoteRefs
from syncd.connectors.coursepath import mapping, places
from syncd.connectors.coursepath.academy import Academy
from syncd.connectors.coursepath.client import (
    GROUPS,
    MEMBERS,
    CoursepathClient,
)
from syncd.connectors.http import OutcomeUnknownError, RequestRefusedError
from syncd.connectors.outcomes import Outcomes, one_by_one, refusal, resolve
from syncd.errors import SkippableError
from syncd.operations import (
    AddMember,
    Applied,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    Enroll,
    Outcome,
    ReactivateUser,
    Rejected,
    RemoveMember,
    Unenroll,
    UpdateUser,
)
from syncd.records import EmployeeId, GroupRef, Person, RemoteId


class Writer:
    """Coursepath's calls for each operation kind, with the engine's refs and the target's
    `courses` table and invitation setting."""

    def __init__(
        self,
        client: CoursepathClient,
        refs: RemoteRefs,
        courses: Mapping[str, str],
        academy: Academy,
        *,
        send_invitations: bool,
    ) -> None:
        self._client = client
        self._refs = refs
        self._courses = courses
        self._academy = academy
        self._invite = send_invitations
        self._groups_walked = False

    # --- members -------------------------------------------------------------------------

    def create_users(
        self, creates: Sequence[CreateUser], riders: Sequence[Enroll]
    ) -> list[Outcome]:
        """Each member created, straight into her first new course or program when the batch
        carries one (`POST /courses/{c}/members` creates and enrolls in one call); one
        outcome per create, then per carried enrollment."""
        outcomes = Outcomes(len(creates) + len(riders))
        carried = {op.employee_id: (i, op) for i, op in enumerate(riders, len(creates))}
        for index, op in enumerate(creates):
            rider = carried.get(op.person.employee_id)
            try:
                outcomes.set(index, self._create(op, outcomes, rider))
            except SkippableError as err:  # neither the member nor what her create carried
                outcomes.reject([index] if rider is None else [index, rider[0]], refusal(err))
        return outcomes.done()

    def _create(
        self, op: CreateUser, outcomes: Outcomes, rider: tuple[int, Enroll] | None
    ) -> Outcome:
        """POST /members, or into the rider's course; a 409 (email taken) or a lost answer
        adopts the member found by email, then external id, and enrolls her with the
        coursemember call. Only a member this call created is invited."""
        path = self._into(rider, outcomes)
        body = mapping.new_member(op.person)
        try:
            created = mapping.created_id(self._client.send("POST", path, body))
        except (OutcomeUnknownError, RequestRefusedError) as err:
            taken = isinstance(err, OutcomeUnknownError) or err.status == 409
            found = self._find_member(op.person) if taken else None
            if found is None:
                raise
            if rider is not None and path != MEMBERS:
                outcomes.set(rider[0], self._enroll_as(rider[1], mapping.coursepath_id(found)))
            return Applied(found)
        if rider is not None and path != MEMBERS:
            outcomes.set(rider[0], Applied())
        if self._invite:
            self._send_invitation(created)
        return Applied(created)

    def _into(self, rider: tuple[int, Enroll] | None, outcomes: Outcomes) -> str:
        """Where a create goes: the carried course's (or program's) member list, else
        /members; a course syncd cannot place rejects the carried enrollment only."""
        if rider is None:
            return MEMBERS
        try:
            return self._course_path(rider[1])
        except SkippableError as err:
            outcomes.set(rider[0], Rejected(refusal(err)))
            return MEMBERS

    def _enroll_as(self, op: Enroll, member: int) -> Outcome:
        try:
            self._client.send("POST", self._learner_path(op, member), {}, idempotent=True)
        except SkippableError as err:
            return Rejected(refusal(err))
        return Applied()

    def update_user(self, op: UpdateUser) -> Outcome:
        body = mapping.member_fields(op.person)
        self._client.send("POST", self._member_path(op.person.employee_id), body)
        return Applied()

    def deactivate_user(self, op: DeactivateUser) -> Outcome:
        return self._set_active(op.employee_id, active=False)

    def reactivate_user(self, op: ReactivateUser) -> Outcome:
        return self._set_active(op.employee_id, active=True)

    def _set_active(self, employee_id: EmployeeId, *, active: bool) -> Outcome:
        self._client.send("POST", self._member_path(employee_id), {"active": active})
        return Applied()

    def _member_path(self, employee_id: EmployeeId) -> str:
        return f"{MEMBERS}/{mapping.coursepath_id(self._refs.user(employee_id))}"

    def _find_member(self, person: Person) -> RemoteId | None:
        for key, value in (("email", person.email), ("externalId", person.employee_id)):
            for item in self._client.pages(MEMBERS, {key: value}):
                if _same(item, key, value):
                    return mapping.remote_id(item.get("id"))
        return None

    def _send_invitation(self, member_id: RemoteId) -> None:
        """POST /members/{id}/invite; a refusal is logged, the creation stands."""
        try:
            self._client.send("POST", f"{MEMBERS}/{member_id}/invite", {})
        except SkippableError as err:
            log = structlog.get_logger(__name__)
            log.warning("coursepath_invite_failed", member_id=member_id, error=refusal(err))

    # --- groups (by name) ----------------------------------------------------------------

    def create_groups(self, ops: Sequence[CreateGroup]) -> list[Outcome]:
        """Coursepath makes a group when someone joins it: the acting member joins each new
        name, then leaves every one she joined in one request, even when a join failed (the
        groups stay, empty); each joined group's id is its answer."""
        me = self._academy.me(lambda: self._client.get(f"{MEMBERS}/me"))
        joined: list[str] = []
        try:
            return one_by_one(ops, partial(self._join, me, joined))
        finally:
            self._step_out(me, joined)

    def _join(self, me: int, joined: list[str], op: CreateGroup) -> Outcome:
        answer = self._client.send("POST", f"{MEMBERS}/{me}/groups", {"name": op.group.name})
        joined.append(op.group.name)
        created = mapping.created_id(answer)
        self._academy.saw_group(answer)
        return Applied(created)

    def _step_out(self, me: int, names: Sequence[str]) -> None:
        """The acting member leaves the groups she made; a refusal is logged (the groups
        exist all the same: their creation stands)."""
        try:
            self._leave(me, names)
        except SkippableError as err:
            log = structlog.get_logger(__name__)
            log.warning("coursepath_leave_failed", groups=list(names), error=refusal(err))

    def add_member(self, op: AddMember) -> Outcome:
        member, name = self._membership(op.employee_id, op.group)
        self._client.send("POST", f"{MEMBERS}/{member}/groups", {"name": name})
        return Applied()

    def remove_members(self, ops: Sequence[RemoveMember]) -> list[Outcome]:
        """One `DELETE /members/{m}/groups?name=..&name=..` per member, for every group of
        the batch she leaves; an operation whose lookup fails is rejected alone."""
        outcomes = Outcomes(len(ops))
        leaving: dict[int, list[tuple[int, str]]] = {}
        found = resolve(ops, outcomes, lambda op: self._membership(op.employee_id, op.group))
        for index, (member, name) in found:
            leaving.setdefault(member, []).append((index, name))
        for member, rows in leaving.items():
            try:
                self._leave(member, [name for _, name in rows])
                outcome: Outcome = Applied()
            except SkippableError as err:
                outcome = Rejected(refusal(err))
            for index, _ in rows:
                outcomes.set(index, outcome)
        return outcomes.done()

    def _leave(self, member: int, names: Sequence[str]) -> None:
        """DELETE /members/{m}/groups with each name (never none: that leaves every group).
        A 404 means she is not in one of them, and Coursepath then removes her from none:
        the names are sent again one by one, where a 404 is already done."""
        unique = list(dict.fromkeys(names))
        if not unique:
            return
        leave = partial(self._client.send, "DELETE", f"{MEMBERS}/{member}/groups")
        try:
            leave(params={"name": unique})
        except RequestRefusedError as err:
            if err.status != 404:
                raise
            if len(unique) > 1:
                for name in unique:
                    _gone_ok(partial(leave, params={"name": name}))

    def _membership(self, employee_id: EmployeeId, ref: GroupRef) -> tuple[int, str]:
        member = mapping.coursepath_id(self._refs.user(employee_id))
        return member, self._group_name(self._refs.group(ref))

    def _group_name(self, group_id: RemoteId) -> str:
        """The name of a group id, as the academy last showed it; a group not seen there
        costs one walk of GET /groups per batch."""
        name = self._academy.group_name(group_id)
        if name is None and not self._groups_walked:
            self._groups_walked = True
            self._academy.relearn_groups(self._client.pages(GROUPS))
            name = self._academy.group_name(group_id)
        if name is None:
            raise SkippableError(f"Coursepath has no group {group_id}")
        return name

    # --- courses and programs ------------------------------------------------------------

    def enroll(self, op: Enroll) -> Outcome:
        """POST .../coursemember (or .../programmember); already in is 200, so a resend is safe."""
        self._client.send("POST", self._learner_path(op, self._member(op)), {}, idempotent=True)
        return Applied()

    def unenroll(self, op: Unenroll) -> Outcome:
        """DELETE .../coursemember: Coursepath deletes the results with it. Only ever called
        when the target opted in (`allow_result_deletion`); not enrolled (404) is done."""
        _gone_ok(partial(self._client.send, "DELETE", self._learner_path(op, self._member(op))))
        return Applied()

    def _member(self, op: Enroll | Unenroll) -> int:
        return mapping.coursepath_id(self._refs.user(op.employee_id))

    def _learner_path(self, op: Enroll | Unenroll, member: int) -> str:
        return places.learner_path(self._courses, self._refs, op.course_code, member)

    def _course_path(self, op: Enroll | Unenroll) -> str:
        return places.members_path(self._courses, self._refs, op.course_code)


# --- helpers -------------------------------------------------------------------------------


def _gone_ok(send: Callable[[], Any]) -> None:
    """Send a removal; a 404 (already not there) counts as done."""
    try:
        send()
    except RequestRefusedError as err:
        if err.status != 404:
            raise


def _same(item: Mapping[str, Any], key: str, wanted: str) -> bool:
    """Whether an item found holds the value looked for: emails ignoring case (Coursepath
    keeps them unique that way), an external id exactly."""
    found = item.get(key)
    if not isinstance(found, str):
        return False
    return found.casefold() == wanted.casefold() if key == "email" else found == wanted
