"""The data of one simulated Docebo platform, and its invariants.

`DoceboState` holds users, branches (a nested set under root 0, renumbered on
every change), groups, courses, enrollments, the new users it emailed, issued
tokens and list cursors,
and the two answer knobs (`era`, `member_answer`) the handlers render by.
It validates nothing a client sends (handlers do) and is not locked: the
simulator calls it under its lock. Every change bumps `version`.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from syncd.sandbox.docebo.records import (
    ROOT_ID,
    ApiEra,
    Bounds,
    Branch,
    Course,
    Enrollment,
    Group,
    MemberAnswer,
    User,
)
from syncd.sandbox.faults import Clock

T = TypeVar("T")

TOKEN_LIFETIME = 3600
ID_KINDS = ("user", "branch", "group", "course")
CursorQuery = tuple[tuple[str, str], ...]


class DoceboState:
    """Users, branches, groups, courses, enrollments, tokens and cursors."""

    def __init__(
        self,
        clock: Clock,
        default_page_size: int,
        era: ApiEra = "modern",
        member_answer: MemberAnswer = "ids",
    ) -> None:
        self.clock = clock
        self.default_page_size = default_page_size
        self.era: ApiEra = era
        self.member_answer: MemberAnswer = member_answer
        self.reset()

    def reset(self) -> None:
        self.users: dict[int, User] = {}
        self._usernames: dict[str, int] = {}
        self._emails: dict[str, int] = {}
        self.branches: dict[int, Branch] = {}
        self._codes: dict[str, set[int]] = {}
        self.branch_users: dict[int, set[int]] = {}
        self.groups: dict[int, Group] = {}
        self.group_users: dict[int, set[int]] = {}
        self.courses: dict[int, Course] = {}
        self.enrollments: dict[tuple[int, int], Enrollment] = {}
        self.counters: dict[str, int] = dict.fromkeys(ID_KINDS, 0)
        self.tokens: dict[str, float] = {}
        self.refresh_tokens: set[str] = set()
        self.cursors: dict[str, tuple[str, CursorQuery]] = {}
        # The new users Docebo sent its notification email to (user batch rows that
        # created an account without `send_notification_email: false`), oldest first.
        self.notified: list[int] = []
        self.version = 0
        self._cache: dict[tuple[object, ...], list[Any]] = {}
        self._cache_version = -1
        self.renumber()

    # -- common -----------------------------------------------------------

    def next_id(self, kind: str) -> int:
        self.counters[kind] += 1
        return self.counters[kind]

    def now_text(self) -> str:
        """The clock as Docebo prints dates: "YYYY-MM-DD HH:MM:SS" (UTC)."""
        return docebo_date(self.clock())

    def touch(self) -> None:
        self.version += 1

    def cached(self, key: tuple[object, ...], build: Callable[[], list[T]]) -> list[T]:
        """`build()` memoised until the next change of the state."""
        if self._cache_version != self.version:
            self._cache.clear()
            self._cache_version = self.version
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    # -- users ------------------------------------------------------------

    def put_user(self, user: User) -> None:
        old = self.users.get(user.user_id)
        if old is not None:
            self._usernames.pop(old.username.casefold(), None)
            self._emails.pop(old.email.casefold(), None)
        self.users[user.user_id] = user
        self._usernames[user.username.casefold()] = user.user_id
        if user.email:
            self._emails[user.email.casefold()] = user.user_id
        self.touch()

    def remove_user(self, user_id: int) -> None:
        """Delete a user with their branch and group memberships and their enrollments."""
        user = self.users.pop(user_id)
        self._usernames.pop(user.username.casefold(), None)
        self._emails.pop(user.email.casefold(), None)
        for members in (*self.branch_users.values(), *self.group_users.values()):
            members.discard(user_id)
        for key in [k for k in self.enrollments if k[1] == user_id]:
            del self.enrollments[key]
        self.touch()

    def user_by_username(self, username: str) -> User | None:
        user_id = self._usernames.get(username.casefold())
        return None if user_id is None else self.users[user_id]

    def user_by_email(self, email: str) -> User | None:
        user_id = self._emails.get(email.casefold())
        return None if user_id is None else self.users[user_id]

    # -- branches ---------------------------------------------------------

    def add_branch(self, code: str, translations: Sequence[tuple[str, str]], parent: int) -> Branch:
        branch = Branch(self.next_id("branch"), code, tuple(translations), parent)
        self.put_branch(branch)
        return branch

    def put_branch(self, branch: Branch) -> None:
        old = self.branches.get(branch.id)
        if old is not None:
            self._codes[old.code].discard(branch.id)
        self.branches[branch.id] = branch
        self._codes.setdefault(branch.code, set()).add(branch.id)
        self.renumber()

    def replace_branches(self, branches: Sequence[Branch]) -> None:
        """Install a whole tree at once (parents may come after children)."""
        self.branches = {branch.id: branch for branch in branches}
        self._codes = {}
        for branch in branches:
            self._codes.setdefault(branch.code, set()).add(branch.id)
        self.renumber()

    def remove_branch(self, branch_id: int) -> None:
        branch = self.branches.pop(branch_id)
        self._codes[branch.code].discard(branch_id)
        self.branch_users.pop(branch_id, None)
        self.renumber()

    def branches_by_code(self, code: str) -> list[Branch]:
        return [self.branches[i] for i in sorted(self._codes.get(code, ()))]

    def children(self, parent_id: int) -> list[Branch]:
        return [self.branches[i] for i in self._children.get(parent_id, [])]

    def descendants(self, node_id: int) -> list[Branch]:
        """Every branch under `node_id` (the root: the whole tree), at any depth."""
        found: list[Branch] = []
        pending = [node_id]
        while pending:
            children = self.children(pending.pop())
            found.extend(children)
            pending.extend(child.id for child in children)
        return found

    def is_within(self, branch_id: int, ancestor_id: int) -> bool:
        """True when `branch_id` is `ancestor_id` or one of its descendants."""
        inner, outer = self.bounds[branch_id], self.bounds[ancestor_id]
        return outer.i_left <= inner.i_left and inner.i_right <= outer.i_right

    def renumber(self) -> None:
        """Recompute every branch's nested-set bounds (children by id)."""
        children: dict[int, list[int]] = {}
        for branch_id in sorted(self.branches):
            children.setdefault(self.branches[branch_id].parent_id, []).append(branch_id)
        self._children = children
        self.bounds = _nested_set(children)
        self.touch()

    def users_in_branch(self, branch_id: int) -> list[User]:
        return [self.users[i] for i in sorted(self.branch_users.get(branch_id, ()))]

    # -- groups -----------------------------------------------------------

    def add_group(self, name: str, description: str) -> Group:
        now = self.now_text()
        group = Group(self.next_id("group"), name, description, now, now)
        self.put_group(group)
        return group

    def put_group(self, group: Group) -> None:
        self.groups[group.group_id] = group
        self.touch()

    def remove_group(self, group_id: int) -> None:
        del self.groups[group_id]
        self.group_users.pop(group_id, None)
        self.touch()

    def group_by_name(self, name: str) -> Group | None:
        return next((g for g in self.groups.values() if g.name == name), None)

    def users_in_group(self, group_id: int) -> list[User]:
        return [self.users[i] for i in sorted(self.group_users.get(group_id, ()))]

    # -- memberships ------------------------------------------------------

    def set_member(self, table: dict[int, set[int]], owner: int, user_id: int, on: bool) -> None:
        """Add (`on`) or remove `user_id` in `owner`'s set of `table`."""
        members = table.setdefault(owner, set())
        if on:
            members.add(user_id)
        else:
            members.discard(user_id)
        self.touch()

    # -- courses and enrollments ------------------------------------------

    def add_course(self, code: str, name: str) -> Course:
        course = Course(self.next_id("course"), code, name)
        self.courses[course.id] = course
        self.touch()
        return course

    def enroll(self, course_id: int, user_id: int, status: str, level: int) -> Enrollment:
        """Enroll (idempotent: an existing enrollment is kept as it is)."""
        key = (course_id, user_id)
        if key not in self.enrollments:
            done = self.now_text() if status == "completed" else None
            self.enrollments[key] = Enrollment(
                course_id, user_id, status, level, self.now_text(), done, None
            )
            self.touch()
        return self.enrollments[key]

    def put_enrollment(self, enrollment: Enrollment) -> None:
        self.enrollments[(enrollment.course_id, enrollment.user_id)] = enrollment
        self.touch()

    def unenroll(self, course_id: int, user_id: int) -> None:
        if self.enrollments.pop((course_id, user_id), None) is not None:
            self.touch()

    # -- tokens -----------------------------------------------------------

    def issue_token(self) -> tuple[str, str]:
        """A fresh (access token, refresh token); expired tokens are purged."""
        now = self.clock()
        self.tokens = {t: exp for t, exp in self.tokens.items() if exp > now}
        access, refresh = secrets.token_hex(20), secrets.token_hex(20)
        self.tokens[access] = now + TOKEN_LIFETIME
        self.refresh_tokens.add(refresh)
        return access, refresh

    def token_expiry(self, token: str) -> float | None:
        return self.tokens.get(token)

    # -- cursors ----------------------------------------------------------

    def cursor_for(self, path: str, query: CursorQuery) -> str:
        """A stable cursor naming a list query (same query, same cursor)."""
        token = hashlib.sha256(f"{path}?{urlencode(query)}".encode()).hexdigest()[:40]
        self.cursors[token] = (path, query)
        return token


def docebo_date(seconds: float) -> str:
    """Seconds since the epoch as Docebo prints dates: "YYYY-MM-DD HH:MM:SS" (UTC)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


def _nested_set(children: dict[int, list[int]]) -> dict[int, Bounds]:
    """Nested-set bounds by a depth-first walk from the root (left = 1)."""
    bounds: dict[int, Bounds] = {}
    left: dict[int, int] = {}
    counter = 0
    stack: list[tuple[int, int, bool]] = [(ROOT_ID, 0, False)]
    while stack:
        node, lev, leaving = stack.pop()
        counter += 1
        if leaving:
            bounds[node] = Bounds(left[node], counter, lev)
            continue
        left[node] = counter
        stack.append((node, lev, True))
        stack.extend((child, lev + 1, False) for child in reversed(children.get(node, [])))
    return bounds
