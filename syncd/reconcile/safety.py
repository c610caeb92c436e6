"""Safety limits: a plan that removes too much of a target stops unless forced.

Each removal kind is weighed against what syncd manages on that target (linked
users, groups, managed memberships and enrollments); deleted and deactivated
users count together against `max_deactivate` (one limit for leavers removed).
Leavers are limited over time too: those removed in the last `WINDOW` (7 days, counted
by the caller from the journal, `store/window.py`) plus this plan's stay within
`max_deactivate_per_week`, so a run of small HR shrinks cannot empty a target.
A percent limit always allows at least one removal, so a small tenant can still
lose one leaver.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from syncd.config import Limit, SafetyConfig
from syncd.errors import PlanTooDestructiveError
from syncd.operations import Operation, OpKind


@dataclass(frozen=True, slots=True)
class Managed:
    """How much of one target syncd manages: the base each limit is a share of."""

    users: int
    groups: int
    memberships: int
    enrollments: int


WINDOW = dt.timedelta(days=7)  # the span of `max_deactivate_per_week`


def check_safety(
    ops: Iterable[Operation], managed: Managed, safety: SafetyConfig, *, recent: int = 0
) -> None:
    """Raise PlanTooDestructiveError if `ops` exceed a limit; `recent`: leavers removed from
    this target in the last WINDOW, before this plan."""
    counts = dict.fromkeys(OpKind, 0)
    for op in ops:
        counts[op.KIND] += 1
    counts[OpKind.DEACTIVATE_USER] += counts[OpKind.DELETE_USER]  # leavers removed, either way
    leavers = "delete or deactivate" if counts[OpKind.DELETE_USER] else "deactivate"
    checks = (
        (
            OpKind.DEACTIVATE_USER,
            leavers,
            "users",
            managed.users,
            safety.max_deactivate,
            "max_deactivate",
        ),
        (
            OpKind.DELETE_GROUP,
            "delete",
            "groups",
            managed.groups,
            safety.max_delete_groups,
            "max_delete_groups",
        ),
        (
            OpKind.REMOVE_MEMBER,
            "remove",
            "memberships",
            managed.memberships,
            safety.max_remove_members,
            "max_remove_members",
        ),
        (
            OpKind.UNENROLL,
            "unenroll",
            "enrollments",
            managed.enrollments,
            safety.max_unenroll,
            "max_unenroll",
        ),
    )
    for kind, verb, noun, total, limit, key in checks:
        _check(counts[kind], total, limit, what=(verb, noun, key))
    _check_window(counts[OpKind.DEACTIVATE_USER], recent, managed.users, safety, leavers)


def allowed(limit: Limit, total: int) -> int:
    return max(limit.allowed(total), 1) if limit.percent else limit.allowed(total)


def _check(count: int, total: int, limit: Limit, *, what: tuple[str, str, str]) -> None:
    verb, noun, key = what
    most = allowed(limit, total)
    if count > most:
        raise PlanTooDestructiveError(
            f"the plan would {verb} {count} of {total} managed {noun}, above the limit "
            f"safety.{key} = {limit} (at most {most}); check the HR data, or run with --force"
        )


def _check_window(count: int, recent: int, total: int, safety: SafetyConfig, verb: str) -> None:
    limit, days = safety.max_deactivate_per_week, WINDOW.days
    most = allowed(limit, total)
    if count and recent + count > most:
        raise PlanTooDestructiveError(
            f"the plan would {verb} {count} more of {total} managed users, with {recent} in "
            f"the last {days} days already: above the limit safety.max_deactivate_per_week = "
            f"{limit} (at most {most} in any {days} days); check the HR data, or run with "
            "--force"
        )
