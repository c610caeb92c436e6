"""The Coursepath connector: members, groups by name, courses and results over `/api/v1/`.

`CoursepathConnector` reads an academy into records (`fetch`, streamed page by page) and
carries out batches of one operation kind (`apply`, one request at a time; Coursepath
answers every call at once, so there are no jobs). The wire is docs/lms/coursepath.md;
`client.py` speaks HTTP, `mapping.py` JSON, `writes.py` calls.

Decisions:
- Every request carries a fresh HS256 JWT minted with PyJWT (`email` = the target's
  `acting_email`, `iat` from the injected clock, `jti` = a random uuid4 hex) as
  `Authorization: Bearer`: tokens are single use and expire after ~2 minutes. The
  `jwt_secret` is registered with `syncd.redact`; tokens are not (one registration per
  request would grow the process-wide registry without bound) and never reach logs or
  errors. A 401 is retried once with a new token, then is a FatalError. An `http://`
  base URL is a ConfigError unless its host is loopback (the config checks it too).
- Reads, `limit` = the target's `page_size`, paging until a page is short: members; then
  groups: `GET /groups`, then `GET /groups/{id}/members` per group (1 + ceil(groups/limit)
  + one walk per group: cheaper than one `GET /members/{id}/groups` per member, as groups
  are fewer than members); then courses, each course's members, and one
  `GET .../coursemember` per enrollment for its result (Coursepath has no bulk result
  read): a date -> COMPLETED (FAILED when `success` is false), a score or verdict without
  one -> IN_PROGRESS, nothing -> ENROLLED. Programs have no list endpoint: not read.
- Each enrollment carries its `Progress`, from that same coursemember (no other request):
  `enrolledDate` and `completedDate` as aware UTC (missing or unreadable -> None), the
  score as a float, and `raw_status` = Coursepath's verdict in its words: "success=true",
  "success=false", or "" while it has none. The certificate URL is not carried.
- Members are adopted by external id, then email (`natural_keys`); the username is the
  email. A create sends email, name, `externalId` = the employee id and the person's
  `company`/`department`/`country` attributes where known. It carries the person's first
  enrollment (`create_carries`): `POST /courses/{c}/members` (or `/programs/{p}/members`)
  creates and enrolls in one call; with none, `POST /members`. A 409 (email taken) or a
  lost answer looks the member up by email, then externalId, and adopts it (and enrolls
  her with the coursemember call, safe to repeat); none found, the error stands, for the
  carried enrollment too. An update sends email, name and those attributes
  (`POST /members/{id}`).
- Deactivate/Reactivate send the simulator's decided `{"active": false|true}`. Coursepath
  documents no such field: a real academy may ignore it, so treat deactivation on
  Coursepath as unconfirmed until checked against a tenant.
- Groups are flat and have names only, so org units and config groups both become
  Coursepath groups by name (`groups_have_codes=False`). Each group is fetched under both
  kinds, and the engine adopts it by name for whichever kind names it. Risk: an org unit
  and a config group with the same name share one Coursepath group, and the membership
  of either writes to it (a removal planned for one kind can undo the other's add, which
  the next cycle re-adds). syncd cannot tell them apart on the wire: give them distinct
  names. CreateGroup: the acting member joins each new name of the batch (Coursepath
  creates the group), then leaves them all in one request (a refused leave is logged, the
  creations stand); the groups stay, empty. Rename, move and delete have no API: not
  supported. Members are learners only. Group names and the acting member's id are taken
  from the cycle's read (`academy.py`), not asked again. Removals are packed by member
  (`removes_across_groups`: batches of up to 1,000, in person order): one
  `DELETE /members/{m}/groups` with every name she leaves; a 404 (not in one of them:
  Coursepath then removes none) sends the names one by one, where a 404 is done.
- Enroll: `POST .../coursemember` (already enrolled is 200: safe to resend). A course code
  whose `courses` value is `program:<id>` names a Coursepath program
  (`.../programmember`); another `courses` value is a course id; else the engine's link.
- Unenroll deletes the learner's results in Coursepath. Without `allow_result_deletion`
  UNENROLL is not in `supports`, so the engine never plans it; with it, Unenroll is
  `DELETE .../coursemember` (or programmember), and not enrolled (404) is done.
- Invitations: with `send_invitations` (which needs `notify`), a member this connector
  created (201) gets `POST /members/{id}/invite` at once; a refused invitation is logged as
  a warning and the creation stays Applied (the member exists; the engine must not create
  her again). A member adopted after a 409 or a lost answer is not invited. The invitation
  only emails (seed 003): the member is in the academy and her courses without it, so with
  `notify = false` it is never sent. `Adopt` is the engine's: answered Applied, never sent.
- Side effects (`capabilities.side_effects`): a CreateUser sends one welcome email when
  invitations are on; an Unenroll deletes the learner's results (allowed only with
  `allow_result_deletion`), which no switch stops. No source names another email, nor a seat.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar, assert_never

from syncd.config import TargetBase
from syncd.connectors.base import (
    NOTHING_LINKED,
    Capabilities,
    Connector,
    ConnectorContext,
    CreateCarries,
    Effect,
    Linked,
    RemoteRefs,
    SideEffects,
)
from syncd.connectors.client import check_access
from syncd.connectors.coursepath import mapping
from syncd.connectors.coursepath.academy import Academy
from syncd.connectors.coursepath.client import COURSES, GROUPS, MEMBERS, CoursepathClient
from syncd.connectors.coursepath.settings import CoursepathTarget
from syncd.connectors.coursepath.writes import Writer
from syncd.connectors.http import HttpStats
from syncd.connectors.outcomes import (
    ClientSettings,
    adopted,
    carried_batch,
    one_by_one,
    refused,
    same_kind,
)
from syncd.errors import ConfigError
from syncd.operations import (
    AddMember,
    Adopt,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    DeleteUser,
    Enroll,
    MoveGroup,
    Operation,
    OpKind,
    Outcome,
    ReactivateUser,
    RemoveMember,
    Unenroll,
    UpdateGroup,
    UpdateUser,
)
from syncd.records import FetchItem, MemberRole, PartRead, RemotePart, RemoteRecord
from syncd.redact import register

__all__ = ["CoursepathConnector", "capabilities", "factory", "side_effects"]

NO_API = frozenset(
    {OpKind.DELETE_USER, OpKind.UPDATE_GROUP, OpKind.MOVE_GROUP, OpKind.DELETE_GROUP}
)
UNSUPPORTED = "Coursepath has no API for this"
RESULTS_KEPT = "unenrolling deletes results in Coursepath; allow_result_deletion is off"
CARRIES = CreateCarries(enrollments=1)  # POST /courses/{c}/members creates and enrolls
REMOVALS = 1000  # group removals a batch, packed into one DELETE per member
NEW_GROUPS = 100  # groups made a batch: the acting member joins each, then leaves all at once


def capabilities(target: CoursepathTarget) -> Capabilities:
    """One operation per request, but a create carries the first enrollment and a member's
    group removals go in one request; UNENROLL only when the target allows result deletion."""
    unsupported = NO_API | (frozenset() if target.allow_result_deletion else {OpKind.UNENROLL})
    return Capabilities(
        supports=frozenset(OpKind) - unsupported,
        natural_keys=("external_id", "email"),
        groups_have_codes=False,
        nested_groups=False,
        member_roles=frozenset({MemberRole.LEARNER}),
        create_carries=CARRIES,
        batch_sizes={OpKind.CREATE_GROUP: NEW_GROUPS, OpKind.REMOVE_MEMBER: REMOVALS},
        removes_across_groups=True,
        side_effects=side_effects(target),
    )


def invites(target: CoursepathTarget) -> bool:
    """Whether members syncd creates get Coursepath's invitation email: asked for, and
    emails allowed (the invitation does nothing else)."""
    return target.send_invitations and target.notify


def side_effects(target: CoursepathTarget) -> SideEffects:
    """Seed 003: each invitation is an email ("Invite members"), and removing a learner from
    a course "also deletes all learning results of that member!", whatever syncd sends:
    that one no switch stops. A program's removal is counted too (an Unenroll does not say
    which it is), though the seed warns of deleted results for courses only."""
    per_kind: dict[OpKind, dict[Effect, int]] = {}
    if invites(target):
        per_kind[OpKind.CREATE_USER] = {Effect.WELCOME_EMAIL: 1}
    if target.allow_result_deletion:
        per_kind[OpKind.UNENROLL] = {Effect.RESULTS_DELETED: 1}
    return SideEffects(per_kind, unswitchable=frozenset({Effect.RESULTS_DELETED}))


def _write(writer: Writer, batch: Sequence[Operation], *, results_deletable: bool) -> list[Outcome]:
    """The batch, of one kind, through the Writer method that sends that kind's requests."""
    first = batch[0]
    match first:
        case Adopt():
            return adopted(same_kind(batch, first))
        case CreateUser():
            creates, riders = carried_batch(batch, CARRIES)
            return writer.create_users(creates, [r for r in riders if isinstance(r, Enroll)])
        case UpdateUser():
            return one_by_one(same_kind(batch, first), writer.update_user)
        case DeactivateUser():
            return one_by_one(same_kind(batch, first), writer.deactivate_user)
        case ReactivateUser():
            return one_by_one(same_kind(batch, first), writer.reactivate_user)
        case CreateGroup():
            return writer.create_groups(same_kind(batch, first))
        case AddMember():
            return one_by_one(same_kind(batch, first), writer.add_member)
        case RemoveMember():
            return writer.remove_members(same_kind(batch, first))
        case Enroll():
            return one_by_one(same_kind(batch, first), writer.enroll)
        case Unenroll():
            return _unenroll(writer, same_kind(batch, first), allowed=results_deletable)
        case DeleteUser() | UpdateGroup() | MoveGroup() | DeleteGroup():
            return refused(same_kind(batch, first), UNSUPPORTED)
        case _:
            assert_never(first)


