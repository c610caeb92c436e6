"""Harnesses of the connector contract: each wires one LMS's connector to its simulator.

The contract suite (test_connector_contract.py) speaks only the neutral verbs of `Harness`:
seed the LMS out of band, connect, inject faults, read the LMS's state back as `LmsState`.
The LMSs themselves (simulator, target, state reader) are tests/lms_fixtures.py's. The suite
runs once per registered LMS kind (`harnesses()`), with the harness of the simulator that
kind's demo builds: a new simulator joins with one class implementing `Harness`; a kind
registered over an existing simulator (tests/kinds/toy.py) needs nothing here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, Protocol, cast

import httpx

from syncd.clock import FakeClock
from syncd.connectors.base import NOTHING_LINKED, Connector, JobState, JobStatus, Linked, RemoteRefs
from syncd.connectors.dokeos import DokeosConnector
from syncd.operations import Applied, Operation, Outcome, Pending, Rejected
from syncd.records import GroupKind, GroupRef, RemoteId, RemoteRecord
from syncd.sandbox import DokeosSimulator
from tests.lms_fixtures import (
    COURSEPATH_ACTOR,
    GroupKey,
    Lms,
    LmsState,
    LosingTransport,
    drives,
    registered_lmss,
)

Call = tuple[str, str]  # method, path


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


class SimulatedLms:
    """What every harness shares: its LMS's simulator on a fake clock, the connectors it made
    (closed at the end), the neutral read of the simulator's state, its request log, its
    fault knob and its detector of forbidden overlaps. An LMS account's login is its
    username, and the API acts as no account of its own, unless a harness says otherwise."""

    name: str
    lms: Lms
    page_size: int  # the target's, unless a test asks for another
    target_fields: ClassVar[dict[str, Any]] = {}

    def __init__(self, lms: Lms) -> None:
        self.lms, self.name = lms, lms.kind
        self.clock = FakeClock()
        self.sim = self.lms.simulator(self.clock)
        self._connectors: list[Any] = []

    def wrap(self, connector: Any) -> Connector:
        """The connector as the suite drives it (Dokeos settles its jobs first)."""
        return cast(Connector, connector)

    def connect(self, *, page_size: int | None = None, lose: Call | None = None) -> Connector:
        transport: httpx.BaseTransport = self.sim.transport()
        if lose is not None:
            transport = LosingTransport(transport, *lose)
        fields = {"name": f"contract-{self.name}", "page_size": page_size or self.page_size}
        connector = self.lms.connect(
            self.sim, self.clock, transport, **fields, **self.target_fields
        )
        self._connectors.append(connector)
        return self.wrap(connector)

    def close(self) -> None:
        for connector in self._connectors:
            connector.close()

    def login(self, username: str, email: str) -> str:
        return username

    def api_users(self) -> set[RemoteId]:
        return set()

    def group_key(self, ref: GroupRef, name: str) -> GroupKey:
        return self.lms.group_key(ref, name)

    def state(self) -> LmsState:
        return self.lms.state(self.sim)

    def fail_next(self, n: int, status: int) -> None:
        self.sim.fail_next(n, status)

    def served(self) -> list[tuple[str, str, int]]:
        return [(r.method, r.path, r.status) for r in self.sim.requests]

    def violations(self) -> int:
        return len(self.sim.violations)


# --- Docebo ----------------------------------------------------------------------------------


class DoceboHarness(SimulatedLms):
    """Docebo: branches keyed by code, groups by name; OAuth2 tokens."""

    drives = "docebo"  # the simulator it drives, whatever kind a registration names it
    create_user_call: Call = ("POST", "/manage/v1/user/batch")
    flat_groups = False
    groups_by_name = False
    reauthenticates = True
    stale_status = 401
    stale_refusals_per_call = 1
    page_size = 200

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

    def fetch(self, linked: Linked = NOTHING_LINKED) -> Iterator[RemoteRecord]:
        return self._connector.fetch(linked)

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

    drives = "dokeos"  # the simulator it drives, whatever kind a registration names it
    create_user_call: Call = ("POST", "/users")
    flat_groups = True
    groups_by_name = False
    reauthenticates = False
    stale_status = 401
    stale_refusals_per_call = 1
    page_size = 100

    def wrap(self, connector: Any) -> Connector:
        return cast(Connector, SettlingConnector(connector, self.sim))

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

    def expire_credentials(self) -> None:
        self.sim.api_token = "rotated-contract-token"  # the token syncd holds is revoked

    def auth_calls(self) -> int:
        return 0  # a static token: Dokeos has no token endpoint to call


# --- Coursepath ------------------------------------------------------------------------------


class CoursepathHarness(SimulatedLms):
    """Coursepath: members keyed by email, flat groups with names only (each reported under
    both kinds), a fresh JWT per request signed with a static secret; the acting member is
    an account of the academy like any other."""

    drives = "coursepath"  # the simulator it drives, whatever kind a registration names it
    create_user_call: Call = ("POST", "/api/v1/members")
    flat_groups = True
    groups_by_name = True
    reauthenticates = False
    stale_status = 401
    stale_refusals_per_call = 2  # a 401 is retried once with a new token
    page_size = 250
    # So that Unenroll is exercised.
    target_fields: ClassVar[dict[str, Any]] = {"allow_result_deletion": True}

    def __init__(self, lms: Lms) -> None:
        super().__init__(lms)
        [acting] = [m.id for m in self.sim.state.members.values() if m.email == COURSEPATH_ACTOR]
        self.acting_id = RemoteId(str(acting))

    def login(self, username: str, email: str) -> str:
        return email

    def api_users(self) -> set[RemoteId]:
        return {self.acting_id}

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

    def expire_credentials(self) -> None:
        self.sim.jwt_secret = "rotated-contract-secret"

    def auth_calls(self) -> int:
        return 0  # tokens are minted locally: Coursepath has no token endpoint


# --- Litmos ----------------------------------------------------------------------------------


class LitmosHarness(SimulatedLms):
    """Litmos: users by username; teams and sub-teams whose Description names the HR group
    (`org_unit:EU`, `group:sales`); a static api key, refused with 403 when stale; a rolling
    rate limit the connector keeps under."""

    drives = "litmos"  # the simulator it drives, whatever kind a registration names it
    create_user_call: Call = ("POST", "/v1.svc/users")
    flat_groups = False
    groups_by_name = False
    reauthenticates = False
    stale_status = 403
    stale_refusals_per_call = 1
    page_size = 1000

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

    def expire_credentials(self) -> None:
        self.sim.api_key = "rotated-contract-key"  # the key syncd holds is revoked

    def auth_calls(self) -> int:
        return 0  # a static api key: Litmos has no token endpoint to call


_BY_SIMULATOR: dict[str, Callable[[Lms], Harness]] = {
    cls.drives: cls for cls in (DoceboHarness, DokeosHarness, CoursepathHarness, LitmosHarness)
}


def harnesses() -> list[tuple[str, Callable[[], Harness]]]:
    """A maker of a harness per registered LMS kind, named by the kind: the harness of the
    simulator the kind's demo builds, driving the kind's own connector and target model."""
    return [
        (lms.kind, functools.partial(_BY_SIMULATOR[drives(lms)], lms)) for lms in registered_lmss()
    ]
