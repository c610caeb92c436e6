"""The per-record peer on Litmos: every list read once (1,000 a page), then one request
per person (`POST /users`; an update reads the user and `PUT`s it whole), per team, per
team membership and per course assignment. It keeps to 100 requests a rolling minute
on its fake clock, waiting the minute out there, never in real time."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

import httpx

from benchmarks.minimum.state import GroupKey, LmsState
from benchmarks.peer.base import PeerWorld, checked, todo
from syncd.clock import FakeClock
from syncd.connectors.litmos.mapping import USER_FIELDS  # the spec's PUT body, in order

LIMIT, PER_MINUTE = 1000, 100
API = "/v1.svc"
RESULTS_WINDOW = {"since": "2000-01-01", "to": "2100-01-01"}


class PacedTransport(httpx.BaseTransport):
    """At most 100 requests in any 60 s of `clock`: the 101st waits (the clock skips)."""

    def __init__(self, inner: httpx.BaseTransport, clock: FakeClock) -> None:
        self.inner, self.clock = inner, clock
        self.sent: deque[float] = deque()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        now = self.clock.monotonic()
        while self.sent and now - self.sent[0] >= 60:
            self.sent.popleft()
        if len(self.sent) >= PER_MINUTE:
            self.clock.advance(60 - (now - self.sent[0]) + 0.001)
            self.sent.popleft()
        self.sent.append(self.clock.monotonic())
        return self.inner.handle_request(request)


class LitmosPeer:
    def __init__(self, world: PeerWorld) -> None:
        paced = PacedTransport(world.sim.transport(), world.clock)
        self.http = httpx.Client(
            transport=paced, base_url=world.target["base_url"].removesuffix(API)
        )
        self.base = {"source": world.target["source"], "format": "json"}
        self.headers = {"apikey": world.target["api_key"], "Content-Type": "application/json"}
        self.users: dict[str, str] = {}
        self.groups: dict[GroupKey, str] = {}
        self.courses: dict[str, str] = {}

    def call(self, method: str, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        query = {**self.base, **(params or {})}
        return checked(
            self.http.request(method, API + path, params=query, headers=self.headers, **kw)
        )

    def pages(self, path: str, **query: str) -> Iterator[dict[str, Any]]:
        start = 0
        while True:
            items = self.call("GET", path, {**query, "start": start, "limit": LIMIT})
            yield from items
            if len(items) < LIMIT:
                return
            start += LIMIT

    def read(self, wanted: LmsState) -> LmsState:
        """Teams are known by name (unique account-wide); a team HR wants sits where HR
        wants it (the peer reads no tree)."""
        users = {}
        for u in self.pages("/users"):
            self.users[u["UserName"]] = u["Id"]
            users[u["UserName"]] = (u["Email"], u["FirstName"], u["LastName"], u["Active"])
        named = {name: key for key, (name, _) in wanted.groups.items()}
        groups: dict[GroupKey, tuple[str, GroupKey | None]] = {}
        members = set()
        for t in self.pages("/teams"):
            key = named.get(t["Name"], ("group", t["Name"]))
            self.groups[key] = t["Id"]
            groups[key] = (t["Name"], wanted.groups.get(key, (t["Name"], None))[1])
            members |= {(key, u["UserName"]) for u in self.pages(f"/teams/{t['Id']}/users")}
        self.courses = {c["Code"]: c["Id"] for c in self.pages("/courses")}
        assigned = {
            (r["Code"], r["UserName"]) for r in self.pages("/results/details", **RESULTS_WINDOW)
        }
        return LmsState(users, groups, frozenset(members), frozenset(assigned))


def run(world: PeerWorld, wanted: LmsState) -> None:
    peer = LitmosPeer(world)
    try:
        _run(peer, wanted)
    finally:
        peer.http.close()


def _run(peer: LitmosPeer, wanted: LmsState) -> None:
    work = todo(peer.read(wanted), wanted)
    change = work.change
    for user in sorted(change.created):
        peer.users[user] = peer.call(
            "POST", "/users", {"sendmessage": "false"}, json=_new(user, wanted)
        )["Id"]
    for user in sorted(change.updated | change.deactivated | change.reactivated):
        _update(peer, user, wanted)
    for key in sorted(change.groups_created, key=lambda k: _depth(k, wanted)):
        name, parent = wanted.groups[key]
        path = f"/teams/{peer.groups[parent]}/teams" if parent else "/teams"
        body = {"Id": "", "Name": name, "Description": f"{key[0]}:{key[1]}"}
        peer.groups[key] = peer.call("POST", path, json=body)["Id"]
    for group, user in work.of_active(change.added):
        peer.call("POST", f"/teams/{peer.groups[group]}/users", json=[{"Id": peer.users[user]}])
    for group, user in work.of_active(change.removed):
        peer.call("DELETE", f"/teams/{peer.groups[group]}/users/{peer.users[user]}")
    for course, user in work.of_active(change.enrolled):
        courses = {"Course": [{"Id": peer.courses[course]}]}
        path = f"/users/{peer.users[user]}/courses"
        peer.call("POST", path, {"sendmessage": "false"}, json=courses)
    for course, user in work.of_active(change.unenrolled):
        peer.call("DELETE", f"/users/{peer.users[user]}/courses/{peer.courses[course]}")


def _new(user: str, wanted: LmsState) -> dict[str, object]:
    email, first, last, active = wanted.users[user]
    return {
        "Id": "", "UserName": user, "FirstName": first, "LastName": last, "FullName": "",
        "Email": email, "AccessLevel": "Learner", "DisableMessages": True, "Active": active,
        "IsCustomUsername": False, "SkipFirstLogin": False, "TimeZone": "UTC",
    }  # fmt: skip


def _update(peer: LitmosPeer, user: str, wanted: LmsState) -> None:
    """Read the whole user, change what HR owns, send it whole (a PUT replaces it)."""
    uid = peer.users[user]
    current = peer.call("GET", f"/users/{uid}")
    email, first, last, active = wanted.users[user]
    current |= {"Email": email, "FirstName": first, "LastName": last, "Active": active}
    current["FullName"] = f"{first} {last}"
    peer.call(
        "PUT",
        f"/users/{uid}",
        json={k: current[k] for k in USER_FIELDS if current.get(k) is not None},
    )


def _depth(key: GroupKey, wanted: LmsState) -> int:
    parent = wanted.groups[key][1]
    return 0 if parent is None else 1 + _depth(parent, wanted)
