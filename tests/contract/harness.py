"""Harnesses of the connector contract: each wires one LMS's connector to its simulator.

The contract suite (test_connector_contract.py) speaks only the neutral verbs of `Harness`:
seed the LMS out of band, connect, inject faults, read the LMS's state back as `LmsState`.
A new LMS joins by adding one class implementing `Harness` and listing it in HARNESSES.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast

import httpx

from syncd.clock import FakeClock
from syncd.connectors.base import Connector, ConnectorContext, JobState, JobStatus, RemoteRefs
from syncd.connectors.coursepath import CoursepathConnector
from syncd.connectors.coursepath.settings import CoursepathTarget
from syncd.connectors.docebo import DoceboConnector
from syncd.connectors.docebo.settings import DoceboTarget
from syncd.connectors.dokeos import DokeosConnector
from syncd.connectors.dokeos.settings import DokeosTarget
from syncd.connectors.litmos import LitmosConnector
from syncd.connectors.litmos.settings import LitmosTarget
from syncd.errors import SkippableError
from syncd.operations import Applied, Operation, Outcome, Pending, Rejected
from syncd.records import CourseCode, EmployeeId, GroupKind, GroupRef, RemoteId, RemoteRecord
from syncd.sandbox import CoursepathSimulator, DoceboSimulator, DokeosSimulator, LitmosSimulator

K = TypeVar("K")
GroupKey = tuple[GroupKind, str]
Call = tuple[str, str]  # method, path


@dataclass(frozen=True, slots=True)
class LmsState:
    """An LMS's state in neutral terms, keyed as the LMS keys things (see `group_key`).

    users: username -> (email, first name, last name, active); groups: key -> (name,
    parent key); members: (group key, username); enrollments: (course code, username).
    """

    users: Mapping[str, tuple[str, str, str, bool]]
    groups: Mapping[GroupKey, tuple[str, GroupKey | None]]
    members: frozenset[tuple[GroupKey, str]]
    enrollments: frozenset[tuple[str, str]]


class Harness(Protocol):
    """One connector and its simulator, as the contract suite drives them."""

    name: str
    clock: FakeClock
    # The request that creates users, whose answer a test may lose.
    create_user_call: Call
    # True where the LMS's groups have no parent (org units are flattened, never moved).
    flat_groups: bool
    # True where groups have names only: each is reported as an org unit and a config group.
    groups_by_name: bool
    # True where a stale credential is renewed by re-authenticating; False for a static one.
    reauthenticates: bool
    # How the LMS refuses a stale static credential, and how many refusals one call meets.
    stale_status: int
    stale_refusals_per_call: int

    def connect(self, *, page_size: int | None = None, lose: Call | None = None) -> Connector:
        """A connector on the simulator; `lose` loses the first answer to that call."""
        ...

    def close(self) -> None: ...

    def login(self, username: str, email: str) -> str:
        """The name the LMS knows an account by (its username, or its email where it has none)."""
        ...

    def api_users(self) -> set[RemoteId]:
        """Accounts there before any seeding (the one the API acts as, where it is a member)."""
        ...

    def group_key(self, ref: GroupRef, name: str) -> GroupKey:
        """How this LMS keys the group HR calls `ref` (by code, or by name only)."""
        ...

    def seed_user(self, username: str, email: str, first: str, last: str) -> RemoteId: ...
    def seed_group(self, ref: GroupRef, name: str, parent: GroupRef | None) -> RemoteId: ...
    def seed_member(self, ref: GroupRef, group_id: RemoteId, user_id: RemoteId) -> None: ...
    def seed_course(self, code: str, name: str) -> RemoteId: ...
    def seed_enrollment(self, course_id: RemoteId, user_id: RemoteId) -> None: ...

    def state(self) -> LmsState: ...

    def fail_next(self, n: int, status: int) -> None:
        """Answer the next `n` requests with `status`."""

    def expire_credentials(self) -> None:
        """Make the credentials the connector holds stale: its next call gets a 401."""

    def served(self) -> list[tuple[str, str, int]]:
        """Every request the simulator served: (method, path, status)."""
        ...

    def auth_calls(self) -> int:
        """How many times the connector authenticated."""
        ...

    def violations(self) -> int:
        """Requests the simulator saw overlap where the LMS forbids it."""
        ...


@dataclass
class Links:
    """The engine's links, as a test keeps them: RemoteRefs over dicts."""

    users: dict[EmployeeId, RemoteId] = field(default_factory=dict)
    groups: dict[GroupRef, RemoteId] = field(default_factory=dict)
    courses: dict[CourseCode, RemoteId] = field(default_factory=dict)

    def user(self, employee_id: EmployeeId) -> RemoteId:
        return _linked(self.users, employee_id)

    def group(self, ref: GroupRef) -> RemoteId:
        return _linked(self.groups, ref)

    def course(self, code: CourseCode) -> RemoteId:
        return _linked(self.courses, code)


