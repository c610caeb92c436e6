"""The HR scenario suite of test_hr_scenarios.py on a Docebo serving its 2017 API.

test_hr_scenarios.py runs the scenarios (first sync, new hire, rename, email change,
deactivation, rehire, moves between org units, unenrollment…) on today's Docebo; here
they are collected again on the 2017 one: each must apply cleanly, leave Docebo in step
and converge (the next cycle plans nothing) there too. A no-change cycle reads each era
through its own lists, a 2017 platform at one refused request per list it lacks.
"""

from __future__ import annotations

import pytest

from syncd.sandbox.docebo import API_ERAS, ApiEra
from tests.e2e import test_hr_scenarios
from tests.e2e.conftest import SyncedWorld

# The scenarios, collected again under this module's `kind` and `world_options`.
globals().update(
    {name: obj for name, obj in vars(test_hr_scenarios).items() if name.startswith("test_")}
)
world = test_hr_scenarios.world


@pytest.fixture
def kind() -> str:
    return "docebo"


@pytest.fixture
def world_options() -> dict[str, str]:
    return {"docebo_era": "2017"}


@pytest.fixture(params=API_ERAS)
def era(request: pytest.FixtureRequest) -> ApiEra:
    return request.param  # type: ignore[no-any-return]


MODERN_READS = {"/audiences/v1/audience", "/learn/v1/enrollments"}
LEGACY_READS = {"/manage/v1/group", "/learn/v1/enrollments"}
PER_COURSE = "/course/v1/courses/{id}/enrollments"  # served by modern tenants, never cheaper


def test_a_cycle_reads_each_era_through_its_own_lists(
    synced_world: SyncedWorld, era: ApiEra
) -> None:
    synced = synced_world("docebo", docebo_era=era)
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
    assert not reads & (other - own)
    assert PER_COURSE not in reads
    assert [path for path, _ in refused] == ([] if modern else ["/audiences/v1/audience"])
