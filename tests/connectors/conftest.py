"""Fixtures for connector tests: a fake clock shared with the Docebo and Dokeos simulators,
targets, connectors wired to the simulators in-process, refs the tests fill by hand and a
transport that loses answers. Tests take these as fixtures (importing conftest is ambiguous)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import httpx
import pytest

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
from syncd.records import CourseCode, EmployeeId, GroupRef, RemoteId
from syncd.sandbox import DoceboSimulator, DokeosSimulator
from syncd.sandbox.coursepath import CoursepathSimulator
from syncd.sandbox.litmos import LitmosSimulator


def docebo_target(**overrides: Any) -> DoceboTarget:
    fields: dict[str, Any] = {
        "name": "docebo-test",
        "base_url": "https://acme.docebosaas.com",
        "sandbox": True,
        "client_id": "syncd-sandbox",
        "client_secret": "sandbox-secret",
        "username": "api-admin",
        "password": "sandbox-password",
    }
    return DoceboTarget(**(fields | overrides))


@pytest.fixture
def secrets() -> tuple[str, ...]:
    """The simulator's credentials, as the target below carries them."""
    return ("syncd-sandbox", "sandbox-secret", "api-admin", "sandbox-password")


@pytest.fixture
def target() -> Callable[..., DoceboTarget]:
    return docebo_target


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> DoceboSimulator:
    return DoceboSimulator(clock=lambda: clock.now().timestamp())


ConnectorMaker = Callable[..., DoceboConnector]
C = TypeVar("C", DoceboConnector, DokeosConnector, CoursepathConnector, LitmosConnector)


def _makers(
    build: Callable[[Any, ConnectorContext], C],
    target_of: Callable[..., Any],
    sim: Any,
    clock: FakeClock,
) -> Iterator[Callable[..., C]]:
    """A maker of connectors on `sim` (target fields as keywords, `transport=` to wrap the
    simulator's); every connector it made is closed when the test ends."""
    made: list[C] = []

    def make(transport: httpx.BaseTransport | None = None, **overrides: Any) -> C:
        ctx = ConnectorContext(clock=clock, transport=transport or sim.transport())
        connector = build(target_of(**overrides), ctx)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


@pytest.fixture
def make_connector(sim: DoceboSimulator, clock: FakeClock) -> Iterator[ConnectorMaker]:
    """Build connectors on the simulator (target fields as keywords, `transport=` to wrap)."""
    yield from _makers(DoceboConnector, docebo_target, sim, clock)


@pytest.fixture
def connector(make_connector: ConnectorMaker) -> DoceboConnector:
    return make_connector()


@dataclass
class Refs:
    """RemoteRefs over plain dicts; a missing key is a SkippableError, as the engine's are."""

    users: dict[EmployeeId, RemoteId] = field(default_factory=dict)
    groups: dict[GroupRef, RemoteId] = field(default_factory=dict)
    courses: dict[CourseCode, RemoteId] = field(default_factory=dict)

    def user(self, employee_id: EmployeeId) -> RemoteId:
        return _look_up(self.users, employee_id, "user")

    def group(self, ref: GroupRef) -> RemoteId:
        return _look_up(self.groups, ref, "group")

    def course(self, code: CourseCode) -> RemoteId:
        return _look_up(self.courses, code, "course")


def _look_up(table: dict[Any, RemoteId], key: object, what: str) -> RemoteId:
    try:
        return table[key]
    except KeyError:
        raise SkippableError(f"no {what} linked for {key}") from None


@pytest.fixture
def refs() -> Refs:
    return Refs()


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


@pytest.fixture
def lossy(sim: DoceboSimulator) -> Callable[..., LosingTransport]:
    """`lossy(method, path, deliver=True, times=1)`: the simulator's transport, losing answers."""
    return partial(LosingTransport, sim.transport())


# --- Dokeos --------------------------------------------------------------------------------

DOKEOS_TOKEN = "dokeos-test-token-5f3a9c"


def dokeos_target(**overrides: Any) -> DokeosTarget:
    fields: dict[str, Any] = {
        "name": "dokeos-test",
        "base_url": "https://acme.dokeos.com",
        "sandbox": True,
        "api_token": DOKEOS_TOKEN,
    }
    return DokeosTarget(**(fields | overrides))


