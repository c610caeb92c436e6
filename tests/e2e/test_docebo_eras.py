"""The Docebo scenario suite of test_hr_changes.py, in both API eras of the simulator.

The scenarios (first sync and no change, new hire, rename, email change, deactivation,
rehire, moves between org units, unenrollment…) are test_hr_changes.py's own, collected
here again under a `fresh` world parametrized over the era: each must apply cleanly,
leave Docebo in step and converge (the next cycle plans nothing) in both. A no-change
cycle reads each era through its own lists, a 2017 platform at one refused request
per list it lacks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.sandbox.docebo import API_ERAS, ApiEra
from tests.e2e import test_hr_changes
from tests.e2e.harness import World

# The scenarios and their `world` fixture, collected again under this module's `fresh`.
globals().update(
    {name: obj for name, obj in vars(test_hr_changes).items() if name.startswith("test_")}
)
world = test_hr_changes.world


@pytest.fixture(params=API_ERAS)
def era(request: pytest.FixtureRequest) -> ApiEra:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def fresh(tmp_path: Path, database_url: str, era: ApiEra) -> World:
    """A world whose Docebo, serving `era`'s API, has never been synced."""
    return World(tmp_path, database_url, docebo_era=era)


MODERN_READS = {"/audiences/v1/audience", "/course/v1/courses/{id}/enrollments"}
LEGACY_READS = {"/manage/v1/group", "/learn/v1/enrollments"}


def test_a_cycle_reads_each_era_through_its_own_lists(synced: World, era: ApiEra) -> None:
    synced.sim.clear_log()
    assert synced.plan(synced.run()) == []
    reads = {
        synced.sim.router.match("GET", r.path).route.pattern
        for r in synced.sim.requests
        if r.method == "GET" and r.status == 200
    }
    refused = [(r.path, r.status) for r in synced.sim.requests if r.status != 200]
    modern = era == "modern"
    own, other = (MODERN_READS, LEGACY_READS) if modern else (LEGACY_READS, MODERN_READS)
    assert reads >= own
    assert not reads & other
    assert [path for path, _ in refused] == (
        []
        if modern
        else [
            "/audiences/v1/audience",
            f"/course/v1/courses/{min(synced.sim.state.courses)}/enrollments",
        ]
    )
