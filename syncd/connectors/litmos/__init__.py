"""The Litmos connector: users, teams and sub-teams, courses and assignments over /v1.svc.

`LitmosConnector` reads an account into records (`fetch`, streamed page by page) and
carries out batches of one operation kind (`apply`). The wire is docs/lms/litmos.md;
`client.py` speaks HTTP, `limiter.py` keeps the rate, `mapping.py` JSON, `writes.py` calls.

Decisions:
- Every call carries `source=<source>` and `format=json` in the query. The api key rides
  in the `apikey` header (never in a URL) or, with `apikey_in = "query"`, in the query;
  it is registered with `syncd.redact`, and the HttpClient logs and reports paths only.
  401 and 403 are FatalErrors.
- Rate: a client-side rolling window lets at most `requests_per_minute` requests leave in
  any 60 s of the injected clock (retries included), so normal operation never meets the
  limit. A 503 "The API rating limit has been exceeded" is waited out (sleep until the
  oldest request in the window is 60 s old) and sent again, up to `max_attempts` times.
- Reads: users (`start`/`limit` pages of `page_size`, until an empty page), teams (the
  list, then `GET /teams/{id}` each for its Description, then `GET /teams/{id}/users`:
  learners, active members only, as Litmos lists them), courses, and every assignment
  from one walk of `GET /results/details?since=2000-01-01` (one record per user and
  course: cheaper under the rate limit than `GET /users/{id}/courses` per user).
  Complete -> COMPLETED, 0 % -> ENROLLED, more -> IN_PROGRESS, unreadable -> IN_PROGRESS.
  `fetch` stays a full walk of every assignment on purpose: the diff needs every one each
  cycle (an assignment missing from the shadow would be enrolled again), and this feed is
  the cheapest full read under the 100-a-minute limit. Each enrollment carries its
  `Progress`: CompletedDate, and raw status "Complete" or the percentage ("42%"); no
  assignment date (the feed has none) and no score (the feed has none either).
- Read back (`ReadsBack`): one walk of `GET /achievements?since=<yyyy-MM-dd HH:mm:ss UTC>`
  (`since` None: SINCE_EVER), the completion records, which are where Litmos keeps
  scores and completion dates. Each is a COMPLETED enrollment with Progress(completed_at
  = AchievementDate, score = Score, raw_status = Result), oldest first, so a retake read
  later supersedes an earlier one. Incremental, because a completion is an event that
  never changes once recorded: after the first cycle the engine asks only since its
  watermark (less its overlap), which in steady state is one page of results plus the
  empty page that ends the walk (one request when nothing was completed), instead of a
  second full walk of every assignment under the rate limit.
- Teams: `TeamCodeForBulkImport` cannot be set through the API, so the HR group rides in
  the team's `Description`: `org_unit:<CODE>` or `group:<code>`; a team with neither is a
  config group without a code (adoptable by name). Org units are teams and sub-teams
  (`ParentTeamId`): a child org unit is created with `POST /teams/{parentId}/teams`.
  Litmos has no team rename, move or delete: UpdateGroup, MoveGroup and DeleteGroup are
  not supported. A team create refused as taken (409) adopts the team of that name.
- Users: natural keys are username then email (Litmos has no employee-id field the API
  keeps). A create refused with 409 "UserName already exists" (or whose answer was lost)
  looks the user up with `search=<username>` and adopts it (Applied with its Id). An
  update PUTs `Id`, UserName, FirstName, LastName and Email; (de)activation a PUT with
  `Active`; DeleteUser `DELETE /users/{id}`. 404 on an unknown id: Rejected.
- AddMember: one `POST /teams/{id}/users` per team with every user of the batch (up to
  1000) for it;
  RemoveMember, Enroll and Unenroll one call per operation. A course code mapped in the
  target's `courses` table wins over the engine's link. `Adopt` is answered Applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import ClassVar

from syncd.config import LitmosTarget, TargetConfig
from syncd.connectors.base import Capabilities, Connector, ConnectorContext, RemoteRefs
from syncd.connectors.http import HttpStats
from syncd.connectors.litmos import mapping
from syncd.connectors.litmos.client import (
    ACHIEVEMENTS,
    COURSES,
    RESULTS,
    TEAMS,
    USERS,
    LitmosClient,
)
from syncd.connectors.litmos.writes import Writer
from syncd.connectors.outcomes import ClientSettings, Handlers, dispatch, singly
from syncd.errors import ConfigError, FatalError, SkippableError
from syncd.operations import (
    AddMember,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteUser,
    Enroll,
    Operation,
    OpKind,
    Outcome,
    ReactivateUser,
    RemoveMember,
    Unenroll,
    UpdateUser,
)
from syncd.records import RemoteEnrollment, RemoteRecord
from syncd.redact import register

__all__ = ["LitmosConnector", "capabilities", "factory"]

SINCE_EVER = "2000-01-01"
MEMBER_BATCH = 1000
UNSUPPORTED = frozenset({OpKind.UPDATE_GROUP, OpKind.MOVE_GROUP, OpKind.DELETE_GROUP})
NO_TEAM_EDITS = "the Litmos API cannot rename, move or delete a team"


def capabilities(_: LitmosTarget) -> Capabilities:
    """AddMember in batches of 1000 (one request per team: the API takes an array of any
    length); everything else one at a time."""
    return Capabilities(
        batch_sizes={OpKind.ADD_MEMBER: MEMBER_BATCH},
        supports=frozenset(OpKind) - UNSUPPORTED,
        natural_keys=("username", "email"),
        groups_have_codes=True,
    )


class LitmosConnector:
    """One Litmos target: `fetch` reads it, `read_back` reads its completions since a
    moment (it is a `ReadsBack`), `apply` writes to it."""

    kind: ClassVar[str] = "litmos"

    def __init__(self, target: LitmosTarget, ctx: ConnectorContext) -> None:
        register(*target.secret_values())
        self._target = target
        self._client = LitmosClient(
            ClientSettings.of(target, ctx),
            target.api_key,
            source=target.source,
            key_in_query=target.apikey_in == "query",
            requests_per_minute=target.requests_per_minute,
        )
        self.capabilities = capabilities(target)

    @property
    def stats(self) -> HttpStats:
        """Counters of the API calls, for benchmarks."""
        return self._client.stats

    def check(self) -> None:
        try:
            self._client.get(USERS, {"limit": 1})
        except SkippableError as err:
            raise FatalError(f"Litmos target {self._target.name}: {err}") from err

    def close(self) -> None:
        self._client.close()

    # --- reads ---------------------------------------------------------------------------

    def fetch(self) -> Iterator[RemoteRecord]:
        yield from map(mapping.user, self._client.pages(USERS))
        for item in list(self._client.pages(TEAMS)):
            team = mapping.group(self._client.get(f"{TEAMS}/{mapping.remote_id(item.get('Id'))}"))
            yield team
            for member in self._client.pages(f"{TEAMS}/{team.remote_id}/users"):
                yield mapping.member(team, member)
        yield from map(mapping.course, self._client.pages(COURSES))
        yield from map(mapping.enrollment, self._client.pages(RESULTS, {"since": SINCE_EVER}))

    def read_back(self, since: dt.datetime | None) -> Iterator[RemoteEnrollment]:
        """Every course completed at or after `since` (None: ever), with its date, score and
        result, from one walk of `/achievements`; `since` is sent to the second, rounded
        down, so a completion dated exactly `since` is included."""
        moment = SINCE_EVER if since is None else mapping.since_text(since)
        for item in self._client.pages(ACHIEVEMENTS, {"since": moment}):
            completed = mapping.achievement(item)
            if completed is not None:
                yield completed

    # --- writes --------------------------------------------------------------------------

    def apply(self, batch: Sequence[Operation], refs: RemoteRefs) -> list[Outcome]:
        writer = Writer(self._client, refs, self._target.courses)
        handlers: Handlers = {
            CreateUser: singly(writer.create_user),
            UpdateUser: singly(writer.update_user),
            DeactivateUser: singly(writer.deactivate_user),
            ReactivateUser: singly(writer.reactivate_user),
            DeleteUser: singly(writer.delete_user),
            CreateGroup: singly(writer.create_group),
            AddMember: writer.add_members,
            RemoveMember: writer.remove_members,
            Enroll: singly(writer.enroll),
            Unenroll: singly(writer.unenroll),
        }
        return dispatch(batch, handlers, NO_TEAM_EDITS)


def factory(target: TargetConfig, ctx: ConnectorContext) -> Connector:
    """The registry's entry for kind "litmos"."""
    if not isinstance(target, LitmosTarget):
        raise ConfigError(f"target {target.name}: kind {target.kind!r} is not litmos")
    return LitmosConnector(target, ctx)
