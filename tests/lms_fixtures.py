"""What the connector tests, the connector contract and the end-to-end worlds share about
the LMSs: one `Lms` entry per kind in `LMSS` (its simulator on a fake clock, a target on
that simulator's credentials, its connector, and its state read back as neutral
`LmsState`), a transport that loses answers, and the engine's links over plain dicts.

tests/connectors/conftest.py, tests/contract/harness.py and tests/e2e import it; a new
LMS adds one entry to LMSS.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from syncd.clock import FakeClock
from syncd.connectors.base import ConnectorContext
from syncd.connectors.coursepath import CoursepathConnector
from syncd.connectors.coursepath.settings import CoursepathTarget
from syncd.connectors.docebo import DoceboConnector
from syncd.connectors.docebo.settings import DoceboTarget
from syncd.connectors.dokeos import DokeosConnector
from syncd.connectors.dokeos.settings import DokeosTarget
from syncd.connectors.litmos import LitmosConnector
from syncd.connectors.litmos.settings import LitmosTarget
from syncd.errors import SkippableError
from syncd.kinds import LmsKind, registered
from syncd.records import CourseCode, EmployeeId, GroupKind, GroupRef, RemoteId
from syncd.sandbox import CoursepathSimulator, DoceboSimulator, DokeosSimulator, LitmosSimulator

# The credentials each simulator is made with, and its target carries.
DOCEBO_CREDENTIALS = {
    "client_id": "syncd-sandbox",
    "client_secret": "sandbox-secret",
    "username": "api-admin",
    "password": "sandbox-password",
}
# How a client of the Docebo simulator asks for a token.
DOCEBO_PASSWORD_GRANT = {"grant_type": "password", **DOCEBO_CREDENTIALS, "scope": "api"}
DOKEOS_TOKEN = "dokeos-test-token-5f3a9c"
COURSEPATH_SECRET = "coursepath-test-secret-7d41e2"
COURSEPATH_ACTOR = "api@acme.example"  # the member the Coursepath API acts as
LITMOS_KEY = "litmos-test-key-7c1e42"

GroupKey = tuple[GroupKind, str]


@dataclass(frozen=True, slots=True)
class LmsState:
    """An LMS's state in neutral terms, keyed as the LMS keys things (see `Lms.group_key`).

    users: login -> (email, first name, last name, active); groups: key -> (name, parent
    key); members: (group key, login); enrollments: (course code, login); managers, where
    the LMS has them: (group key, login). The account the API acts as, where it is a
    member, is left out.
    """

    users: Mapping[str, tuple[str, str, str, bool]]
    groups: Mapping[GroupKey, tuple[str, GroupKey | None]]
    members: frozenset[tuple[GroupKey, str]]
    enrollments: frozenset[tuple[str, str]]
    managers: frozenset[tuple[GroupKey, str]] = frozenset()


@dataclass(frozen=True)
class Lms:
    """One LMS kind as tests drive it."""

    kind: str
    simulator: Callable[[FakeClock], Any]  # on the fake clock, with the API's own account
    target: Callable[..., Any]  # a target on the simulator's credentials; fields as keywords
    connector: Callable[[Any, ConnectorContext], Any]
    state: Callable[[Any], LmsState]
    group_key: Callable[[GroupRef, str], GroupKey]  # the group HR calls ref, named name

    def connect(
        self,
        sim: Any,
        clock: FakeClock,
        transport: httpx.BaseTransport | None = None,
        **fields: Any,
    ) -> Any:
        """A connector on `sim` (or on `transport`, wrapping it), target fields as keywords."""
        context = ConnectorContext(clock=clock, transport=transport or sim.transport())
        return self.connector(self.target(**fields), context)


def _on(clock: FakeClock) -> Callable[[], float]:
    return lambda: clock.now().timestamp()


# --- targets ---------------------------------------------------------------------------------


def docebo_target(**fields: Any) -> DoceboTarget:
    base = {"name": "docebo-test", "base_url": "https://acme.docebosaas.com", "sandbox": True}
    return DoceboTarget(**(base | DOCEBO_CREDENTIALS | fields))


def dokeos_target(**fields: Any) -> DokeosTarget:
    base = {"name": "dokeos-test", "base_url": "https://acme.dokeos.com", "sandbox": True}
    return DokeosTarget(**(base | {"api_token": DOKEOS_TOKEN} | fields))


def coursepath_target(**fields: Any) -> CoursepathTarget:
    base = {"name": "coursepath-test", "base_url": "https://acme.coursepath.com", "sandbox": True}
    credentials = {"jwt_secret": COURSEPATH_SECRET, "acting_email": COURSEPATH_ACTOR}
    return CoursepathTarget(**(base | credentials | fields))


def litmos_target(**fields: Any) -> LitmosTarget:
    base = {"name": "litmos-test", "base_url": "https://api.litmos.com/v1.svc", "sandbox": True}
    return LitmosTarget(**(base | {"api_key": LITMOS_KEY, "source": "syncd-tests"} | fields))


# --- simulators ------------------------------------------------------------------------------


def docebo_simulator(clock: FakeClock) -> DoceboSimulator:
    creds = DOCEBO_CREDENTIALS
    return DoceboSimulator(
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        username=creds["username"],
        password=creds["password"],
        clock=_on(clock),
    )


def dokeos_simulator(clock: FakeClock) -> DokeosSimulator:
    """Its jobs settle at once unless told otherwise."""
    return DokeosSimulator(api_token=DOKEOS_TOKEN, clock=_on(clock))


def coursepath_simulator(clock: FakeClock) -> CoursepathSimulator:
    """The acting member is seeded first (id 1)."""
    sim = CoursepathSimulator(jwt_secret=COURSEPATH_SECRET, clock=_on(clock))
    sim.seed_member(COURSEPATH_ACTOR, "API Admin")
    return sim


def litmos_simulator(clock: FakeClock) -> LitmosSimulator:
    """100 requests per rolling minute, on the fake clock."""
    return LitmosSimulator(api_key=LITMOS_KEY, clock=_on(clock))


# --- state, in neutral terms -----------------------------------------------------------------


def docebo_state(sim: DoceboSimulator) -> LmsState:
    snap = sim.snapshot()
    org, grp = GroupKind.ORG_UNIT, GroupKind.GROUP
    groups: dict[GroupKey, tuple[str, GroupKey | None]] = {
        (org, code): (title, None if parent is None else (org, parent))
        for code, (title, parent) in snap.branches.items()
    }
    groups |= {(grp, name): (name, None) for name in snap.groups}
    members = {((org, code), user) for code, user in snap.branch_members}
    members |= {((grp, name), user) for name, user in snap.group_members}
    return LmsState(dict(snap.users), groups, frozenset(members), frozenset(snap.enrollments))


def dokeos_state(sim: DokeosSimulator) -> LmsState:
    """Learners are the members; managers, memberships of another role, apart."""
    snap = sim.snapshot()
    users = {name: view[:4] for name, view in snap.users.items()}
    groups = {_coded(key, key): (name, None) for key, name in snap.groups.items()}
    members = frozenset((_coded(key, key), user) for key, user in snap.learners)
    managers = frozenset((_coded(key, key), user) for key, user in snap.managers)
    return LmsState(users, groups, members, frozenset(snap.participations), managers)


def coursepath_state(sim: CoursepathSimulator) -> LmsState:
    snap = sim.snapshot()
    users = {
        email: (email, *_split(name), active)
        for email, (name, active, _) in snap.members.items()
        if email != COURSEPATH_ACTOR
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


def litmos_state(sim: LitmosSimulator) -> LmsState:
    """Every member of a team, inactive users too (the API lists only the active ones)."""
    with sim.lock:
        st = sim.state
        keys = {t.id: _coded(t.description, t.name) for t in st.teams.values()}
        groups = {keys[t.id]: (t.name, keys.get(t.parent_id)) for t in st.teams.values()}
        members = frozenset((keys[t], st.users[u].username) for t, u in st.members)
    snap = sim.snapshot()
    users = {name: (email, first, last, active) for name, first, last, email, active in snap.users}
    enrollments = frozenset((code, name) for name, code, *_ in snap.assignments)
    return LmsState(users, groups, members, enrollments)


def _coded(code: str, name: str) -> GroupKey:
    """A group's key: the HR group its code names (`org_unit:EU`), else a config group by name."""
    kind, _, rest = code.partition(":")
    if kind in {k.value for k in GroupKind} and rest:
        return (GroupKind(kind), rest)
    return (GroupKind.GROUP, name)


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first, last