@pytest.fixture
def dokeos_sim(clock: FakeClock) -> DokeosSimulator:
    """A Dokeos simulator on the test clock; its jobs settle at once unless told otherwise."""
    return DokeosSimulator(api_token=DOKEOS_TOKEN, clock=lambda: clock.now().timestamp())


DokeosMaker = Callable[..., DokeosConnector]


@pytest.fixture
def make_dokeos(dokeos_sim: DokeosSimulator, clock: FakeClock) -> Iterator[DokeosMaker]:
    """Build Dokeos connectors on the simulator (target fields as keywords, `transport=`)."""
    yield from _makers(DokeosConnector, dokeos_target, dokeos_sim, clock)


@pytest.fixture
def dokeos(make_dokeos: DokeosMaker) -> DokeosConnector:
    return make_dokeos()


@pytest.fixture
def dokeos_lossy(dokeos_sim: DokeosSimulator) -> Callable[..., LosingTransport]:
    """`dokeos_lossy(method, path, deliver=True, times=1)`: the Dokeos simulator, losing answers."""
    return partial(LosingTransport, dokeos_sim.transport())


# --- Coursepath ----------------------------------------------------------------------------

COURSEPATH_SECRET = "coursepath-test-secret-7d41e2"
COURSEPATH_ACTOR = "api@acme.example"


def coursepath_target(**overrides: Any) -> CoursepathTarget:
    fields: dict[str, Any] = {
        "name": "coursepath-test",
        "base_url": "https://acme.coursepath.com",
        "sandbox": True,
        "jwt_secret": COURSEPATH_SECRET,
        "acting_email": COURSEPATH_ACTOR,
    }
    return CoursepathTarget(**(fields | overrides))


@pytest.fixture
def coursepath_sim(clock: FakeClock) -> CoursepathSimulator:
    """A Coursepath simulator on the test clock, with the acting member seeded (id 1)."""
    sim = CoursepathSimulator(jwt_secret=COURSEPATH_SECRET, clock=lambda: clock.now().timestamp())
    sim.seed_member(COURSEPATH_ACTOR, "API Admin")
    return sim


CoursepathMaker = Callable[..., CoursepathConnector]


@pytest.fixture
def make_coursepath(
    coursepath_sim: CoursepathSimulator, clock: FakeClock
) -> Iterator[CoursepathMaker]:
    """Build Coursepath connectors on the simulator (target fields as keywords, `transport=`)."""
    yield from _makers(CoursepathConnector, coursepath_target, coursepath_sim, clock)


@pytest.fixture
def coursepath(make_coursepath: CoursepathMaker) -> CoursepathConnector:
    return make_coursepath()


@pytest.fixture
def coursepath_lossy(coursepath_sim: CoursepathSimulator) -> Callable[..., LosingTransport]:
    """`coursepath_lossy(method, path, deliver=True, times=1)`: the simulator, losing answers."""
    return partial(LosingTransport, coursepath_sim.transport())


# --- Litmos --------------------------------------------------------------------------------

LITMOS_KEY = "litmos-test-key-7c1e42"


def litmos_target(**overrides: Any) -> LitmosTarget:
    fields: dict[str, Any] = {
        "name": "litmos-test",
        "base_url": "https://api.litmos.com/v1.svc",
        "sandbox": True,
        "api_key": LITMOS_KEY,
        "source": "syncd-tests",
    }
    return LitmosTarget(**(fields | overrides))


@pytest.fixture
def litmos_sim(clock: FakeClock) -> LitmosSimulator:
    """A Litmos simulator on the test clock, 100 requests per rolling minute."""
    return LitmosSimulator(api_key=LITMOS_KEY, clock=lambda: clock.now().timestamp())


LitmosMaker = Callable[..., LitmosConnector]


@pytest.fixture
def make_litmos(litmos_sim: LitmosSimulator, clock: FakeClock) -> Iterator[LitmosMaker]:
    """Build Litmos connectors on the simulator (target fields as keywords, `transport=`)."""
    yield from _makers(LitmosConnector, litmos_target, litmos_sim, clock)


@pytest.fixture
def litmos(make_litmos: LitmosMaker) -> LitmosConnector:
    return make_litmos()


@pytest.fixture
def litmos_lossy(litmos_sim: LitmosSimulator) -> Callable[..., LosingTransport]:
    """`litmos_lossy(method, path, deliver=True, times=1)`: the Litmos simulator, losing answers."""
    return partial(LosingTransport, litmos_sim.transport())
