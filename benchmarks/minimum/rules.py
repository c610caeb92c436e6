"""The shape every per-LMS minimum shares, and the arithmetic they share.

A `Minimum` names an LMS's simulator class and gives: `read` (its state, neutral), `key`
(how it keys the group HR calls kind:code, named name), `nested` (whether groups keep
the org tree), `reads` (the fewest requests that read a state, by family) and `writes`
(the fewest write requests that turn one state into another, by family). Families are
`METHOD route-pattern`, as the simulator's router names them (or the documented route,
for endpoints the simulator does not serve).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import ceil
from typing import Any

from benchmarks.minimum.state import GroupKey, LmsState


@dataclass(frozen=True, slots=True)
class Minimum:
    kind: str
    simulator: type
    read: Callable[[Any], LmsState]
    key: Callable[[str, str, str], GroupKey]
    nested: bool
    reads: Callable[[LmsState], Counter[str]]
    writes: Callable[[LmsState, LmsState], Counter[str]]


def calls(count: int, per_call: int) -> int:
    """Requests for `count` items at `per_call` a request (0 for none)."""
    return ceil(count / per_call)


def pages_by_count(count: int, page: int) -> int:
    """Pages of a list whose answer says how many there are: at least one, even empty."""
    return max(1, ceil(count / page))


def pages_to_short(count: int, page: int) -> int:
    """Pages of a list walked until a page holds fewer than `page` items (or none): a list
    of exactly `page` items takes a second, empty, page to end."""
    return count // page + 1


def per_group(items: Iterable[tuple[Any, Any]], per_call: int) -> int:
    """Requests when each call carries up to `per_call` items of one group (the first of
    each pair): a course, a branch, a team."""
    sizes = Counter(group for group, _ in items)
    return sum(calls(n, per_call) for n in sizes.values())


def by_code(kind: str, code: str, name: str) -> GroupKey:
    return (kind, code)


def by_name(kind: str, code: str, name: str) -> GroupKey:
    return ("group", name)


def coded(code: str, name: str) -> GroupKey:
    """A group's key from the HR code it carries (`org_unit:EU`), else by its name."""
    kind, _, rest = code.partition(":")
    if kind in {"org_unit", "group"} and rest:
        return (kind, rest)
    return ("group", name)
