"""The Dokeos connector: users, flat groups, trainings and participations over API V2.

`DokeosConnector` reads a platform into records (`fetch`, streamed page by page), carries
out batches of one operation kind (`apply`, one request at a time) and looks at Dokeos's
asynchronous jobs (`poll_job`). The wire is docs/lms/dokeos.md; `client.py` speaks HTTP,
`mapping.py` JSON, `writes.py` calls.

Decisions:
- Every request carries `Accept: application/vnd.dokeos+json;version=2` and
  `Authorization: Bearer <api_token>`; the token is registered with `syncd.redact`.
  401 is a FatalError (a static token cannot be renewed); 406 and 410 (API version
  refused or withdrawn) are FatalErrors with Dokeos's words.
- Reads: users, groups, trainings and participations, `per_page` from the target's
  `page_size`, in Dokeos's ascending-id order. Only the participations walk asks for a
  `response_attributes`: `progressions`, which Dokeos leaves out by default, on the same
  pages (no extra request).
- Every participation carries its `Progress`, so read back takes learners' results from
  `fetch` (Dokeos lists no results-changed-since): `enrolled_at` is `created_at`;
  `completed_at` and `score` are the participation's own, or where null, follow from its
  progressions (the last module's completion on a completed participation; the mean of
  the scored modules); times are aware UTC, missing or unreadable values None;
  `raw_status` is the status text as Dokeos sent it. The status maps as before:
  not_started -> enrolled, in_progress, completed, failed; anything else in_progress.
- Groups are flat. A group coded `org_unit:<CODE>` is that org unit, `group:<code>` that
  config group; a group with no such code is a config group without a code (adoptable by
  name). Learners and managers are memberships with those roles (a person's HR manager
  manages the person's org-unit group). MoveGroup is not supported.
- Users: the engine adopts accounts by `external_id`, then username, then email
  (`natural_keys`); a create sends `external_id` = the employee id. A create refused as
  taken (422) or whose answer was lost looks the account up by external id, then username,
  and adopts it; none found: Rejected with Dokeos's words (a lost answer with nothing
  found stays a RetriableError). A group create does the same by its code. An update sends
  username, email, firstname and lastname; (de)activation only `active`. Every user op is
  one request. Deleting what is already gone (404) is done.
- Asynchronous calls answer Pending(job_id): user deletion (`DELETE /user/:id`), learners
  and managers (one `PUT /groups/:id` per group per batch, one job for all its operations:
  `add_learner_ids`, `remove_manager_ids`, ... together; the engine packs a group's
  additions and removals of both roles into one batch, `edits_group_members`), and
  participations (one `POST` per enrollment, one `DELETE` per participation). Unenroll
  finds participation ids with `GET /participations` filters of at most 5 user ids and
  5 training ids each; a pair with no participation is Applied (already gone).
  Enrolling is resent after a lost answer (Dokeos makes no second participation).
- A course code mapped in the target's `courses` table wins over the engine's link.
- `poll_job`: queued/running -> PENDING, done -> DONE, failed -> FAILED with Dokeos's
  `error`, 404 and 410 -> GONE (Dokeos keeps a job id one week: `job_lifetime`; the engine
  also expires a job still pending at the end of it). 403 on a job refuses that job only
  (a SkippableError the poller records on it; 401 stays fatal). An undocumented status
  (`cancelled`...) is logged (`job_status_undocumented`) and stays PENDING until expiry.
  `Adopt` is the engine's: answered Applied, never sent.
- Side effects: none declared (`NO_SIDE_EFFECTS`). Dokeos's announcement, the only public
  source, names no email on any write, no switch to stop one, no licence seat and no
  deleted results; syncd claims nothing no source states, so `notify` changes no request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import ClassVar, assert_never

import structlog

from syncd.config import TargetBase
from syncd.connectors.base import (
    NOTHING_LINKED,
    Capabilities,
    Connector,
    ConnectorContext,
    JobState,
    JobStatus,
    Linked,
    RemoteRefs,
    SideEffects,
)
from syncd.connectors.client import check_access
from syncd.connectors.dokeos import mapping
from syncd.connectors.dokeos.client import (
    GROUPS,
    PARTICIPATIONS,
    TRAININGS,
    USERS,
    DokeosClient,
)
from syncd.connectors.dokeos.settings import DokeosTarget
from syncd.connectors.dokeos.writes import Writer, member_edits
from syncd.connectors.http import HttpStats, RequestRefusedError
from syncd.connectors.outcomes import ClientSettings, adopted, one_by_one, same_kind
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
from syncd.records import FetchItem, MemberRole, PartRead, RemotePart
from syncd.redact import register

__all__ = ["DokeosConnector", "capabilities", "factory"]

log = structlog.get_logger()

JOB_LIFETIME = dt.timedelta(days=7)
JOB_GONE = frozenset({404, 410})  # on `GET /jobs/:id`: the job id is no longer known
# Dokeos leaves a participation's per-module progress out unless asked for (the seed).
WITH_PROGRESSIONS = {"response_attributes": "progressions"}
BATCHED = (
    OpKind.CREATE_USER,
    OpKind.UPDATE_USER,
    OpKind.DEACTIVATE_USER,
    OpKind.REACTIVATE_USER,
    OpKind.DELETE_USER,
    OpKind.ADD_MEMBER,
    OpKind.REMOVE_MEMBER,
    OpKind.ENROLL,
    OpKind.UNENROLL,
)


# What Dokeos does on its own when syncd writes, as far as any source says: nothing
# (docs/lms/dokeos.md, "Side effects"); whatever `notify` says, the plan lists none.
NO_SIDE_EFFECTS = SideEffects()


def capabilities(target: DokeosTarget) -> Capabilities:
    """Batches of `batch_size` for user, learner and participation ops (one request per
    group for learners, one per operation otherwise); one at a time for group ops."""
    return Capabilities(
        batch_sizes=dict.fromkeys(BATCHED, max(1, target.batch_size)),
        supports=frozenset(OpKind) - {OpKind.MOVE_GROUP},
        natural_keys=("external_id", "username", "email"),
        groups_have_codes=True,
        member_roles=frozenset(MemberRole),
        nested_groups=False,
        job_lifetime=JOB_LIFETIME,
        edits_group_members=True,
        side_effects=NO_SIDE_EFFECTS,
    )


def _write(writer: Writer, batch: Sequence[Operation]) -> list[Outcome]:  # noqa: PLR0912 - one case per operation kind
    """The batch, of one kind, through the Writer method that sends that kind's requests."""
    first = batch[0]
    match first:
        case Adopt():
            return adopted(same_kind(batch, first))
        case CreateUser():
            return one_by_one(same_kind(batch, first), writer.create_user)
        case UpdateUser():
            return one_by_one(same_kind(batch, first), writer.update_user)
        case DeactivateUser():
            return one_by_one(same_kind(batch, first), writer.deactivate_user)
        case ReactivateUser():
            return one_by_one(same_kind(batch, first), writer.reactivate_user)
        case DeleteUser():
            return one_by_one(same_kind(batch, first), writer.delete_user)
        case CreateGroup():
            return one_by_one(same_kind(batch, first), writer.create_group)
        case UpdateGroup():
            return one_by_one(same_kind(batch, first), writer.rename_group)
        case MoveGroup():
            return one_by_one(same_kind(batch, first), writer.move_group)
        case DeleteGroup():
            return one_by_one(same_kind(batch, first), writer.delete_group)
        case AddMember() | RemoveMember():
            return writer.edit_members(member_edits(batch))
        case Enroll():
            return one_by_one(same_kind(batch, first), writer.enroll)
        case Unenroll():
            return writer.unenroll(same_kind(batch, first))
        case _:
            assert_never(first)