def _linked(table: Mapping[K, RemoteId], key: K) -> RemoteId:
    try:
        return table[key]
    except KeyError:
        raise SkippableError(f"no link for {key}") from None


class LosingTransport(httpx.BaseTransport):
    """Delivers every request but loses the answer to the first one matching `call`."""

    def __init__(self, inner: httpx.BaseTransport, call: Call) -> None:
        self._inner, self._call, self._armed = inner, call, True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if self._armed and (request.method, request.url.path) == self._call:
            self._armed = False
            response.read()
            raise httpx.ReadTimeout("answer lost", request=request)
        return response


class SimulatedLms:
    """What every harness shares: a simulator on a fake clock, the connectors it made
    (closed at the end), the simulator's request log, its fault knob and its detector of
    forbidden overlaps. An LMS account's login is its username, and the API acts as no
    account of its own, unless a harness says otherwise."""

    clock: FakeClock
    sim: Any
    _connectors: list[Any]

    def make_connector(self, transport: httpx.BaseTransport, page_size: int | None) -> Any:
        raise NotImplementedError

    def wrap(self, connector: Any) -> Connector:
        """The connector as the suite drives it (Dokeos settles its jobs first)."""
        return cast(Connector, connector)

    def connect(self, *, page_size: int | None = None, lose: Call | None = None) -> Connector:
        transport: httpx.BaseTransport = self.sim.transport()
        if lose is not None:
            transport = LosingTransport(transport, lose)
        connector = self.make_connector(transport, page_size)
        self._connectors.append(connector)
        return self.wrap(connector)

    def close(self) -> None:
        for connector in self._connectors:
            connector.close()

    def login(self, username: str, email: str) -> str:
        return username

    def api_users(self) -> set[RemoteId]:
        return set()

    def fail_next(self, n: int, status: int) -> None:
        self.sim.fail_next(n, status)

    def served(self) -> list[tuple[str, str, int]]:
        return [(r.method, r.path, r.status) for r in self.sim.requests]

    def violations(self) -> int:
        return len(self.sim.violations)


# --- Docebo ----------------------------------------------------------------------------------


class DoceboHarness(SimulatedLms):
    """Docebo: branches keyed by code, groups by name; OAuth2 tokens."""

    name = "docebo"
    create_user_call: Call = ("POST", "/manage/v1/user/batch")
    flat_groups = False
    groups_by_name = False
    reauthenticates = True
    stale_status = 401
    stale_refusals_per_call = 1

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.sim = DoceboSimulator(clock=lambda: self.clock.now().timestamp())
        self._connectors = []

    def make_connector(self, transport: httpx.BaseTransport, page_size: int | None) -> Any:
        target = DoceboTarget(
            name="contract-docebo",
            base_url="https://contract.docebosaas.com",
            client_id="syncd-sandbox",
            client_secret="sandbox-secret",
            username="api-admin",
            password="sandbox-password",
            page_size=page_size or 200,
        )
        return DoceboConnector(target, ConnectorContext(self.clock, transport))

    def group_key(self, ref: GroupRef, name: str) -> GroupKey:
        return (ref.kind, ref.code if ref.kind is GroupKind.ORG_UNIT else name)

    def seed_user(self, username: str, email: str, first: str, last: str) -> RemoteId:
        return RemoteId(str(self.sim.seed_user(username, email, first, last)))

    def seed_group(self, ref: GroupRef, name: str, parent: GroupRef | None) -> RemoteId:
        if ref.kind is GroupKind.ORG_UNIT:
            parent_code = parent.code if parent else None
            return RemoteId(str(self.sim.seed_branch(ref.code, name, parent_code)))
        return RemoteId(str(self.sim.seed_group(name)))

    def seed_member(self, ref: GroupRef, group_id: RemoteId, user_id: RemoteId) -> None:
        if ref.kind is GroupKind.ORG_UNIT:
            self.sim.assign_branch(int(group_id), int(user_id))
        else:
            self.sim.seed_membership(int(group_id), int(user_id))

    def seed_course(self, code: str, name: str) -> RemoteId:
        return RemoteId(str(self.sim.seed_course(code, name)))

    def seed_enrollment(self, course_id: RemoteId, user_id: RemoteId) -> None:
        self.sim.seed_enrollment(int(course_id), int(user_id))

    def state(self) -> LmsState:
        snap = self.sim.snapshot()
        org, grp = GroupKind.ORG_UNIT, GroupKind.GROUP
        groups: dict[GroupKey, tuple[str, GroupKey | None]] = {
            (org, code): (title, None if parent is None else (org, parent))
            for code, (title, parent) in snap.branches.items()
        }
        groups |= {(grp, name): (name, None) for name in snap.groups}
        members = {((org, code), user) for code, user in snap.branch_members}
        members |= {((grp, name), user) for name, user in snap.group_members}
        return LmsState(dict(snap.users), groups, frozenset(members), frozenset(snap.enrollments))

    def expire_credentials(self) -> None:
        self.sim.state.tokens.clear()

    def auth_calls(self) -> int:
        return sum(1 for r in self.sim.requests if r.path == "/oauth2/token")


