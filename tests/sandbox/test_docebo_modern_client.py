"""A read client of today, written with plain httpx, reads the simulator's whole state.

It reads as bruin-data/ingestr does (lms-apis.md 1.2-1.6): a password-grant token,
users from `manage/v1/user`, the branch tree in one flattened walk of
`manage/v1/orgchart` with the modern keys, groups as audiences and their members,
courses by `id_course` (asked 1,000 a page, as ingestr does: the default applies),
and each course's enrollments with `extra_fields[]=enrollment_status` (and each
branch's own users, `only_first_level=1`); every list at page_size 200 until
`has_more_data` is false. What it reads is the simulator's snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from syncd.sandbox import DoceboSimulator
from syncd.sandbox.docebo import DoceboSnapshot
from tests.lms_fixtures import DOCEBO_PASSWORD_GRANT as GRANT

Json = dict[str, Any]
BASE_URL = "https://acme.docebosaas.test"


def walk(client: httpx.Client, path: str, page_size: int = 200, **params: str) -> Iterator[Json]:
    """Every item of a list: page 1 on, until `has_more_data` is false."""
    page = 1
    while True:
        response = client.get(path, params={**params, "page": page, "page_size": page_size})
        assert response.status_code == 200, (path, response.text)
        data = response.json()["data"]
        yield from data["items"]
        if not data["has_more_data"]:
            return
        page += 1


def seed(sim: DoceboSimulator) -> None:
    """450 users (three pages), a three-level tree, three groups, three courses."""
    users = [
        sim.seed_user(f"u{n:03}", f"u{n:03}@acme.com", f"F{n}", f"L{n}", active=n % 7 != 0)
        for n in range(450)
    ]
    branches = {
        "HQ": sim.seed_branch("HQ", "Headquarters"),
        "EU": sim.seed_branch("EU", "Europe", parent_code="HQ"),
        "DE": sim.seed_branch("DE", "Germany", parent_code="EU"),
        "US": sim.seed_branch("US", "United States"),
    }
    for n, user in enumerate(users):
        sim.assign_branch(list(branches.values())[n % 4], user)
    for g, name in enumerate(("All", "Sales", "Empty")):
        group = sim.seed_group(name, f"{name} people")
        for user in users[: 300 // (g + 1) if name != "Empty" else 0]:
            sim.seed_membership(group, user)
    for c, (code, name) in enumerate((("SEC-101", "Security"), ("GDPR", "GDPR"), ("X", "X"))):
        course = sim.seed_course(code, name)
        for user in users[: (250, 40, 0)[c]]:
            sim.seed_enrollment(course, user)


def read_like_a_client_of_today(client: httpx.Client) -> DoceboSnapshot:
    users = {u["user_id"]: u for u in walk(client, "/manage/v1/user")}
    usernames = {str(user_id): u["username"] for user_id, u in users.items()}
    flat = list(walk(client, "/manage/v1/orgchart", flattened="true"))
    codes = {b["id_org"]: b["code"] for b in flat}
    groups = list(walk(client, "/audiences/v1/audience"))
    courses = list(walk(client, "/learn/v1/courses", page_size=1000))
    return DoceboSnapshot(
        users={
            u["username"]: (u["email"], u["first_name"], u["last_name"], u["status"] == "1")
            for u in users.values()
        },
        branches={
            b["code"]: (b["translation"]["english"], codes.get(b["id_parent"])) for b in flat
        },
        branch_members=frozenset(
            (b["code"], usernames[str(u["user_id"])])
            for b in flat
            for u in walk(client, f"/manage/v1/orgchart/{b['id_org']}/users", only_first_level="1")
        ),
        groups={g["name"]: g["description"] for g in groups},
        group_members=frozenset(
            (g["name"], m["username"])
            for g in groups
            for m in walk(client, f"/manage/v1/group/{g['group_id']}/members")
        ),
        enrollments=frozenset(
            (c["code"], usernames[e["user_id"]])
            for c in courses
            for e in walk(
                client,
                f"/course/v1/courses/{c['id_course']}/enrollments",
                **{"extra_fields[]": "enrollment_status"},
            )
        ),
    )


def test_a_read_client_of_today_gets_exactly_the_simulators_state() -> None:
    sim = DoceboSimulator()
    seed(sim)
    with httpx.Client(transport=sim.transport(), base_url=BASE_URL) as client:
        token = client.post("/oauth2/token", data=GRANT).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        read = read_like_a_client_of_today(client)
    assert read == sim.snapshot()
    assert len(read.users) == 450
    assert len(read.enrollments) == 290
    assert read.branches["DE"] == ("Germany", "EU")
    assert all(r.status == 200 for r in sim.requests)