class DokeosConnector:
    """One Dokeos target: `fetch` reads it, `apply` writes to it, `poll_job` follows its jobs."""

    kind: ClassVar[str] = "dokeos"

    def __init__(self, target: DokeosTarget, ctx: ConnectorContext) -> None:
        register(*target.secret_values())
        self._target = target
        self._client = DokeosClient(ClientSettings.of(target, ctx), target.api_token)
        self.capabilities = capabilities(target)

    @property
    def stats(self) -> HttpStats:
        """Counters of the API calls, for benchmarks."""
        return self._client.stats

    def check(self) -> None:
        check_access(self._client, USERS, {"per_page": 1}, f"Dokeos target {self._target.name}")

    def close(self) -> None:
        self._client.close()

    # --- reads ---------------------------------------------------------------------------

    def fetch(self, linked: Linked = NOTHING_LINKED) -> Iterator[FetchItem]:
        yield from map(mapping.user, self._client.pages(USERS))
        yield PartRead(RemotePart.USERS)
        for item in self._client.pages(GROUPS):
            group = mapping.group(item)
            yield group
            yield from mapping.members(group, item)
        yield from (PartRead(RemotePart.GROUPS), PartRead(RemotePart.MEMBERSHIPS))
        yield from map(mapping.course, self._client.pages(TRAININGS))
        yield PartRead(RemotePart.COURSES)
        participations = self._client.pages(PARTICIPATIONS, WITH_PROGRESSIONS)
        yield from map(mapping.enrollment, participations)
        yield PartRead(RemotePart.ENROLLMENTS)

    def poll_job(self, job_id: str) -> JobState:
        try:
            body = self._client.job(job_id)
        except RequestRefusedError as err:
            if err.status in JOB_GONE:
                return JobState(JobStatus.GONE)
            raise
        undocumented = mapping.undocumented_job_status(body)
        if undocumented is not None:
            log.warning("job_status_undocumented", job_id=job_id, status=undocumented)
        return mapping.job_state(body)

    # --- writes --------------------------------------------------------------------------

    def apply(self, batch: Sequence[Operation], refs: RemoteRefs) -> list[Outcome]:
        if not batch:
            return []
        return _write(Writer(self._client, refs, self._target.courses), batch)


def factory(target: TargetBase, ctx: ConnectorContext) -> Connector:
    """The registry's entry for kind "dokeos"."""
    if not isinstance(target, DokeosTarget):
        raise ConfigError(f"target {target.name}: kind {target.kind!r} is not dokeos")
    return DokeosConnector(target, ctx)