# --- Dokeos ----------------------------------------------------------------------------------


class SettlingConnector:
    """A Dokeos connector whose jobs settle before `apply` returns, as the engine's job
    poller settles them: the simulator runs its due jobs, then each Pending outcome's job is
    polled. DONE is Applied (with the id the outcome carried), FAILED is Rejected with the
    job's words; a job that does not settle fails the test."""

    kind = "dokeos"

    def __init__(self, connector: DokeosConnector, sim: DokeosSimulator) -> None:
        self._connector, self._sim = connector, sim
        self.capabilities = connector.capabilities

    def check(self) -> None:
        self._connector.check()

    def fetch(self) -> Iterator[RemoteRecord]:
        return self._connector.fetch()

    def apply(self, batch: Sequence[Operation], refs: RemoteRefs) -> list[Outcome]:
        outcomes = self._connector.apply(batch, refs)
        if any(isinstance(outcome, Pending) for outcome in outcomes):
            self._sim.run_jobs()
        return [self._settled(outcome) for outcome in outcomes]

    def poll_job(self, job_id: str) -> JobState:
        return self._connector.poll_job(job_id)

    def close(self) -> None:
        self._connector.close()

    def _settled(self, outcome: Outcome) -> Outcome:
        if not isinstance(outcome, Pending):
            return outcome
        state = self._connector.poll_job(outcome.job_id)
        if state.status is JobStatus.DONE:
            return Applied(outcome.remote_id)
        if state.status is JobStatus.FAILED:
            return Rejected(state.error or "the job failed")
        raise AssertionError(f"job {outcome.job_id} did not settle: {state.status}")