# --- how each LMS keys a group -----------------------------------------------------------------


def by_code(ref: GroupRef, name: str) -> GroupKey:
    return (ref.kind, ref.code)


def branch_code_or_group_name(ref: GroupRef, name: str) -> GroupKey:
    """Docebo: a branch by its code, a group by its name."""
    return (ref.kind, ref.code if ref.kind is GroupKind.ORG_UNIT else name)


def by_name(ref: GroupRef, name: str) -> GroupKey:
    """Coursepath: groups have names only."""
    return (GroupKind.GROUP, name)


LMSS: dict[str, Lms] = {
    "docebo": Lms(
        kind="docebo",
        simulator=docebo_simulator,
        target=docebo_target,
        connector=DoceboConnector,
        state=docebo_state,
        group_key=branch_code_or_group_name,
    ),
    "dokeos": Lms(
        kind="dokeos",
        simulator=dokeos_simulator,
        target=dokeos_target,
        connector=DokeosConnector,
        state=dokeos_state,
        group_key=by_code,
    ),
    "coursepath": Lms(
        kind="coursepath",
        simulator=coursepath_simulator,
        target=coursepath_target,
        connector=CoursepathConnector,
        state=coursepath_state,
        group_key=by_name,
    ),
    "litmos": Lms(
        kind="litmos",
        simulator=litmos_simulator,
        target=litmos_target,
        connector=LitmosConnector,
        state=litmos_state,
        group_key=by_code,
    ),
}


