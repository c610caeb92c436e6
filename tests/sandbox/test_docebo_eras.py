"""The Docebo simulator's API eras and answer knobs, each rule called directly through httpx.

The default era is "modern": ingestr's branch keys, the flattened orgchart, audiences,
the modern member columns and the per-course enrollment list, all answering from the
same state as the 2017 endpoints; a "2017" platform answers the modern-only lists 404.
`group_member_answer="success"` makes the member writes answer `{"success": true}` only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from syncd.sandbox import DoceboSimulator
from syncd.sandbox.core import ManualClock

Json = dict[str, Any]
ORGCHART = "/manage/v1/orgchart"
GROUPS = "/manage/v1/group"
AUDIENCES = "/audiences/v1/audience"
FLAT = {"flattened": "true", "sort_dir": "asc"}


def course_enrollments(course: int) -> str:
    return f"/course/v1/courses/{course}/enrollments"


def items(response: httpx.Response) -> list[Json]:
    assert response.status_code == 200, response.text
    return list(response.json()["data"]["items"])


def connect(sim: DoceboSimulator) -> httpx.Client:
    headers = {"Authorization": f"Bearer {sim.issue_token()}"}
    return httpx.Client(transport=sim.transport(), base_url="https://d.test", headers=headers)


@pytest.fixture
def legacy(clock: ManualClock) -> Iterator[httpx.Client]:
    """A client of a 2017-era platform with one branch, group and course."""
    sim = DoceboSimulator(clock=clock, api_era="2017")
    sim.seed_branch("B", "Branch")
    sim.seed_group("G")
    sim.seed_course("C", "Course")
    with connect(sim) as client:
        yield client


def tree(sim: DoceboSimulator) -> dict[str, int]:
    """A (top) → A1 → A11 and B tree; ids by code."""
    ids = {"A": sim.seed_branch("A", "Alpha"), "B": sim.seed_branch("B", "Beta")}
    ids["A1"] = sim.seed_branch("A1", "Alpha one", parent_code="A")
    ids["A11"] = sim.seed_branch("A11", "Alpha one one", parent_code="A1")
    return ids


# -- the knobs ----------------------------------------------------------------


def test_the_default_era_is_modern() -> None:
    assert DoceboSimulator().api_era == "modern"
    assert DoceboSimulator(api_era="2017").api_era == "2017"


@pytest.mark.parametrize(
    ("knobs", "words"),
    [({"api_era": "2024"}, "api_era"), ({"group_member_answer": "all"}, "group_member_answer")],
)
def test_unknown_knob_values_are_refused(knobs: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        DoceboSimulator(**knobs)


@pytest.mark.parametrize(
    "path", [AUDIENCES, course_enrollments(1), f"{course_enrollments(1)}?page_size=200"]
)
def test_a_2017_platform_answers_the_modern_lists_404(legacy: httpx.Client, path: str) -> None:
    response = legacy.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == 404


def test_a_2017_platform_ignores_the_flattened_flag(legacy: httpx.Client) -> None:
    assert [i["code"] for i in items(legacy.get(ORGCHART, params=FLAT))] == ["B"]
    assert set(items(legacy.get(ORGCHART))[0]) >= {"id", "title", "i_left", "i_right", "lev"}


# -- branches -------------------------------------------------------------------


def test_modern_branch_items_carry_ingestrs_keys(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ids = tree(sim)
    expected = {
        "id_org": ids["A1"],
        "id_parent": ids["A"],
        "lft": 3,
        "rgt": 6,
        "code": "A1",
        "translation": {"english": "Alpha one"},
        "external_id": None,
    }
    assert client.get(f"{ORGCHART}/{ids['A1']}").json()["data"] == expected
    assert items(client.get(ORGCHART, params={"node_id": ids["A"]})) == [expected]


def test_a_top_level_branch_has_the_root_as_parent(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ids = tree(sim)
    top = items(client.get(ORGCHART, params={"sort_dir": "asc"}))
    assert [(i["id_org"], i["id_parent"], i["lft"]) for i in top] == [
        (ids["A"], 0, 2),
        (ids["B"], 0, 8),
    ]


def test_flattened_lists_every_branch_at_any_depth(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ids = tree(sim)
    flat = items(client.get(ORGCHART, params=FLAT))
    assert {i["code"]: i["id_parent"] for i in flat} == {
        "A": 0,
        "B": 0,
        "A1": ids["A"],
        "A11": ids["A1"],
    }
    assert [i["code"] for i in items(client.get(ORGCHART, params={"sort_dir": "asc"}))] == [
        "A",
        "B",
    ]
    under_a = items(client.get(ORGCHART, params={**FLAT, "node_id": ids["A"]}))
    assert [i["code"] for i in under_a] == ["A1", "A11"]


def test_the_flat_list_pages_like_every_list(client: httpx.Client, sim: DoceboSimulator) -> None:
    tree(sim)
    first = client.get(ORGCHART, params={**FLAT, "page_size": 3}).json()["data"]
    second = client.get(ORGCHART, params={**FLAT, "page_size": 3, "page": 2}).json()["data"]
    assert (first["count"], first["has_more_data"], first["total_count"]) == (3, True, 4)
    assert (second["count"], second["has_more_data"]) == (1, False)


def test_modern_bounds_follow_a_move(client: httpx.Client, sim: DoceboSimulator) -> None:
    ids = tree(sim)
    assert client.post(f"{ORGCHART}/{ids['A1']}/move", json={"id_new_parent": ids["B"]}).is_success
    flat = {i["code"]: i for i in items(client.get(ORGCHART, params=FLAT))}
    assert (flat["A"]["lft"], flat["A"]["rgt"]) == (2, 3)
    assert (flat["B"]["lft"], flat["B"]["rgt"], flat["A1"]["id_parent"]) == (4, 9, ids["B"])


def test_the_flattened_flag_is_checked(client: httpx.Client) -> None:
    response = client.get(ORGCHART, params={"flattened": "yes"})
    assert response.status_code == 400


# -- groups as audiences ----------------------------------------------------------


def test_audiences_list_the_groups_with_ingestrs_columns(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    user = sim.seed_user("u", "u@example.com", "U", "Ser")
    group = sim.seed_group("Sales", "All sales")
    sim.seed_membership(group, user)
    (audience,) = items(client.get(AUDIENCES))
    assert audience == {
        "group_id": group,
        "name": "Sales",
        "description": "All sales",
        "total_members": 1,
        "id_branch": None,
        "enrollment_rules": None,
        "is_default": False,
        "creation_date": "2023-11-14 22:13:20",
        "last_update": "2023-11-14 22:13:20",
    }


def test_audiences_and_the_group_list_answer_from_the_same_groups(
    client: httpx.Client, sim: DoceboSimulator, clock: ManualClock
) -> None:
    for n in range(3):
        sim.seed_group(f"G{n}")
    created = client.post(GROUPS, json={"name": "New"}).json()["data"]["group_id"]
    clock.advance(60)
    assert client.put(f"{GROUPS}/{created}", json={"name": "Renamed"}).is_success
    audiences = items(client.get(AUDIENCES, params={"sort_dir": "asc", "page_size": 200}))
    groups = items(client.get(GROUPS, params={"sort_dir": "asc", "page_size": 200}))
    assert [(a["group_id"], a["name"]) for a in audiences] == [
        (g["group_id"], g["name"]) for g in groups
    ]
    assert audiences[-1]["last_update"] == "2023-11-14 22:14:20"
    assert audiences[-1]["creation_date"] == "2023-11-14 22:13:20"


def test_modern_group_members_carry_the_user_columns(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    user = sim.seed_user("jdoe", "j@example.com", "John", "Doe")
    group = sim.seed_group("Sales")
    sim.seed_membership(group, user)
    assert items(client.get(f"{GROUPS}/{group}/members")) == [
        {
            "group_id": group,
            "user_id": str(user),
            "username": "jdoe",
            "first_name": "John",
            "last_name": "Doe",
            "email": "j@example.com",
            "level": "user",
            "enrollment_date": None,
        }
    ]


# -- enrollments of one course ----------------------------------------------------


def seed_learning(sim: DoceboSimulator) -> tuple[int, int, list[int]]:
    """Two courses; three users in the first (one completed with a score), one in the second."""
    users = [sim.seed_user(f"u{n}", f"u{n}@example.com", "F", f"L{n}") for n in range(3)]
    first, second = sim.seed_course("C1", "One"), sim.seed_course("C2", "Two")
    for user in users:
        sim.seed_enrollment(first, user)
    sim.set_enrollment_progress(first, users[1], status="completed", score=80)
    sim.seed_enrollment(second, users[2])
    return first, second, users


def test_course_enrollment_items(client: httpx.Client, sim: DoceboSimulator) -> None:
    first, _, users = seed_learning(sim)
    asked = {"extra_fields[]": "enrollment_status", "sort_dir": "asc"}
    listed = items(client.get(course_enrollments(first), params=asked))
    assert [(i["user_id"], i["status"]) for i in listed] == [
        (str(users[0]), "subscribed"),
        (str(users[1]), "completed"),
        (str(users[2]), "subscribed"),
    ]
    assert listed[1] == {
        "course_id": first,
        "user_id": str(users[1]),
        "enrollment_date": "2023-11-14 22:13:20",
        "completion_date": "2023-11-14 22:13:20",
        "level": "student",
        "score_given": 80,
        "score_total": None,
        "total_time": 0,
        "expire_date": None,
        "certificate_id": None,
        "status": "completed",
    }


def test_the_status_comes_only_when_asked(client: httpx.Client, sim: DoceboSimulator) -> None:
    _, second, _ = seed_learning(sim)
    (item,) = items(client.get(course_enrollments(second)))
    assert "status" not in item


def test_course_enrollments_page_and_stay_in_their_course(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    first, second, users = seed_learning(sim)
    page = client.get(course_enrollments(first), params={"page_size": 2}).json()["data"]
    assert (page["count"], page["has_more_data"], page["total_count"]) == (2, True, 3)
    assert [i["user_id"] for i in items(client.get(course_enrollments(second)))] == [str(users[2])]


@pytest.mark.parametrize(("ref", "status"), [("999", 404), ("abc", 400)])
def test_course_enrollments_of_a_bad_course(client: httpx.Client, ref: str, status: int) -> None:
    response = client.get(f"/course/v1/courses/{ref}/enrollments")
    assert response.status_code == status
    assert response.json()["code"] == status


# -- the group-member answer knob ---------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_member_writes_may_answer_success_only(clock: ManualClock, method: str) -> None:
    sim = DoceboSimulator(clock=clock, group_member_answer="success")
    user = sim.seed_user("u", "u@example.com", "U", "Ser")
    group = sim.seed_group("G")
    if method == "DELETE":
        sim.seed_membership(group, user)
    with connect(sim) as client:
        response = client.request(method, f"{GROUPS}/{group}/members", json={"user_ids": [user]})
    assert response.status_code == 200
    assert response.json() == {"data": {"success": True}}
    assert sim.snapshot().group_members == (
        frozenset({("G", "u")}) if method == "POST" else frozenset()
    )


def test_member_writes_answer_their_ids_by_default(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    user = sim.seed_user("u", "u@example.com", "U", "Ser")
    group = sim.seed_group("G")
    response = client.post(f"{GROUPS}/{group}/members", json={"user_ids": [user]})
    assert response.json() == {"data": {"success": [user], "errors": []}}
