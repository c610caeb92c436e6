"""The Docebo simulator's rules for writes that carry many people at once, called directly:
a user batch row's `active`, its `branch_code` and the `branch_option` that governs it,
`move_to_branch`, and the 1,000-id limit of every list-taking write (docs/lms/docebo.md)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import DoceboSimulator

BATCH = "/manage/v1/user/batch"
MOVE = "/manage/v1/user/move_to_branch"
REMOVE = "/manage/v1/user/remove_from_branch"
STATUS = "/manage/v1/user/change_status"
ASSIGN = "/manage/v1/orgchart/assign_users"
ENROLLMENTS = "/learn/v1/enrollments"
Json = dict[str, Any]


def rows(client: httpx.Client, items: list[Json], **options: object) -> list[Json]:
    answer = client.post(BATCH, json={"items": items, "options": options})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["data"])


def new(username: str, **fields: object) -> Json:
    return {"username": username, "email": f"{username}@acme.com", **fields}


# -- active in the user batch ------------------------------------------------------------


def test_a_row_of_a_user_id_and_active_sets_only_the_status(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    """lms-apis.md 1.7: `active` (bool) is an item field; `user_id` names the user."""
    ann = sim.seed_user("ann", "ann@acme.com", "Ann", "Lee")
    bob = sim.seed_user("bob", "bob@acme.com", "Bob", "Roe", active=False)
    answer = rows(
        client,
        [{"user_id": ann, "active": False}, {"user_id": str(bob), "active": True}],
        update_user_info=True,
    )
    assert [row["success"] for row in answer] == [True, True]
    users = sim.snapshot().users
    assert users["ann"] == ("ann@acme.com", "Ann", "Lee", False)
    assert users["bob"][3] is True


def test_an_active_that_is_not_a_boolean_fails_its_row(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ann = sim.seed_user("ann", "ann@acme.com", "Ann", "Lee")
    [row] = rows(client, [{"user_id": ann, "active": "no"}], update_user_info=True)
    assert (row["success"], row["output"]["error"]) == (False, "active must be a boolean")
    assert sim.snapshot().users["ann"][3] is True


# -- branch_code in the user batch -------------------------------------------------------


def test_a_new_user_row_with_a_branch_code_is_placed_in_that_branch(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    sim.seed_branch("EU", "Europe")
    [row] = rows(client, [new("ann", branch_code="EU")], branch_option="existing")
    assert row["success"] is True
    assert sim.snapshot().branch_members == {("EU", "ann")}


def test_a_branch_code_placed_without_branch_option_is_read_as_existing(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    sim.seed_branch("EU", "Europe")
    [row] = rows(client, [new("ann", branch_code="EU")])
    assert row["success"] is True
    assert sim.snapshot().branch_members == {("EU", "ann")}


@pytest.mark.parametrize("option", ["existing", "autocreate", None])
def test_an_unknown_branch_code_fails_the_row_and_creates_nothing(
    client: httpx.Client, sim: DoceboSimulator, option: str | None
) -> None:
    options = {} if option is None else {"branch_option": option}
    [bad, good] = rows(client, [new("ann", branch_code="NOPE"), new("bob")], **options)
    assert (bad["success"], bad["output"]["user_id"]) == (False, None)
    assert bad["output"]["error"] == "Branch not found: NOPE"
    assert good["success"] is True
    snapshot = sim.snapshot()
    assert set(snapshot.users) == {"bob"}
    assert snapshot.branches == {}


def test_a_branch_code_two_branches_share_fails_the_row(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    sim.seed_branch("EU", "Europe")
    sim.seed_branch("EU", "Europe again")
    [row] = rows(client, [new("ann", branch_code="EU")], branch_option="existing")
    assert row["output"]["error"] == "Branch code not unique: EU"
    assert sim.snapshot().users == {}


def test_branch_option_do_nothing_creates_the_user_unplaced(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    sim.seed_branch("EU", "Europe")
    [row] = rows(client, [new("ann", branch_code="NOPE")], branch_option="do_nothing")
    assert row["success"] is True
    assert sim.snapshot().branch_members == frozenset()


def test_an_unknown_branch_option_is_400(client: httpx.Client, sim: DoceboSimulator) -> None:
    body = {"items": [new("ann")], "options": {"branch_option": "create"}}
    assert client.post(BATCH, json=body).status_code == 400
    assert sim.snapshot().users == {}


def test_an_update_row_with_a_branch_code_moves_the_user_there(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    user = sim.seed_user("ann", "ann@acme.com", "A", "L")
    sim.assign_branch(sim.seed_branch("US", "America"), user)
    sim.seed_branch("EU", "Europe")
    rows(client, [new("ann", branch_code="EU")], update_user_info=True, branch_option="existing")
    assert sim.snapshot().branch_members == {("EU", "ann")}


# -- move_to_branch -------------------------------------------------------------------------


def test_move_to_branch_leaves_every_other_branch(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ann = sim.seed_user("ann", "ann@acme.com", "A", "L")
    bob = sim.seed_user("bob", "bob@acme.com", "B", "L")
    us, uk, eu = (sim.seed_branch(c, c) for c in ("US", "UK", "EU"))
    for branch in (us, uk):
        sim.assign_branch(branch, ann)
    sim.assign_branch(us, bob)
    answer = client.put(MOVE, json={"user_ids": [ann, str(bob)], "branch_ids": [eu]})
    assert answer.json() == {"data": {"success": True}}
    assert sim.snapshot().branch_members == {("EU", "ann"), ("EU", "bob")}


@pytest.mark.parametrize(
    "body",
    [{"user_ids": [1]}, {"branch_ids": [1]}, {"user_ids": [], "branch_ids": [1]}],
)
def test_move_to_branch_needs_both_lists(client: httpx.Client, body: Json) -> None:
    assert client.put(MOVE, json=body).status_code == 400


def test_move_to_branch_with_an_unknown_id_changes_nothing(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ann = sim.seed_user("ann", "ann@acme.com", "A", "L")
    sim.assign_branch(sim.seed_branch("US", "US"), ann)
    answer = client.put(MOVE, json={"user_ids": [ann, 999], "branch_ids": [998]})
    assert answer.status_code == 400
    assert "999" in answer.json()["message"]
    assert "998" in answer.json()["message"]
    assert sim.snapshot().branch_members == {("US", "ann")}


def test_move_to_branch_is_not_a_serial_call(client: httpx.Client, sim: DoceboSimulator) -> None:
    ann = sim.seed_user("ann", "ann@acme.com", "A", "L")
    client.put(MOVE, json={"user_ids": [ann], "branch_ids": [sim.seed_branch("EU", "EU")]})
    assert [r.path for r in sim.requests if r.path == MOVE] == [MOVE]
    assert sim.violations == []


# -- at most 1,000 ids a call ---------------------------------------------------------------


def many(n: int) -> list[int]:
    return list(range(1, n + 1))


def capped_calls(branch: int, course: int) -> list[tuple[str, str, Json, Json]]:
    """(method, path, body with 1,000 ids, body with 1,001) of every list-taking write."""
    lists = {n: many(n) for n in (1000, 1001)}
    ids = {n: ",".join(map(str, lists[n])) for n in lists}
    calls = [
        ("PUT", STATUS, {"status": 0}, "user_ids"),
        ("PUT", REMOVE, {"branch_ids": [branch]}, "user_ids"),
        ("PUT", MOVE, {"branch_ids": [branch]}, "user_ids"),
        ("POST", "/manage/v1/group/{group}/members", {}, "user_ids"),
        ("DELETE", "/manage/v1/group/{group}/members", {}, "user_ids"),
        ("POST", ENROLLMENTS, {"course_ids": [course]}, "user_ids"),
        ("DELETE", ENROLLMENTS, {"course_ids": [course]}, "user_ids"),
    ]
    out = [(m, p, {**b, key: lists[1000]}, {**b, key: lists[1001]}) for m, p, b, key in calls]
    assign = ({"id_org": branch, "id_users": ids[1000]}, {"id_org": branch, "id_users": ids[1001]})
    return [*out, ("POST", ASSIGN, *assign)]


def test_every_list_taking_write_takes_1000_ids_and_refuses_1001(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    for n in many(1000):
        sim.seed_user(f"u{n}", f"u{n}@acme.com", "F", "L")
    branch, course = sim.seed_branch("EU", "EU"), sim.seed_course("C1", "C1")
    group = sim.seed_group("sales")
    for method, pattern, fits, over in capped_calls(branch, course):
        path = pattern.format(group=group)
        refused = client.request(method, path, json=over)
        assert refused.status_code == 400, (method, path)
        assert "At most 1000" in refused.json()["message"]
        assert client.request(method, path, json=fits).status_code == 200, (method, path)


def test_enrollments_count_courses_times_users(client: httpx.Client, sim: DoceboSimulator) -> None:
    courses = [sim.seed_course(f"C{n}", f"C{n}") for n in range(2)]
    body = {"course_ids": courses, "user_ids": many(501)}
    assert client.post(ENROLLMENTS, json=body).status_code == 400
    assert sim.snapshot().enrollments == frozenset()
