"""The Litmos simulator pages every list by offset and never answers a short page in the
middle of one: a page shorter than `limit` is the list's last (seed 004: `start` the start
record, `limit` the records to return; the captured walks whose answers' Content-Length
shows a short page found the page after it empty). Filtered lists (active members only,
`showInactive=false`, `search`) are filtered before they are paged, so they keep the rule."""

from __future__ import annotations

import httpx
import pytest

from syncd.sandbox import LitmosSimulator

V1 = "/v1.svc"
WINDOW = {"since": "2000-01-01", "to": "2100-01-01"}


def _world(sim: LitmosSimulator) -> dict[str, str]:
    """Eleven users (every third inactive), a team holding them all with two sub-teams,
    seven courses, each user assigned three; returns the ids the paths name."""
    users = [
        sim.seed_user(f"user{n:02d}", "F", f"L{n}", f"u{n}@acme.test", active=n % 3 != 0)
        for n in range(11)
    ]
    team = sim.seed_team("Top")
    for n in range(2):
        sim.seed_team(f"Sub {n}", parent_id=team)
    courses = [sim.seed_course(f"C{n}", f"Course {n}") for n in range(7)]
    for n, user in enumerate(users):
        sim.add_team_member(team, user)
        for k in range(3):
            sim.assign_course(user, courses[(n + k) % len(courses)])
    return {"team": team}


def _sizes(client: httpx.Client, path: str, limit: int, params: dict[str, str]) -> list[int]:
    """The size of each page from `start` 0 to the first empty one."""
    sizes: list[int] = []
    while not sizes or sizes[-1]:
        start = sum(sizes)
        query = {**params, "start": str(start), "limit": str(limit)}
        page = client.get(f"{V1}{path}", params=query).json()
        assert isinstance(page, list)
        sizes.append(len(page))
    return sizes


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 1000])
def test_a_short_page_is_always_the_last_of_its_list(
    litmos: LitmosSimulator, litmos_client: httpx.Client, limit: int
) -> None:
    team = _world(litmos)["team"]
    lists: list[tuple[str, dict[str, str]]] = [
        ("/users", {}),
        ("/users", {"showInactive": "false"}),
        ("/users", {"search": "user0"}),
        ("/teams", {}),
        (f"/teams/{team}/teams", {}),
        (f"/teams/{team}/users", {}),
        ("/courses", {}),
        ("/results/details", WINDOW),
    ]
    for path, params in lists:
        *full, last, empty = _sizes(litmos_client, path, limit, params)
        assert empty == 0 < last <= limit, (path, params)
        assert set(full) <= {limit}, (path, params, full)  # no short page before the last
