"""Harnesses of the connector contract: each wires one LMS's connector to its simulator.

The contract suite (test_connector_contract.py) speaks only the neutral verbs of `Harness`:
seed the LMS out of band, connect, inject faults, read the LMS's state back as `LmsState`.
A new LMS joins by adding one class implementing `Harness` and listing it in HARNESSES.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import httpx

from syncd.clock import FakeClock
from syncd.config import DoceboTarget, DokeosTarget
from syncd.connectors.base import Connector, ConnectorContext, JobState, JobStatus, RemoteRefs
from syncd.connectors.docebo import DoceboConnector
from syncd.connectors.dokeos import DokeosConnector
from syncd.errors import SkippableError
from syncd.operations import Applied, Operation, Outcome, Pending, Rejected
from syncd.records import CourseCode, EmployeeId, GroupKind, GroupRef, RemoteId, RemoteRecord
from syncd.sandbox import DoceboSimulator, DokeosSimulator

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
    # True where a stale credential is renewed by re-authenticating; False for a static one.
    reauthenticates: bool

    def connect(self, *, page_size: int | None = None, lose: Call | None = None) -> Connector:
        """A connector on the simulator; `lose` loses the first answer to that call."""
        ...

    def close(self) -> None: ...

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


# --- Docebo ----------------------------------------------------------------------------------


class DoceboHarness:
    """Docebo: branches keyed by code, groups by name; OAuth2 tokens."""

    name = "docebo"
    create_user_call: Call = ("POST", "/manage/v1/user/batch")
    flat_groups = False
    reauthenticates = True

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.sim = DoceboSimulator(clock=lambda: self.clock.now().timestamp())
        self._connectors: list[DoceboConnector] = []

    def connect(self, *, page_size: int | None = None, lose: Call | None = None) -> Connector:
        transport: httpx.BaseTransport = self.sim.transport()
        if lose is not None:
            transport = LosingTransport(transport, lose)
        target = DoceboTarget(
            name="contract-docebo",
            base_url="https://contract.docebosaas.com",
            client_id="syncd-sandbox",
            client_secret="sandbox-secret",
            username="api-admin",
            password="sandbox-password",
            page_size=page_size or 200,
        )
        connector = DoceboConnector(target, ConnectorContext(self.clock, transport))
        self._connectors.append(connector)
        return connector

    def close(self) -> None:
        for connector in self._connectors:
            connector.close()

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

    def fail_next(self, n: int, status: int) -> None:
        self.sim.fail_next(n, status)

    def expire_credentials(self) -> None:
        self.sim.state.tokens.clear()

    def served(self) -> list[tuple[str, str, int]]:
        return [(r.method, r.path, r.status) for r in self.sim.requests]

    def auth_calls(self) -> int:
        return sum(1 for r in self.sim.requests if r.path == "/oauth2/token")

    def violations(self) -> int:
        return len(self.sim.violations)


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


class DokeosHarness:
    """Dokeos: flat groups keyed by the code syncd gives them (`org_unit:EU`, `group:sales`);
    a static bearer token; learners and participations change through jobs, which the
    harness settles before `apply` returns (`SettlingConnector`)."""

    name = "dokeos"
    create_user_call: Call = ("POST", "/users")
    flat_groups = True
    reauthenticates = False
    token = "contract-dokeos-token"

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.sim = DokeosSimulator(api_token=self.token, clock=lambda: self.clock.now().timestamp())
        self._connectors: list[DokeosConnector] = []

    def connect(self, *, page_size: int | None = None, lose: Call | None = None) -> Connector:
        transport: httpx.BaseTransport = self.sim.transport()
        if lose is not None:
            transport = LosingTransport(transport, lose)
        target = DokeosTarget(
            name="contract-dokeos",
            base_url="https://contract.dokeos.com",
            api_token=self.token,
            page_size=page_size or 100,
        )
        connector = DokeosConnector(target, ConnectorContext(self.clock, transport))
        self._connectors.append(connector)
        return SettlingConnector(connector, self.sim)

    def close(self) -> None:
        for connector in self._connectors:
            connector.close()

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

    def fail_next(self, n: int, status: int) -> None:
        self.sim.fail_next(n, status)

    def expire_credentials(self) -> None:
        self.sim.api_token = "rotated-contract-token"  # the token syncd holds is revoked

    def served(self) -> list[tuple[str, str, int]]:
        return [(r.method, r.path, r.status) for r in self.sim.requests]

    def auth_calls(self) -> int:
        return 0  # a static token: Dokeos has no token endpoint to call

    def violations(self) -> int:
        return len(self.sim.violations)


def _dokeos_key(key: str) -> GroupKey:
    """The snapshot's group key (its code, else its name) as the contract keys groups."""
    kind, _, code = key.partition(":")
    if kind in {k.value for k in GroupKind} and code:
        return (GroupKind(kind), code)
    return (GroupKind.GROUP, key)


HARNESSES: tuple[type[Harness], ...] = (DoceboHarness, DokeosHarness)
