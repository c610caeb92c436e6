"""Resolving a target's shadow into HR keys: links first, then adoption by natural key.

Pure. A linked remote object that the fetch did not see is *gone* when the
fetch was complete (the link is stale), and *unknown* when it was not (the
object is assumed to exist and left alone this cycle). An unlinked remote
object that matches a wanted HR object by natural key is adopted, never
duplicated; one remote object is adopted for at most one HR key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from syncd.keys import GroupKey, Links, ObjectKey, UserKey
from syncd.operations import Adopt
from syncd.records import (
    EmployeeId,
    Group,
    GroupKind,
    GroupRef,
    Person,
    RemoteGroup,
    RemoteId,
    RemoteUser,
)

K = TypeVar("K")
R = TypeVar("R", RemoteUser, RemoteGroup)


@dataclass(slots=True)
class Resolved(Generic[K, R]):
    """HR key -> remote object seen in this fetch; `unknown`: linked, unseen, fetch partial."""

    matched: dict[K, R] = field(default_factory=dict)
    unknown: set[K] = field(default_factory=set)
    adoptions: list[Adopt] = field(default_factory=list)
    stale_links: set[K] = field(default_factory=set)


def resolve_users(
    people: Mapping[EmployeeId, Person],
    remote: Iterable[RemoteUser],
    links: Links,
    *,
    natural_keys: tuple[str, ...],
    complete: bool,
) -> Resolved[EmployeeId, RemoteUser]:
    by_id = {u.remote_id: u for u in remote}
    result: Resolved[EmployeeId, RemoteUser] = Resolved()
    linked = links.users()
    _apply_links(result, linked, by_id, complete)
    claimed = set(linked.values())
    index = user_index(by_id.values(), natural_keys, claimed)
    for emp in sorted(people):
        if emp in result.matched or emp in result.unknown:
            continue
        found = first_match(index, person_keys(people[emp], natural_keys), claimed)
        if found is not None:
            _adopt(result, (emp, UserKey(emp)), found, claimed)
    return result


def resolve_groups(
    groups: Mapping[GroupRef, Group],
    remote: Iterable[RemoteGroup],
    links: Links,
    *,
    groups_have_codes: bool,
    complete: bool,
) -> Resolved[GroupRef, RemoteGroup]:
    by_id = {(g.kind, g.remote_id): g for g in remote}
    result: Resolved[GroupRef, RemoteGroup] = Resolved()
    for kind in GroupKind:
        linked = links.groups(kind)
        seen = {rid: g for (k, rid), g in by_id.items() if k is kind}
        _apply_links(result, linked, seen, complete)
        claimed = set(linked.values())
        by_code = kind is GroupKind.ORG_UNIT and groups_have_codes
        index = _group_index(seen.values(), by_code, claimed)
        for ref in sorted(r for r in groups if r.kind is kind):
            if ref in result.matched or ref in result.unknown:
                continue
            wanted = ref.code if by_code else groups[ref].name.casefold()
            found = first_match(index, [wanted], claimed)
            if found is not None:
                _adopt(result, (ref, GroupKey(ref)), found, claimed)
    return result


def _apply_links(
    result: Resolved[K, R], linked: Mapping[K, RemoteId], seen: Mapping[RemoteId, R], complete: bool
) -> None:
    for key, rid in linked.items():
        if rid in seen:
            result.matched[key] = seen[rid]
        elif complete:
            result.stale_links.add(key)
        else:
            result.unknown.add(key)


def _adopt(
    result: Resolved[K, R], keys: tuple[K, ObjectKey], found: R, claimed: set[RemoteId]
) -> None:
    """Match `found` to the HR key and adopt it for the object key (the two names of one
    object: `keys`)."""
    key, object_key = keys
    result.matched[key] = found
    claimed.add(found.remote_id)
    result.adoptions.append(Adopt(object_key, found.remote_id))


def user_index(
    users: Iterable[RemoteUser], natural_keys: tuple[str, ...], claimed: set[RemoteId]
) -> dict[str, RemoteUser]:
    index: dict[str, RemoteUser] = {}
    for user in sorted(users, key=lambda u: u.remote_id):
        if user.remote_id in claimed:
            continue
        for name in natural_keys:
            value = _remote_key(user, name)
            if value:
                index.setdefault(f"{name}:{value}", user)
    return index


def _remote_key(user: RemoteUser, name: str) -> str | None:
    value: str | None = getattr(user, name)
    return value.casefold() if value else None


def person_keys(person: Person, natural_keys: tuple[str, ...]) -> list[str]:
    values = {"external_id": person.employee_id, "username": person.username, "email": person.email}
    return [f"{name}:{values[name].casefold()}" for name in natural_keys]


def _group_index(
    groups: Iterable[RemoteGroup], by_code: bool, claimed: set[RemoteId]
) -> dict[str, RemoteGroup]:
    key: Callable[[RemoteGroup], str | None] = (
        (lambda g: g.code) if by_code else (lambda g: g.name.casefold())
    )
    index: dict[str, RemoteGroup] = {}
    for group in sorted(groups, key=lambda g: g.remote_id):
        value = key(group)
        if group.remote_id not in claimed and value:
            index.setdefault(value, group)
    return index


def first_match(index: Mapping[str, R], keys: Iterable[str], claimed: set[RemoteId]) -> R | None:
    for key in keys:
        found = index.get(key)
        if found is not None and found.remote_id not in claimed:
            return found
    return None
