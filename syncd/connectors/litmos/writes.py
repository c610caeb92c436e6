"""Litmos writes: each operation family as Litmos's calls, one Outcome per operation.

`LitmosConnector.apply` hands a `Writer` the operations of one kind; every call answers
at once (Applied). A lookup that fails (SkippableError from the refs) rejects that
operation only; a request Litmos refuses rejects every operation it carried, with
Litmos's words; FatalError and RetriableError propagate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from syncd.connectors.base import RemoteRefs
from syncd.connectors.http import OutcomeUnknownError, Params, RequestRefusedError
from syncd.connectors.litmos import mapping
from syncd.connectors.litmos.client import TEAMS, USERS, LitmosClient
from syncd.connectors.outcomes import Outcomes, each, refusal, resolve
from syncd.errors import FatalError, SkippableError
from syncd.operations import (
    AddMember,
    Applied,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteUser,
    Enroll,
    Outcome,
    ReactivateUser,
    RemoveMember,
    Unenroll,
    UpdateUser,
)
from syncd.records import CourseCode, EmployeeId, GroupRef, RemoteId

TAKEN = 409
# A team addition never asks for Litmos's email ("send login emails to new users", spec
# AssignUserstoaTeam): where the target lets Litmos email, the login email goes once, with
# the account's create; asked for again here, it would go again for every team [decided].
MEMBERS_QUERY: Params = {"sendmessage": "false"}


class Writer:
    """The calls of one batch, against one Litmos account."""

    def __init__(self, client: LitmosClient, refs: RemoteRefs, settings: WriteSettings) -> None:
        self._client = client
        self._refs = refs
        self._settings = settings

    # --- users ---------------------------------------------------------------------------

    def create_user(self, op: CreateUser) -> Outcome:
        body = mapping.new_user(op.person, self._settings.new_account)
        send = partial(self._client.send, "POST", USERS, body, params=self._settings.create_query)
        return _create(send, partial(self._find, USERS, "UserName", op.person.username))

    def update_user(self, op: UpdateUser) -> Outcome:
        return self._put_user(op.person.employee_id, mapping.user_fields(op.person))

    def deactivate_user(self, op: DeactivateUser) -> Outcome:
        return self._put_user(op.employee_id, {"Active": False})

    def reactivate_user(self, op: ReactivateUser) -> Outcome:
        return self._put_user(op.employee_id, {"Active": True})

    def delete_user(self, op: DeleteUser) -> Outcome:
        self._client.send("DELETE", f"{USERS}/{self._refs.user(op.employee_id)}")
        return Applied()

    def _put_user(self, employee_id: EmployeeId, changes: dict[str, object]) -> Outcome:
        """Read-modify-write: the whole user as Litmos holds it, with `changes` made. A PUT
        carries the whole object (the spec's mandatory field list; deactivate-user.yml), and
        a field it left out could be reset, so every field syncd does not own goes back as
        it was read."""
        path = f"{USERS}/{self._refs.user(employee_id)}"
        current = self._client.get(path)
        if not isinstance(current, dict):
            raise FatalError(f"GET {USERS}/{{id}}: Litmos's answer is not a user object")
        self._client.send("PUT", path, mapping.changed_user(current, changes))
        return Applied()

    def _find(self, path: str, key: str, wanted: str) -> RemoteId | None:
        """The item of `path` whose `key` is `wanted` (ignoring case, as Litmos does)."""
        for item in self._client.search(path, wanted):
            if str(item.get(key, "")).casefold() == wanted.casefold():
                return mapping.remote_id(item.get("Id"))
        return None

    # --- teams ---------------------------------------------------------------------------

    def create_group(self, op: CreateGroup) -> Outcome:
        parent = op.group.parent
        path = TEAMS if parent is None else f"{TEAMS}/{self._refs.group(parent)}/teams"
        send = partial(
            self._client.send, "POST", path, mapping.new_team(op.group.ref, op.group.name)
        )
        return _create(send, partial(self._find_team, op.group.ref, op.group.name))

    def _find_team(self, ref: GroupRef, name: str) -> RemoteId | None:
        """The team named `name`, if it stands for `ref` or for no HR group at all: a team
        coded for another HR group (an org unit and a config group of the same name) is
        never adopted, the refusal stands (Litmos team names are unique)."""
        found = self._find(TEAMS, "Name", name)
        if found is None:
            return None
        kind, code = mapping.group_ref(self._client.get(f"{TEAMS}/{found}").get("Description"))
        return found if code is None or (kind, code) == (ref.kind, ref.code) else None

    def add_members(self, ops: Sequence[AddMember]) -> list[Outcome]:
        """One `POST /teams/{id}/users` per team, carrying every user of the batch for it,
        with `sendmessage=false` always (`MEMBERS_QUERY`)."""
        outcomes = Outcomes(len(ops))
        rows = resolve(ops, outcomes, self._member)
        teams: dict[RemoteId, list[tuple[int, RemoteId]]] = {}
        for index, (team_id, user_id) in rows:
            teams.setdefault(team_id, []).append((index, user_id))
        for team_id, users in teams.items():
            self._post_members(outcomes, team_id, users)
        return outcomes.done()

    def _post_members(
        self, outcomes: Outcomes, team_id: RemoteId, users: list[tuple[int, RemoteId]]
    ) -> None:
        indexes = [index for index, _ in users]
        body = [{"Id": user_id} for _, user_id in users]
        try:
            self._client.send("POST", f"{TEAMS}/{team_id}/users", body, params=MEMBERS_QUERY)
        except SkippableError as err:
            outcomes.reject(indexes, refusal(err))
            return
        for index in indexes:
            outcomes.set(index, Applied())

    def remove_members(self, ops: Sequence[RemoveMember]) -> list[Outcome]:
        outcomes = Outcomes(len(ops))
        each(outcomes, resolve(ops, outcomes, self._member), self._delete_member)
        return outcomes.done()

    def _delete_member(self, pair: tuple[RemoteId, RemoteId]) -> Outcome:
        return self._unlink(f"{TEAMS}/{pair[0]}/users/{pair[1]}")

    def _member(self, op: AddMember | RemoveMember) -> tuple[RemoteId, RemoteId]:
        return self._refs.group(op.group), self._refs.user(op.employee_id)

    # --- courses -------------------------------------------------------------------------

    def enroll(self, ops: Sequence[Enroll]) -> list[Outcome]:
        """One `POST /users/{id}/courses` per person with every course of the batch for them,
        in the spec's body (`Body_6`: `{"Course": [{"Id"}, ...]}`); `sendmessage=false` unless
        the target lets Litmos email (`notify`). A refusal rejects that person's ops."""
        outcomes = Outcomes(len(ops))
        people: dict[RemoteId, list[tuple[int, RemoteId]]] = {}
        for index, (user_id, course_id) in resolve(ops, outcomes, self._pair):
            people.setdefault(user_id, []).append((index, course_id))
        for user_id, courses in people.items():
            self._assign(outcomes, user_id, courses)
        return outcomes.done()

    def _assign(
        self, outcomes: Outcomes, user_id: RemoteId, courses: list[tuple[int, RemoteId]]
    ) -> None:
        indexes = [index for index, _ in courses]
        body = {"Course": [{"Id": course_id} for _, course_id in courses]}
        path = f"{USERS}/{user_id}/courses"
        try:
            self._client.send("POST", path, body, params=self._settings.assign_query)
        except SkippableError as err:
            outcomes.reject(indexes, refusal(err))
            return
        for index in indexes:
            outcomes.set(index, Applied())

    def unenroll(self, op: Unenroll) -> Outcome:
        user_id, course_id = self._pair(op)
        return self._unlink(f"{USERS}/{user_id}/courses/{course_id}")

    def _unlink(self, path: str) -> Outcome:
        """DELETE a membership or an assignment. A 404 ("not a member", "not assigned", or
        an id Litmos no longer knows) means the link is not there: what was asked is so."""
        try:
            self._client.send("DELETE", path)
        except RequestRefusedError as err:
            if err.status != 404:
                raise
        return Applied()

    def _pair(self, op: Enroll | Unenroll) -> tuple[RemoteId, RemoteId]:
        return self._refs.user(op.employee_id), self.course(op.course_code)

    def course(self, code: CourseCode) -> RemoteId:
        """The Litmos id of a course: as mapped in the target's `courses`, else as linked."""
        configured = self._settings.courses.get(code)
        return RemoteId(configured) if configured else self._refs.course(code)


@dataclass(frozen=True, slots=True)
class WriteSettings:
    """What a target's config says about its writes."""

    courses: Mapping[str, str] = field(default_factory=dict)  # course code -> Litmos id
    new_account: mapping.NewAccount = field(default_factory=mapping.NewAccount)

    @property
    def sendmessage(self) -> str:
        """Litmos's email switch as the target's `notify` sets it."""
        return "true" if self.new_account.notify else "false"

    @property
    def assign_query(self) -> Params:
        """A course email per course assigned only where the target lets Litmos email."""
        return {"sendmessage": self.sendmessage}

    @property
    def create_query(self) -> Params:
        """The login email of a create (`POST /users`, an import) only where the target lets
        Litmos email; first login skipped as the target says. Litmos takes that from the
        query: the captured create sent `SkipFirstLogin: true` in its body and got false."""
        skip = "true" if self.new_account.skip_first_login else "false"
        return {"sendmessage": self.sendmessage, "skipfirstlogin": skip}


def _create(send: Callable[[], Any], find: Callable[[], RemoteId | None]) -> Outcome:
    """Create, adopting what already exists when Litmos refused it as taken (409) or the
    answer was lost (a resend would make a second one); else the error stands."""
    try:
        return Applied(mapping.created_id(send()))
    except (OutcomeUnknownError, RequestRefusedError) as err:
        taken = isinstance(err, OutcomeUnknownError) or err.status == TAKEN
        found = find() if taken else None
        if found is None:
            raise
        return Applied(found)
