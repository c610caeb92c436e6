"""An LMS's state in neutral terms, and what changed between two of them.

`LmsState` is what each `benchmarks/minimum/<lms>.py` reads off its simulator (before and
after a cycle) and what `desired.py` computes from HR: logins, group keys, course codes.
`Changes` holds the set differences the minimum counts: users to create, update,
(de)activate; groups to create, rename, move, delete; members and enrollments to add and
remove. Nothing here knows syncd's plan: only two states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

UserView = tuple[str, str, str, bool]  # email, first name, last name, active
GroupKey = tuple[str, str]  # ("org_unit", code) or ("group", code or name, as the LMS keys it)
Member = tuple[GroupKey, str]  # (group, login)
Assignment = tuple[str, str]  # (course code, login)


@dataclass(frozen=True, slots=True)
class LmsState:
    """users: login -> view; groups: key -> (name, parent key); members: (group, login);
    enrollments: (course code, login); managers: (group, login) where the LMS has them;
    courses: the catalog's codes. The account the API acts as is left out."""

    users: Mapping[str, UserView] = field(default_factory=dict)
    groups: Mapping[GroupKey, tuple[str, GroupKey | None]] = field(default_factory=dict)
    members: frozenset[Member] = frozenset()
    enrollments: frozenset[Assignment] = frozenset()
    managers: frozenset[Member] = frozenset()
    courses: tuple[str, ...] = ()

    def members_of(self, group: GroupKey) -> int:
        return sum(1 for g, _ in self.members if g == group)

    def enrolled_in(self, course: str) -> int:
        return sum(1 for c, _ in self.enrollments if c == course)


@dataclass(frozen=True, slots=True)
class Changes:
    """What turns `before` into `after`, as sets (see `changes`)."""

    created: frozenset[str]
    updated: frozenset[str]  # email or a name differs
    deactivated: frozenset[str]
    reactivated: frozenset[str]
    groups_created: frozenset[GroupKey]
    renamed: frozenset[GroupKey]
    moved: frozenset[GroupKey]
    groups_deleted: frozenset[GroupKey]
    added: frozenset[Member]
    removed: frozenset[Member]
    managers_added: frozenset[Member]
    managers_removed: frozenset[Member]
    enrolled: frozenset[Assignment]
    unenrolled: frozenset[Assignment]

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__slots__)


def changes(before: LmsState, after: LmsState) -> Changes:
    """The set differences between two states (a user gone from `after` is ignored: syncd
    deactivates, never deletes, unless told)."""
    old, new = before.users, after.users
    both = old.keys() & new.keys()
    common = before.groups.keys() & after.groups.keys()
    return Changes(
        created=frozenset(new.keys() - old.keys()),
        updated=frozenset(u for u in both if old[u][:3] != new[u][:3]),
        deactivated=frozenset(u for u in both if old[u][3] and not new[u][3]),
        reactivated=frozenset(u for u in both if new[u][3] and not old[u][3]),
        groups_created=frozenset(after.groups.keys() - before.groups.keys()),
        renamed=frozenset(g for g in common if before.groups[g][0] != after.groups[g][0]),
        moved=frozenset(g for g in common if before.groups[g][1] != after.groups[g][1]),
        groups_deleted=frozenset(before.groups.keys() - after.groups.keys()),
        added=after.members - before.members,
        removed=before.members - after.members,
        managers_added=after.managers - before.managers,
        managers_removed=before.managers - after.managers,
        enrolled=after.enrollments - before.enrollments,
        unenrolled=before.enrollments - after.enrollments,
    )


def mismatches(actual: LmsState, wanted: LmsState) -> list[str]:
    """How `actual` differs from `wanted`, one line per part that differs (empty: equal)."""
    lines = []
    for part in ("users", "groups", "members", "enrollments", "managers"):
        have, want = getattr(actual, part), getattr(wanted, part)
        if have != want:
            lines.append(_describe(part, have, want))
    return lines


def _describe(part: str, have: object, want: object) -> str:
    if isinstance(have, Mapping) and isinstance(want, Mapping):
        extra = [k for k in have if k not in want]
        missing = [k for k in want if k not in have]
        differ = [k for k in want if k in have and have[k] != want[k]]
        sample = (extra + missing + differ)[:3]
        return f"{part}: {len(extra)} extra, {len(missing)} missing, {len(differ)} differ {sample}"
    assert isinstance(have, frozenset)
    assert isinstance(want, frozenset)
    extra, missing = sorted(have - want, key=str), sorted(want - have, key=str)
    return f"{part}: {len(extra)} extra, {len(missing)} missing {(extra + missing)[:3]}"
