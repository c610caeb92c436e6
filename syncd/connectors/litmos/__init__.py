"""The Litmos connector: users, teams and sub-teams, courses and assignments over /v1.svc.

`LitmosConnector` reads an account into records (`fetch`, streamed page by page) and
carries out batches of one operation kind (`apply`). The wire is docs/lms/litmos.md;
`client.py` speaks HTTP, `limiter.py` keeps the rate, `mapping.py` JSON, `writes.py` calls.

Every wire fact below, with its source and the test that pins it: docs/lms/litmos.md.

Decisions:
- Every call carries `source=<source>` (at most 50 characters, checked with the config)
  and `format=json` in the query, and `Content-Type: application/json`. The api key rides
  in the `apikey` header (never in a URL) or, with `apikey_in = "query"`, in the query;
  it is registered with `syncd.redact`, and the HttpClient logs and reports paths only.
  401 and 403 are FatalErrors.
- Rate: a client-side rolling window lets at most `requests_per_minute` (default 95, a
  margin under Litmos's 100) requests leave in any 60 s of the injected clock (retries
  included), so normal operation never meets the limit. A 503 saying "rating limit" (the
  seed's or the spec's wording) is waited out and sent again, up to `max_attempts` times.
- Reads, each part followed by its `PartRead`: users (`start`/`limit` pages of 1000 until a
  page shorter than `limit`: Litmos pages by offset); teams: the list, then the tree learned
  by walking `GET /teams/{id}/teams` from every team listed (no captured team answer carries
  a parent field), then, for a team the engine does not link yet (`Linked`),
  `GET /teams/{id}` for its Description (the list items carry none; a linked team is
  yielded as its linked HR group with its list name), and `GET /teams/{id}/users` for each team's
  learners (active members only, as Litmos lists them); courses; and every assignment from
  one walk of `GET /results/details?since=2000-01-01&to=<end>` (one record per user and
  course: cheaper under the rate limit than `GET /users/{id}/courses` per user). The spec
  requires `to`; `<end>` is the walk's start rounded up to the next whole second, plus one
  second, so whatever Litmos's boundary rule (inclusive or not), no result that existed when
  the walk began is outside the window.
  Complete -> COMPLETED, 0 % -> ENROLLED, more -> IN_PROGRESS, unreadable -> IN_PROGRESS.
  Each enrollment carries its `Progress`: CompletedDate, and raw status "Complete" or the
  percentage ("42%"); no assignment date and no score (the feed has neither).
- Read back (`ReadsBack`): one walk of `GET /achievements?since=<yyyy-MM-dd HH:mm:ss UTC>`
  (`since` None: SINCE_EVER), the completion records, which are where Litmos keeps
  scores and completion dates. Each is a COMPLETED enrollment with Progress(completed_at
  = AchievementDate, score = Score, raw_status = Result), oldest first, so a retake read
  later supersedes an earlier one. Incremental: a completion never changes once recorded.
- Teams: `TeamCodeForBulkImport` cannot be set through the API, so the HR group rides in
  the team's `Description`: `org_unit:<CODE>` or `group:<code>`; a team with neither is a
  config group without a code (adoptable by name). A child org unit is created with
  `POST /teams/{parentId}/teams`. Litmos has no team rename, move or delete: UpdateGroup,
  MoveGroup and DeleteGroup are not supported. A team create refused as taken (409)
  adopts the team of that name.
- People as import rows (`user_rows`, where imports are on: `imports_on`): the engine hands
  over batches of people (user creates, updates, (de)activations, and everyone's learner
  teams, up to 5, and courses, up to 3); people.py puts each person in one row of a
  `/bulkimports` (imports.py): a new person's, or, only where the target sets
  `update_accounts_by_import`, an existing account's (found by Username: a username
  change, or an account the read did not see, goes by single calls). The row names only
  the fields syncd owns (Username, Email, FirstName, LastName, Active): no source says
  whether Litmos keeps or resets the fields an update row leaves out, so by default
  existing accounts change by read-modify-write only. The batch is
  an import when that saves at least `bulk_import_threshold` requests over single calls
  (people.py counts both); every operation then waits on the import, and the poll fails
  the operations of a refused row with Litmos's words, by username (`usererrors`).
- Users: natural keys are username then email (Litmos has no employee-id field the API
  keeps). A create sends every field the spec requires, in the captured order, with the
  target's access level, time zone and first-login setting. A create refused with 409
  "UserName already exists" (or whose answer was lost) looks the user up with
  `search=<username, at most 50 characters>` and adopts it. Updates and (de)activations
  are read-modify-write: `GET /users/{id}`, the fields syncd owns (UserName, FirstName,
  LastName, Email, Active) changed, the whole object `PUT` back less its read-only fields,
  nothing else touched. DeleteUser `DELETE /users/{id}`. 404 on an unknown id: Rejected.
- AddMember: one `POST /teams/{id}/users` per team with every user of the batch (up to
  1000) for it; Enroll one `POST /users/{id}/courses` per person with every course of the
  batch for them (batches are cut per person: `EnrollScope.PERSON`, up to 25 courses);
  RemoveMember and Unenroll one call per operation. Enroll sends
  `{"Course": [{"Id"}, ...]}`. A course code mapped in the target's `courses` table wins
  over the engine's link. `Adopt` is answered Applied.
- Emails (`notify`, every target's; `send_course_emails` is its deprecated spelling): off,
  every write that has Litmos's switch sends `sendmessage=false` (`POST /users`,
  `/bulkimports`, `POST /users/{id}/courses`, `POST /teams/{id}/users`) and a new account
  has `DisableMessages: true`; on, creates and imports send `sendmessage=true` (a login email
  per new account), course assignments too (a course email per course), a new account has
  `DisableMessages: false`, and team additions still send false (the login email goes once,
  with the create). `capabilities.side_effects` says so; every email has a switch.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any, ClassVar, assert_never

from syncd.config import TargetBase
from syncd.connectors.base import (
    NOTHING_LINKED,
    Capabilities,
    Connector,
    ConnectorContext,
    CreateCarries,
    Effect,
    EnrollScope,
    JobState,
    Linked,
    RemoteRefs,
    SideEffects,
)
from syncd.connectors.client import check_access
from syncd.connectors.http import HttpStats
from syncd.connectors.litmos import mapping, people
from syncd.connectors.litmos.client import (
    ACHIEVEMENTS,
    COURSES,
    RESULTS,
    TEAMS,
    USERS,
    LitmosClient,
)
from syncd.connectors.litmos.creates import indexed, one_by_one_people
from syncd.connectors.litmos.imports import BulkCodes, Carried, Importer
from syncd.connectors.litmos.polls import ImportPolls
from syncd.connectors.litmos.settings import LitmosTarget
from syncd.connectors.litmos.writes import Writer, WriteSettings
from syncd.connectors.outcomes import (
    ClientSettings,
    Outcomes,
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
from syncd.records import (
    FetchItem,
    GroupKind,
    PartRead,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemotePart,
    RemoteUser,
)
from syncd.redact import register

__all__ = ["LitmosConnector", "capabilities", "factory"]

SINCE_EVER = "2000-01-01"
MEMBER_BATCH = 1000
# Courses per `POST /users/{id}/courses`: the spec sets no limit on Body_6's list; syncd
# keeps to 25, the limit the spec gives the sibling `POST /users/{id}/teams` [decided].
COURSES_PER_PERSON = 25
CREATE_BATCH = 5000  # user creates a batch takes: imports of up to 2,000 KB carry them
# What an import row carries for its person (spec `UserImport`: Team1..Team5, Course1..3).
ROW_TEAMS, ROW_COURSES = 5, 3
TEAM_KINDS = frozenset({GroupKind.ORG_UNIT, GroupKind.GROUP})  # both are Litmos teams
DEFAULT_LEVEL, DEFAULT_ZONE = "Learner", "UTC"  # LitmosTarget's defaults
IMPORT_LIFETIME = dt.timedelta(days=1)  # [decided] no source says how long Litmos keeps one
UNSUPPORTED = frozenset({OpKind.UPDATE_GROUP, OpKind.MOVE_GROUP, OpKind.DELETE_GROUP})
NO_TEAM_EDITS = "the Litmos API cannot rename, move or delete a team"


def capabilities(target: LitmosTarget) -> Capabilities:
    """AddMember in batches of 1000 (one request per team: the API takes an array of any
    length); Enroll per person, up to 25 courses a request; everything else one at a time.
    Where the target lets Litmos email (`notify`), a create and an Enroll each send one."""
    return Capabilities(
        batch_sizes={
            OpKind.ADD_MEMBER: MEMBER_BATCH,
            OpKind.ENROLL: COURSES_PER_PERSON,
            OpKind.CREATE_USER: CREATE_BATCH,
        },
        enroll_scope=EnrollScope.PERSON,
        create_carries=_carries(target),
        user_rows=imports_on(target),
        job_lifetime=IMPORT_LIFETIME,
        supports=frozenset(OpKind) - UNSUPPORTED,
        natural_keys=("username", "email"),
        groups_have_codes=True,
        side_effects=_side_effects(target),
    )


def _side_effects(target: LitmosTarget) -> SideEffects:
    """What Litmos does on its own, as `notify` sets its switch (`sendmessage`, on every
    write that has it): on, a new account gets a login email (spec `CreateUser`,
    `BulkImportUsers`: "send login emails to new users") and a course assignment a course
    email per course (spec `AssignCoursestoUser`: "By default, emails will be sent"); off,
    nothing. No source says Litmos takes a seat or deletes results on any write syncd
    makes; every email has a switch, so nothing is unswitchable."""
    if target.notify:
        return SideEffects(
            {
                OpKind.CREATE_USER: {Effect.WELCOME_EMAIL: 1},
                OpKind.ENROLL: {Effect.ASSIGNMENT_EMAIL: 1},
            }
        )
    return SideEffects()


def imports_on(target: LitmosTarget) -> bool:
    """Whether people may be written by import rows: a threshold is set and the target
    keeps the default account settings (an import row has no TimeZone, and its AccessLevel
    is a number no source maps to Litmos's names: an imported account gets Litmos's
    defaults)."""
    defaults = (target.access_level, target.time_zone) == (DEFAULT_LEVEL, DEFAULT_ZONE)
    return bool(target.bulk_import_threshold) and defaults


def _carries(target: LitmosTarget) -> CreateCarries:
    """What a create carries where imports are on: the person's teams and courses (an
    import's one `sendmessage` switches its login and course emails alike, as `notify`
    switches the single calls' both)."""
    if not imports_on(target):
        return CreateCarries()
    return CreateCarries(member_kinds=TEAM_KINDS, members=ROW_TEAMS, enrollments=ROW_COURSES)


