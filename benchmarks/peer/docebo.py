"""The per-record peer on Docebo: OAuth once, every list read once, then one request per
person (a one-item `user/batch`, as the simulator serves no single-user create) and one
per branch, group, membership and enrollment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from benchmarks.minimum.state import GroupKey, LmsState
from benchmarks.peer.base import PeerWorld, checked, todo

PAGE = {"page_size": "200"}


class DoceboPeer:
    def __init__(self, world: PeerWorld) -> None:
        self.http, self.target = world.http, world.target
        self.headers: dict[str, str] = {}
        self.users: dict[str, int] = {}
        self.groups: dict[GroupKey, int] = {}
        self.courses: dict[str, int] = {}

    def login(self) -> None:
        form = {"grant_type": "password", "scope": "api"}
        form |= {k: self.target[k] for k in ("client_id", "client_secret", "username", "password")}
        token = checked(self.http.post("/oauth2/token", data=form))["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def pages(self, path: str, **query: str) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            answer = self.call("GET", path, params={**PAGE, **query, "page": str(page)})["data"]
            yield from answer["items"]
            if not answer.get("has_more_data"):
                return
            page += 1

    def call(self, method: str, path: str, **kw: Any) -> Any:
        return checked(self.http.request(method, path, headers=self.headers, **kw))

    def read(self) -> LmsState:
        users, members = {}, set()
        for item in self.pages("/manage/v1/user"):
            self.users[item["username"]] = int(item["user_id"])
            active = str(item["status"]) == "1"
            users[item["username"]] = (item["email"], item["first_name"], item["last_name"], active)
        names = {v: k for k, v in self.users.items()}
        branches = list(self.pages("/manage/v1/orgchart", flattened="true"))
        by_id = {int(b["id_org"]): b["code"] for b in branches}
        groups: dict[GroupKey, tuple[str, GroupKey | None]] = {}
        for b in branches:
            key, parent = ("org_unit", b["code"]), by_id.get(int(b["id_parent"] or 0))
            self.groups[key] = int(b["id_org"])
            groups[key] = (_title(b["translation"]), ("org_unit", parent) if parent else None)
            path = f"/manage/v1/orgchart/{b['id_org']}/users"
            members |= {
                (key, names[int(u["user_id"])]) for u in self.pages(path, only_first_level="1")
            }
        for g in self.pages("/audiences/v1/audience"):
            key = ("group", g["name"])
            self.groups[key], groups[key] = int(g["group_id"]), (g["name"], None)
            path = f"/manage/v1/group/{g['group_id']}/members"
            members |= {(key, names[int(u["user_id"])]) for u in self.pages(path)}
        self.courses = {c["code"]: int(c["id_course"]) for c in self.pages("/learn/v1/courses")}
        codes = {v: k for k, v in self.courses.items()}
        enrollments = frozenset(
            (codes[int(e["id"])], names[int(e["user_id"])])
            for e in self.pages("/learn/v1/enrollments")
        )
        return LmsState(users, groups, frozenset(members), enrollments)


def _title(translation: Any) -> str:
    if isinstance(translation, dict):
        return str(translation.get("english") or next(iter(translation.values()), ""))
    return str(translation)


def run(world: PeerWorld, wanted: LmsState) -> None:
    peer = DoceboPeer(world)
    peer.login()
    work = todo(peer.read(), wanted)
    change = work.change
    for user in sorted(change.created | change.updated):
        _upsert(peer, user, wanted)
    for user in sorted(change.deactivated | change.reactivated):
        status = 1 if wanted.users[user][3] else 0
        peer.call(
            "PUT",
            "/manage/v1/user/change_status",
            json={"user_ids": [peer.users[user]], "status": status},
        )
    for key in sorted(change.groups_created, key=lambda k: _depth(k, wanted)):
        _create_group(peer, key, wanted)
    for group, user in work.of_active(change.added):
        _member(peer, "add", group, user)
    for group, user in work.of_active(change.removed):
        _member(peer, "remove", group, user)
    for course, user in work.of_active(change.enrolled):
        body = {"course_ids": [peer.courses[course]], "user_ids": [peer.users[user]]}
        peer.call("POST", "/learn/v1/enrollments", json=body)
    for course, user in work.of_active(change.unenrolled):
        body = {"course_ids": [peer.courses[course]], "user_ids": [peer.users[user]]}
        peer.call("DELETE", "/learn/v1/enrollments", json=body)


def _upsert(peer: DoceboPeer, user: str, wanted: LmsState) -> None:
    email, first, last, active = wanted.users[user]
    item = {
        "username": user,
        "email": email,
        "first_name": first,
        "last_name": last,
        "active": active,
    }
    body = {"items": [item], "options": {"update_user_info": True}}
    rows = peer.call("POST", "/manage/v1/user/batch", json=body)["data"]
    peer.users[user] = int(rows[0]["output"]["user_id"])


def _depth(key: GroupKey, wanted: LmsState) -> int:
    parent = wanted.groups[key][1]
    return 0 if parent is None else 1 + _depth(parent, wanted)


def _create_group(peer: DoceboPeer, key: GroupKey, wanted: LmsState) -> None:
    name, parent = wanted.groups[key]
    if key[0] == "group":
        answer = peer.call("POST", "/manage/v1/group", json={"name": name})
        peer.groups[key] = int(answer["data"]["group_id"])
        return
    body = {
        "code": key[1],
        "translations": {"english": name},
        "id_parent": peer.groups.get(parent, 0) if parent else 0,
    }
    peer.groups[key] = int(peer.call("POST", "/manage/v1/orgchart", json=body)["data"]["id"])


def _member(peer: DoceboPeer, how: str, group: GroupKey, user: str) -> None:
    gid, uid = peer.groups[group], peer.users[user]
    if group[0] == "org_unit" and how == "add":
        peer.call(
            "POST", "/manage/v1/orgchart/assign_users", json={"id_org": gid, "id_users": str(uid)}
        )
    elif group[0] == "org_unit":
        peer.call(
            "PUT",
            "/manage/v1/user/remove_from_branch",
            json={"user_ids": [uid], "branch_ids": [gid]},
        )
    else:
        peer.call(
            "POST" if how == "add" else "DELETE",
            f"/manage/v1/group/{gid}/members",
            json={"user_ids": [uid]},
        )