def _unenroll(writer: Writer, ops: Sequence[Unenroll], *, allowed: bool) -> list[Outcome]:
    """Never without the opt-in: DELETE coursemember deletes the learner's results."""
    if not allowed:
        return refused(ops, RESULTS_KEPT)
    return one_by_one(ops, writer.unenroll)


class CoursepathConnector:
    """One Coursepath academy: `fetch` reads it, `apply` writes to it."""

    kind: ClassVar[str] = "coursepath"

    def __init__(self, target: CoursepathTarget, ctx: ConnectorContext) -> None:
        register(*target.secret_values())
        self._target = target
        settings = ClientSettings.of(target, ctx)
        self._client = CoursepathClient(settings, target.jwt_secret, target.acting_email)
        self._academy = Academy(target.acting_email)
        self.capabilities = capabilities(target)

    @property
    def stats(self) -> HttpStats:
        """Counters of the API calls, for benchmarks."""
        return self._client.stats

    def check(self) -> None:
        check_access(self._client, f"{MEMBERS}/me", None, f"Coursepath target {self._target.name}")

    def close(self) -> None:
        self._client.close()

    # --- reads ---------------------------------------------------------------------------

    def fetch(self, linked: Linked = NOTHING_LINKED) -> Iterator[FetchItem]:
        for member in self._client.pages(MEMBERS):
            self._academy.saw_member(member)
            yield mapping.user(member)
        yield PartRead(RemotePart.USERS)
        for item in self._client.pages(GROUPS):
            self._academy.saw_group(item)
            yield from mapping.groups(item)
            group_id = mapping.remote_id(item.get("id"))
            for member in self._client.pages(f"{GROUPS}/{group_id}/members"):
                yield from mapping.members(group_id, member)
        yield from (PartRead(RemotePart.GROUPS), PartRead(RemotePart.MEMBERSHIPS))
        for item in self._client.pages(COURSES):
            course = mapping.course(item)
            yield course
            yield from self._enrollments(course.remote_id)
        yield from (PartRead(RemotePart.COURSES), PartRead(RemotePart.ENROLLMENTS))

    def _enrollments(self, course_id: str) -> Iterator[RemoteRecord]:
        for member in self._client.pages(f"{COURSES}/{course_id}/members"):
            member_id = mapping.remote_id(member.get("id"))
            path = f"{COURSES}/{course_id}/members/{member_id}/coursemember"
            result = self._client.get(path)
            course = mapping.remote_id(course_id)
            yield mapping.enrollment(course, member_id, result if isinstance(result, dict) else {})

    # --- writes --------------------------------------------------------------------------

    def apply(self, batch: Sequence[Operation], refs: RemoteRefs) -> list[Outcome]:
        if not batch:
            return []
        target = self._target
        writer = Writer(
            self._client,
            refs,
            target.courses,
            self._academy,
            send_invitations=invites(target),
        )
        return _write(writer, batch, results_deletable=target.allow_result_deletion)


def factory(target: TargetBase, ctx: ConnectorContext) -> Connector:
    """The registry's entry for kind "coursepath"."""
    if not isinstance(target, CoursepathTarget):
        raise ConfigError(f"target {target.name}: kind {target.kind!r} is not coursepath")
    return CoursepathConnector(target, ctx)