_BY_SIMULATOR: dict[type, str] = {
    DoceboSimulator: "docebo",
    DokeosSimulator: "dokeos",
    CoursepathSimulator: "coursepath",
    LitmosSimulator: "litmos",
}


def lms_of(kind: LmsKind) -> Lms:
    """A registered kind as tests drive it: the test face of the simulator its demo builds,
    under the kind's own name, with its own target model and connector factory (a kind
    registered in a test, over an existing simulator, is driven like that simulator's)."""
    simulator = type(kind.demo.simulator(time.time))
    base = LMSS[_BY_SIMULATOR[simulator]]

    def target(**fields: Any) -> Any:
        made = base.target(**fields).model_dump(exclude={"kind"})
        return kind.target_model.model_validate({**made, "kind": kind.kind})

    return replace(base, kind=kind.kind, target=target, connector=kind.connector)


def drives(lms: Lms) -> str:
    """Which of the four simulators `lms` drives, named by the kind it stands for."""
    return _BY_SIMULATOR[type(lms.simulator(FakeClock()))]


def registered_lmss() -> list[Lms]:
    """Every registered kind, as tests drive it: what suites over every LMS iterate."""
    return [lms_of(kind) for kind in registered()]


# --- faults and links ------------------------------------------------------------------------


class LosingTransport(httpx.BaseTransport):
    """Loses the answer (a read timeout) of the first `times` requests matching `method` and
    `path`: delivered, the server did the work and the client never knew; not delivered
    (`deliver=False`), the request died on the way."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        method: str,
        path: str,
        *,
        times: int = 1,
        deliver: bool = True,
    ) -> None:
        self._inner, self._method, self._path = inner, method, path
        self.left, self._deliver = times, deliver

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.left or (request.method, request.url.path) != (self._method, self._path):
            return self._inner.handle_request(request)
        self.left -= 1
        if self._deliver:
            self._inner.handle_request(request).read()
        raise httpx.ReadTimeout("timed out", request=request)


@dataclass
class Refs:
    """The engine's links (RemoteRefs) over plain dicts, filled by hand; a missing one is a
    SkippableError, as the engine's is."""

    users: dict[EmployeeId, RemoteId] = field(default_factory=dict)
    groups: dict[GroupRef, RemoteId] = field(default_factory=dict)
    courses: dict[CourseCode, RemoteId] = field(default_factory=dict)

    def user(self, employee_id: EmployeeId) -> RemoteId:
        return _linked(self.users, employee_id, "user")

    def group(self, ref: GroupRef) -> RemoteId:
        return _linked(self.groups, ref, "group")

    def course(self, code: CourseCode) -> RemoteId:
        return _linked(self.courses, code, "course")


def _linked(table: Mapping[Any, RemoteId], key: object, what: str) -> RemoteId:
    try:
        return table[key]
    except KeyError:
        raise SkippableError(f"no {what} linked for {key}") from None