def _write(writer: Writer, batch: Sequence[Operation]) -> list[Outcome]:  # noqa: PLR0912 - one case per operation kind
    """The batch, of one kind, through the Writer method that sends that kind's requests."""
    first = batch[0]
    match first:
        case Adopt():
            return adopted(same_kind(batch, first))
        case CreateUser():
            raise AssertionError("user creates go through LitmosConnector._people")
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
        case UpdateGroup() | MoveGroup() | DeleteGroup():
            return refused(same_kind(batch, first), NO_TEAM_EDITS)
        case AddMember():
            return writer.add_members(same_kind(batch, first))
        case RemoveMember():
            return writer.remove_members(same_kind(batch, first))
        case Enroll():
            return writer.enroll(same_kind(batch, first))
        case Unenroll():
            return one_by_one(same_kind(batch, first), writer.unenroll)
        case _:
            assert_never(first)


class LitmosConnector:
    """One Litmos target: `fetch` reads it, `read_back` reads its completions since a
    moment (it is a `ReadsBack`), `apply` writes to it."""

    kind: ClassVar[str] = "litmos"

    def __init__(self, target: LitmosTarget, ctx: ConnectorContext) -> None:
        register(*target.secret_values())
        self._target = target
        settings = ClientSettings.of(target, ctx)
        self._clock = settings.clock
        self._client = LitmosClient(
            settings,
            target.api_key,
            source=target.source,
            key_in_query=target.apikey_in == "query",
            requests_per_minute=target.requests_per_minute,
        )
        self.capabilities = capabilities(target)
        self._codes = BulkCodes()
        self._polls = ImportPolls(self._client)
        self._accounts: dict[RemoteId, RemoteUser] = {}  # as the last read saw them

    @property
    def stats(self) -> HttpStats:
        """Counters of the API calls, for benchmarks."""
        return self._client.stats

    def check(self) -> None:
        check_access(self._client, USERS, {"limit": 1}, f"Litmos target {self._target.name}")

    def close(self) -> None:
        self._client.close()

    # --- reads ---------------------------------------------------------------------------

    def fetch(self, linked: Linked = NOTHING_LINKED) -> Iterator[FetchItem]:
        self._accounts = {}
        yield from map(self._account, self._client.pages(USERS))
        yield PartRead(RemotePart.USERS)
        yield from self._teams(linked)
        yield PartRead(RemotePart.GROUPS)
        yield PartRead(RemotePart.MEMBERSHIPS)
        yield from map(self._course, self._client.pages(COURSES))
        yield PartRead(RemotePart.COURSES)
        results = {"since": SINCE_EVER, "to": self._window_end()}
        yield from map(mapping.enrollment, self._client.pages(RESULTS, results))
        yield PartRead(RemotePart.ENROLLMENTS)

    def _teams(self, linked: Linked) -> Iterator[RemoteGroup | RemoteMembership]:
        names: dict[RemoteId, str] = {}
        for team_id, parent in self._team_tree(names).items():
            team = self._team(team_id, parent, names, linked)
            yield team
            for member in self._client.pages(f"{TEAMS}/{team_id}/users"):
                yield mapping.member(team, member)

    def _team(
        self, team_id: RemoteId, parent: RemoteId | None, names: dict[RemoteId, str], linked: Linked
    ) -> RemoteGroup:
        """A team as the HR group it stands for: a linked one as its link says, with the
        name its list gave (no read); any other from `GET /teams/{id}`, whose Description
        says which HR group it is (the list items carry no Description)."""
        ref = linked.groups.get(team_id)
        if ref is None or team_id not in names:
            return mapping.group(self._client.get(f"{TEAMS}/{team_id}"), parent)
        return RemoteGroup(team_id, ref.kind, names[team_id], ref.code, parent)

    def _team_tree(self, names: dict[RemoteId, str]) -> dict[RemoteId, RemoteId | None]:
        """Every team, listed or below a listed one, with its parent: the team whose
        `GET /teams/{id}/teams` names it (None for a top team); each one's list name goes in
        `names`. Each team's sub-teams are asked once, so a tree that names a team twice
        cannot loop."""
        parents: dict[RemoteId, RemoteId | None] = {
            mapping.remote_id(item.get("Id")): None for item in self._listed(TEAMS, names)
        }
        walk = list(parents)
        for team_id in walk:
            for item in self._listed(f"{TEAMS}/{team_id}/teams", names):
                child = mapping.sub_team(item, team_id).remote_id
                if child not in parents:
                    walk.append(child)
                if parents.get(child) is None and child != team_id:
                    parents[child] = team_id
        return parents

    def _listed(self, path: str, names: dict[RemoteId, str]) -> Iterator[dict[str, Any]]:
        """A team list's items, their names and bulk-import codes learned on the way."""
        for item in self._client.pages(path):
            self._codes.learn_team(item)
            if isinstance(item.get("Id"), str) and item.get("Id"):
                names[RemoteId(item["Id"])] = mapping.text(item.get("Name"))
            yield item

    def _account(self, item: dict[str, Any]) -> RemoteUser:
        """A user read, kept for the rows of a batch of people (people.py)."""
        account = mapping.user(item)
        self._accounts[account.remote_id] = account
        return account

    def _course(self, item: dict[str, Any]) -> RemoteCourse:
        self._codes.learn_course(item)
        return mapping.course(item)

    def _window_end(self) -> str:
        """The `to` of the results walk: past the moment it starts (see the module notes)."""
        now = self._clock.now().astimezone(dt.UTC)
        after = math.floor(now.timestamp()) + 2
        return mapping.since_text(dt.datetime.fromtimestamp(after, dt.UTC))

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
        if not batch:
            return []
        if _of_people(batch, rows=self.capabilities.user_rows):
            return self._people(batch, refs)
        return _write(self._writer(refs), batch)

    def _people(self, batch: Sequence[Operation], refs: RemoteRefs) -> list[Outcome]:
        """A batch of people's operations: the rows people.py makes, as an import where it
        saves at least `bulk_import_threshold` requests, and the rest one by one (creates.py)."""
        outcomes = Outcomes(len(batch))
        rows = people.Sorted(single=list(range(len(batch))))
        if not self.capabilities.user_rows:
            carried_batch(batch, self.capabilities.create_carries)  # creates only: checked
        else:
            existing = self._target.update_accounts_by_import
            carries = self.capabilities.create_carries
            rows = people.sort(batch, refs, self._accounts, carries, existing=existing)
            saves = people.import_saves(batch, rows, self._walk_pages)
            if saves < self._target.bulk_import_threshold:
                rows = people.Sorted(single=list(range(len(batch))))
        if rows.rows:
            writer = self._writer(refs)
            where = partial(_place_of, refs, writer)
            query = self._write_settings().create_query
            importer = Importer(self._client, self._codes, where, query)
            jobs = importer.apply(outcomes, rows.rows, rows.riders)
            self._polls.sent(jobs, creating=any(row.new for row in rows.rows.values()))
        one_by_one_people(outcomes, indexed(batch, rows.single), refs, self._writer)
        return outcomes.done()

    def _walk_pages(self, new: int) -> int:
        """Pages of `GET /users` once `new` more accounts exist (a walk ends on a short page)."""
        return (len(self._accounts) + new) // self._target.page_size + 1

    def _writer(self, refs: RemoteRefs) -> Writer:
        return Writer(self._client, refs, self._write_settings())

    def poll_job(self, job_id: str) -> JobState:
        """One look at a user import (`GET /bulkimports/{id}`; its `usererrors` once it
        completed with failures; the accounts, one walk for every import completed before
        it: polls.py)."""
        return self._polls.poll(job_id)

    def _write_settings(self) -> WriteSettings:
        target = self._target
        account = mapping.NewAccount(
            target.access_level, target.time_zone, target.skip_first_login, target.notify
        )
        return WriteSettings(target.courses, account)


def _of_people(batch: Sequence[Operation], *, rows: bool) -> bool:
    """Whether the batch is people's (`_people`): user creates with what they carry; where
    users are written as rows, also any batch holding a user write, or memberships and
    enrollments together (a batch of only one of those goes as that kind always does)."""
    if isinstance(batch[0], CreateUser):
        return True
    kinds = {type(op) for op in batch}
    return rows and (bool(kinds & set(people.USER_WRITES)) or {AddMember, Enroll} <= kinds)


def _place_of(refs: RemoteRefs, writer: Writer, op: Carried) -> RemoteId:
    """The team or course a carried operation names (a course mapped in config wins)."""
    return refs.group(op.group) if isinstance(op, AddMember) else writer.course(op.course_code)


def factory(target: TargetBase, ctx: ConnectorContext) -> Connector:
    """The registry's entry for kind "litmos"."""
    if not isinstance(target, LitmosTarget):
        raise ConfigError(f"target {target.name}: kind {target.kind!r} is not litmos")
    return LitmosConnector(target, ctx)
