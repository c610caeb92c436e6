"""Fixtures for connector tests: a fake clock shared with each LMS's simulator, connectors
wired to the simulators in-process, links the tests fill by hand and transports that lose
answers. The LMSs themselves (targets, simulators, credentials) are tests/lms_fixtures.py's;
tests take these as fixtures (importing conftest is ambiguous)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import httpx
import pytest

from syncd.clock import FakeClock
from syncd.connectors.coursepath import CoursepathConnector
from syncd.connectors.docebo import DoceboConnector
from syncd.connectors.dokeos import DokeosConnector
from syncd.connectors.litmos import LitmosConnector
from syncd.sandbox import DoceboSimulator, DokeosSimulator
from syncd.sandbox.coursepath import CoursepathSimulator
from syncd.sandbox.litmos import LitmosSimulator
from tests.lms_fixtures import DOCEBO_CREDENTIALS, LMSS, LosingTransport, Refs, docebo_target

ConnectorMaker = Callable[..., DoceboConnector]
DokeosMaker = Callable[..., DokeosConnector]
CoursepathMaker = Callable[..., CoursepathConnector]
LitmosMaker = Callable[..., LitmosConnector]


@pytest.fixture
def secrets() -> tuple[str, ...]:
    """The Docebo simulator's credentials, as the target below carries them."""
    return tuple(DOCEBO_CREDENTIALS.values())


@pytest.fixture
def target() -> Callable[..., Any]:
    return docebo_target


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def refs() -> Refs:
    return Refs()


def _makers(kind: str, sim: Any, clock: FakeClock) -> Iterator[Callable[..., Any]]:
    """A maker of `kind` connectors on `sim` (target fields as keywords, `transport=` to wrap
    the simulator's); every connector it made is closed when the test ends."""
    made: list[Any] = []

    def make(transport: httpx.BaseTransport | None = None, **fields: Any) -> Any:
        made.append(LMSS[kind].connect(sim, clock, transport, **fields))
        return made[-1]

    yield make
    for connector in made:
        connector.close()


def _lossy(sim: Any) -> Callable[..., LosingTransport]:
    """`lossy(method, path, deliver=True, times=1)`: the simulator's transport, losing answers."""
    return partial(LosingTransport, sim.transport())


# --- Docebo --------------------------------------------------------------------------------


@pytest.fixture
def sim(clock: FakeClock) -> DoceboSimulator:
    return LMSS["docebo"].simulator(clock)  # type: ignore[no-any-return]


@pytest.fixture
def make_connector(sim: DoceboSimulator, clock: FakeClock) -> Iterator[ConnectorMaker]:
    yield from _makers("docebo", sim, clock)


@pytest.fixture
def connector(make_connector: ConnectorMaker) -> DoceboConnector:
    return make_connector()


@pytest.fixture
def lossy(sim: DoceboSimulator) -> Callable[..., LosingTransport]:
    return _lossy(sim)


# --- Dokeos --------------------------------------------------------------------------------


@pytest.fixture
def dokeos_sim(clock: FakeClock) -> DokeosSimulator:
    return LMSS["dokeos"].simulator(clock)  # type: ignore[no-any-return]


@pytest.fixture
def make_dokeos(dokeos_sim: DokeosSimulator, clock: FakeClock) -> Iterator[DokeosMaker]:
    yield from _makers("dokeos", dokeos_sim, clock)


@pytest.fixture
def dokeos(make_dokeos: DokeosMaker) -> DokeosConnector:
    return make_dokeos()


@pytest.fixture
def dokeos_lossy(dokeos_sim: DokeosSimulator) -> Callable[..., LosingTransport]:
    return _lossy(dokeos_sim)


# --- Coursepath ----------------------------------------------------------------------------


@pytest.fixture
def coursepath_sim(clock: FakeClock) -> CoursepathSimulator:
    """With the acting member seeded (id 1)."""
    return LMSS["coursepath"].simulator(clock)  # type: ignore[no-any-return]


@pytest.fixture
def make_coursepath(
    coursepath_sim: CoursepathSimulator, clock: FakeClock
) -> Iterator[CoursepathMaker]:
    yield from _makers("coursepath", coursepath_sim, clock)


@pytest.fixture
def coursepath(make_coursepath: CoursepathMaker) -> CoursepathConnector:
    return make_coursepath()


@pytest.fixture
def coursepath_lossy(coursepath_sim: CoursepathSimulator) -> Callable[..., LosingTransport]:
    return _lossy(coursepath_sim)


# --- Litmos --------------------------------------------------------------------------------


@pytest.fixture
def litmos_sim(clock: FakeClock) -> LitmosSimulator:
    """100 requests per rolling minute, on the test clock."""
    return LMSS["litmos"].simulator(clock)  # type: ignore[no-any-return]


@pytest.fixture
def make_litmos(litmos_sim: LitmosSimulator, clock: FakeClock) -> Iterator[LitmosMaker]:
    yield from _makers("litmos", litmos_sim, clock)


@pytest.fixture
def litmos(make_litmos: LitmosMaker) -> LitmosConnector:
    return make_litmos()


@pytest.fixture
def litmos_lossy(litmos_sim: LitmosSimulator) -> Callable[..., LosingTransport]:
    return _lossy(litmos_sim)