class DokeosHarness(SimulatedLms):
    """Dokeos: flat groups keyed by the code syncd gives them (`org_unit:EU`, `group:sales`);
    a static bearer token; learners and participations change through jobs, which the
    harness settles before `apply` returns (`SettlingConnector`)."""

    name = "dokeos"
    create_user_call: Call = ("POST", "/users")
    flat_groups = True
    groups_by_name = False
    reauthenticates = False
    stale_status = 401
    stale_refusals_per_call = 1
    token = "contract-dokeos-token"

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.sim = DokeosSimulator(api_token=self.token, clock=lambda: self.clock.now().timestamp())
        self._connectors = []

    def make_connector(self, transport: httpx.BaseTransport, page_size: int | None) -> Any:
        target = DokeosTarget(
            name="contract-dokeos",
            base_url="https://contract.dokeos.com",
            api_token=self.token,
            page_size=page_size or 100,
        )
        return DokeosConnector(target, ConnectorContext(self.clock, transport))

    def wrap(self, connector: Any) -> Connector:
        return cast(Connector, SettlingConnector(connector, self.sim))

    def group_key(self, ref: GroupRef, name: str) -> GroupKey:
        return (ref.kind, ref.code)

    def seed_user(self, username: str, email: str, first: str, last: str) -> RemoteId:
        return RemoteId(str(self.sim.seed_user(username, email, first, last)))

    def seed_group(self, ref: GroupRef, name: str, parent: GroupRef | None) -> RemoteId:
        return RemoteId(str(self.sim.seed_group(name, str(ref))))  # flat: no parent

    def seed_member(self, ref: GroupRef, group_id: RemoteId, user_id: RemoteId) -> None:
        self.sim.add_learner(int(group_id), int(user_id))

    def seed_course(self, code: str, name: str) -> RemoteId:
        return RemoteId(str(self.sim.seed_training(code, name)))

    def seed_enrollment(self, course_id: RemoteId, user_id: RemoteId) -> None:
        self.sim.seed_participation(int(user_id), int(course_id))

    def state(self) -> LmsState:
        snap = self.sim.snapshot()
        users = {name: view[:4] for name, view in snap.users.items()}
        groups = {_dokeos_key(key): (name, None) for key, name in snap.groups.items()}
        members = frozenset((_dokeos_key(key), user) for key, user in snap.learners)
        return LmsState(users, groups, members, frozenset(snap.participations))

    def expire_credentials(self) -> None:
        self.sim.api_token = "rotated-contract-token"  # the token syncd holds is revoked

    def auth_calls(self) -> int:
        return 0  # a static token: Dokeos has no token endpoint to call


def _dokeos_key(key: str) -> GroupKey:
    """The snapshot's group key (its code, else its name) as the contract keys groups."""
    kind, _, code = key.partition(":")
    if kind in {k.value for k in GroupKind} and code:
        return (GroupKind(kind), code)
    return (GroupKind.GROUP, key)


# --- Coursepath ------------------------------------------------------------------------------


class CoursepathHarness(SimulatedLms):
    """Coursepath: members keyed by email, flat groups with names only (each reported under
    both kinds), a fresh JWT per request signed with a static secret; the acting member is
    an account of the academy like any other."""

    name = "coursepath"
    create_user_call: Call = ("POST", "/api/v1/members")
    flat_groups = True
    groups_by_name = True
    reauthenticates = False
    stale_status = 401
    stale_refusals_per_call = 2  # a 401 is retried once with a new token
    secret = "contract-coursepath-secret"
    acting = "syncd-admin@acme.test"

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.sim = CoursepathSimulator(
            jwt_secret=self.secret, clock=lambda: self.clock.now().timestamp()
        )
        self.acting_id = RemoteId(str(self.sim.seed_member(self.acting, "Syncd Admin")))
        self._connectors = []

    def make_connector(self, transport: httpx.BaseTransport, page_size: int | None) -> Any:
        target = CoursepathTarget(
            name="contract-coursepath",
            base_url="https://contract.coursepath.com",
            jwt_secret=self.secret,
            acting_email=self.acting,
            allow_result_deletion=True,  # so that Unenroll is exercised
            page_size=page_size or 250,
        )
        return CoursepathConnector(target, ConnectorContext(self.clock, transport))

    def login(self, username: str, email: str) -> str:
        return email

    def api_users(self) -> set[RemoteId]:
        return {self.acting_id}

    def group_key(self, ref: GroupRef, name: str) -> GroupKey:
        return (GroupKind.GROUP, name)

    def seed_user(self, username: str, email: str, first: str, last: str) -> RemoteId:
        return RemoteId(str(self.sim.seed_member(email, f"{first} {last}")))

    def seed_group(self, ref: GroupRef, name: str, parent: GroupRef | None) -> RemoteId:
        return RemoteId(str(self.sim.seed_group(name)))  # flat, by name

    def seed_member(self, ref: GroupRef, group_id: RemoteId, user_id: RemoteId) -> None:
        [name] = [g.name for g in self.sim.state.groups.values() if str(g.id) == group_id]
        self.sim.add_to_group(int(user_id), name)

    def seed_course(self, code: str, name: str) -> RemoteId:
        return RemoteId(str(self.sim.seed_course(code, name)))

    def seed_enrollment(self, course_id: RemoteId, user_id: RemoteId) -> None:
        self.sim.enroll(int(course_id), int(user_id))

    def state(self) -> LmsState:
        snap = self.sim.snapshot()
        users = {
            email: (email, *_split(name), active)
            for email, (name, active, _) in snap.members.items()
            if email != self.acting
        }
        grp = GroupKind.GROUP
        groups: dict[GroupKey, tuple[str, GroupKey | None]] = {
            (grp, name): (name, None) for name in snap.groups
        }
        members = frozenset(
            ((grp, name), email) for name, emails in snap.groups.items() for email in emails
        )
        enrollments = frozenset((code, email) for code, email, *_ in snap.enrollments)
        return LmsState(users, groups, members, enrollments)

    def expire_credentials(self) -> None:
        self.sim.jwt_secret = "rotated-contract-secret"

    def auth_calls(self) -> int:
        return 0  # tokens are minted locally: Coursepath has no token endpoint


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first, last


