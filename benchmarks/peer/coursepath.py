"""The per-record peer on Coursepath: a new JWT for every request (as the API asks), every
list read once (1,000 a page), then one request per member, per membership and per
course enrollment; a group nobody joins is made by the acting member joining and leaving
it. It reads no learner's result back (syncd and the minimum do)."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from benchmarks.minimum.state import GroupKey, LmsState
from benchmarks.peer.base import PeerWorld, checked, todo

LIMIT = 1000
API = "/api/v1"


class CoursepathPeer:
    def __init__(self, world: PeerWorld) -> None:
        self.world, self.http = world, world.http
        self.users: dict[str, int] = {}
        self.groups: dict[GroupKey, int] = {}
        self.courses: dict[str, int] = {}

    def call(self, method: str, path: str, **kw: Any) -> Any:
        claims = {
            "email": self.world.target["acting_email"],
            "iat": int(self.world.clock.now().timestamp()),
            "jti": uuid.uuid4().hex,
        }
        with warnings.catch_warnings():  # the sandbox's key is short; moot here
            warnings.simplefilter("ignore", InsecureKeyLengthWarning)
            token = jwt.encode(claims, self.world.target["jwt_secret"], algorithm="HS256")
        headers = {"Authorization": f"Bearer {token}"}
        return checked(self.http.request(method, API + path, headers=headers, **kw))

    def pages(self, path: str) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            items = self.call("GET", path, params={"offset": offset, "limit": LIMIT})
            yield from items
            if len(items) < LIMIT:
                return
            offset += LIMIT

    def read(self) -> LmsState:
        users = {}
        for m in self.pages("/members"):
            if m["email"] == self.world.target["acting_email"]:
                continue
            first, _, last = m["name"].partition(" ")
            self.users[m["email"]] = m["id"]
            users[m["email"]] = (m["email"], first, last, m["active"])
        groups: dict[GroupKey, tuple[str, GroupKey | None]] = {}
        members = set()
        for g in self.pages("/groups"):
            key = ("group", g["name"])
            self.groups[key], groups[key] = g["id"], (g["name"], None)
            members |= {(key, m["email"]) for m in self.pages(f"/groups/{g['id']}/members")}
        self.courses = {c["code"]: c["id"] for c in self.pages("/courses")}
        enrolled = {
            (code, m["email"])
            for code, cid in self.courses.items()
            for m in self.pages(f"/courses/{cid}/members")
        }
        return LmsState(users, groups, frozenset(members), frozenset(enrolled))


def run(world: PeerWorld, wanted: LmsState) -> None:
    peer = CoursepathPeer(world)
    work = todo(peer.read(), wanted)
    change = work.change
    for user in sorted(change.created):
        email, first, last, _ = wanted.users[user]
        peer.users[user] = peer.call(
            "POST", "/members", json={"email": email, "name": f"{first} {last}"}
        )["id"]
    for user in sorted(change.updated | change.deactivated | change.reactivated):
        email, first, last, active = wanted.users[user]
        body = {"email": email, "name": f"{first} {last}", "active": active}
        peer.call("POST", f"/members/{peer.users[user]}", json=body)
    for group, user in work.of_active(change.added):
        peer.call("POST", f"/members/{peer.users[user]}/groups", json={"name": group[1]})
    for group in sorted(change.groups_created - {g for g, _ in change.added}):
        me = peer.call("GET", "/members/me")["id"]  # a group exists once someone joined it
        peer.call("POST", f"/members/{me}/groups", json={"name": group[1]})
        peer.call("DELETE", f"/members/{me}/groups", params={"name": group[1]})
    for group, user in work.of_active(change.removed):
        peer.call("DELETE", f"/members/{peer.users[user]}/groups", params={"name": group[1]})
    for how, pairs in (("POST", change.enrolled), ("DELETE", change.unenrolled)):
        for course, user in work.of_active(pairs):
            path = f"/courses/{peer.courses[course]}/members/{peer.users[user]}/coursemember"
            peer.call(how, path)
