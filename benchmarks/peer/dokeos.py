"""The per-record peer on Dokeos API V2: every list read once (100 a page), then one
request per person (`POST /users`, `PUT /users/:id`), per group, per membership (a
`PUT /groups/:id` adding or removing one learner) and per participation. It starts jobs
and does not follow them, as a fire-and-forget script does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from benchmarks.minimum.rules import coded
from benchmarks.minimum.state import GroupKey, LmsState
from benchmarks.peer.base import PeerWorld, checked, todo

ACCEPT = "application/vnd.dokeos+json;version=2"


class DokeosPeer:
    def __init__(self, world: PeerWorld) -> None:
        self.http = world.http
        self.headers = {"Accept": ACCEPT, "Authorization": f"Bearer {world.target['api_token']}"}
        self.users: dict[str, int] = {}
        self.groups: dict[GroupKey, int] = {}
        self.courses: dict[str, int] = {}
        self.participations: dict[tuple[str, str], int] = {}

    def call(self, method: str, path: str, **kw: Any) -> Any:
        return checked(self.http.request(method, path, headers=self.headers, **kw))

    def pages(self, path: str) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            answer = self.call("GET", path, params={"page": page, "per_page": 100})
            yield from answer["data"]
            if page >= answer["meta"]["total_pages"]:
                return
            page += 1

    def read(self) -> LmsState:
        users = {}
        for u in self.pages("/users"):
            self.users[u["username"]] = u["id"]
            users[u["username"]] = (u["email"], u["firstname"], u["lastname"], u["active"])
        names = {v: k for k, v in self.users.items()}
        groups: dict[GroupKey, tuple[str, GroupKey | None]] = {}
        members = set()
        for g in self.pages("/groups"):
            key = coded(g["code"] or "", g["name"])
            self.groups[key], groups[key] = g["id"], (g["name"], None)
            members |= {(key, names[i]) for i in g["learner_ids"]}
        self.courses = {t["code"]: t["id"] for t in self.pages("/trainings")}
        codes = {v: k for k, v in self.courses.items()}
        for p in self.pages("/participations"):
            self.participations[(codes[p["training_id"]], names[p["user_id"]])] = p["id"]
        return LmsState(users, groups, frozenset(members), frozenset(self.participations))


def run(world: PeerWorld, wanted: LmsState) -> None:
    peer = DokeosPeer(world)
    work = todo(peer.read(), wanted)
    change = work.change
    for user in sorted(change.created):
        email, first, last, active = wanted.users[user]
        body = {
            "username": user,
            "email": email,
            "firstname": first,
            "lastname": last,
            "active": active,
        }
        peer.users[user] = peer.call("POST", "/users", json=body)["data"]["id"]
    for user in sorted(change.updated | change.deactivated | change.reactivated):
        email, first, last, active = wanted.users[user]
        body = {"email": email, "firstname": first, "lastname": last, "active": active}
        peer.call("PUT", f"/users/{peer.users[user]}", json=body)
    for key in sorted(change.groups_created):
        body = {"name": wanted.groups[key][0], "code": f"{key[0]}:{key[1]}"}
        peer.groups[key] = peer.call("POST", "/groups", json=body)["data"]["id"]
    for how, pairs in (("add", change.added), ("remove", change.removed)):
        for group, user in work.of_active(pairs):
            body = {f"{how}_learner_ids": [peer.users[user]]}
            peer.call("PUT", f"/groups/{peer.groups[group]}", json=body)
    for course, user in work.of_active(change.enrolled):
        body = {"user_id": peer.users[user], "training_id": peer.courses[course]}
        peer.call("POST", "/participations", json=body)
    for pair in work.of_active(change.unenrolled):
        peer.call("DELETE", f"/participations/{peer.participations[pair]}")