# --- Litmos ----------------------------------------------------------------------------------


class LitmosHarness(SimulatedLms):
    """Litmos: users by username; teams and sub-teams whose Description names the HR group
    (`org_unit:EU`, `group:sales`); a static api key, refused with 403 when stale; a rolling
    rate limit the connector keeps under."""

    name = "litmos"
    create_user_call: Call = ("POST", "/v1.svc/users")
    flat_groups = False
    groups_by_name = False
    reauthenticates = False
    stale_status = 403
    stale_refusals_per_call = 1
    key = "contract-litmos-key"

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.sim = LitmosSimulator(api_key=self.key, clock=lambda: self.clock.now().timestamp())
        self._connectors = []

    def make_connector(self, transport: httpx.BaseTransport, page_size: int | None) -> Any:
        target = LitmosTarget(
            name="contract-litmos",
            base_url="https://api.litmos.com/v1.svc",
            api_key=self.key,
            source="syncd-contract",
            page_size=page_size or 1000,
        )
        return LitmosConnector(target, ConnectorContext(self.clock, transport))

    def group_key(self, ref: GroupRef, name: str) -> GroupKey:
        return (ref.kind, ref.code)

    def seed_user(self, username: str, email: str, first: str, last: str) -> RemoteId:
        return RemoteId(self.sim.seed_user(username, first, last, email))

    def seed_group(self, ref: GroupRef, name: str, parent: GroupRef | None) -> RemoteId:
        parent_id = None
        if parent is not None:
            [parent_id] = [
                t.id for t in self.sim.state.teams.values() if t.description == str(parent)
            ]
        return RemoteId(self.sim.seed_team(name, parent_id, description=str(ref)))

    def seed_member(self, ref: GroupRef, group_id: RemoteId, user_id: RemoteId) -> None:
        self.sim.add_team_member(group_id, user_id)

    def seed_course(self, code: str, name: str) -> RemoteId:
        return RemoteId(self.sim.seed_course(code, name))

    def seed_enrollment(self, course_id: RemoteId, user_id: RemoteId) -> None:
        self.sim.assign_course(user_id, course_id)

    def state(self) -> LmsState:
        with self.sim.lock:
            st = self.sim.state
            keys = {t.id: _litmos_key(t.description, t.name) for t in st.teams.values()}
            groups = {keys[t.id]: (t.name, keys.get(t.parent_id)) for t in st.teams.values()}
            members = frozenset((keys[t], st.users[u].username) for t, u in st.members)
        snap = self.sim.snapshot()
        users = {
            name: (email, first, last, active) for name, first, last, email, active in snap.users
        }
        enrollments = frozenset((code, name) for name, code, *_ in snap.assignments)
        return LmsState(users, groups, members, enrollments)

    def expire_credentials(self) -> None:
        self.sim.api_key = "rotated-contract-key"  # the key syncd holds is revoked

    def auth_calls(self) -> int:
        return 0  # a static api key: Litmos has no token endpoint to call


def _litmos_key(description: str, name: str) -> GroupKey:
    """A team's key: the HR group its Description names, else a config group by name."""
    kind, _, code = description.partition(":")
    if kind in {k.value for k in GroupKind} and code:
        return (GroupKind(kind), code)
    return (GroupKind.GROUP, name)


HARNESSES: tuple[type[Harness], ...] = (
    DoceboHarness,
    DokeosHarness,
    CoursepathHarness,
    LitmosHarness,
)
