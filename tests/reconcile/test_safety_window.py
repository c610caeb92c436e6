"""The weekly window of `max_deactivate_per_week`: the pure check and the journal count."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from syncd.config import SafetyConfig, parse_limit
from syncd.errors import PlanTooDestructiveError
from syncd.operations import AddMember, DeactivateUser, DeleteUser, Operation
from syncd.reconcile.safety import WINDOW, Managed, check_safety
from syncd.records import EmployeeId, GroupKind, GroupRef
from syncd.store.db import session_factory
from syncd.store.journal import OpStatus, StatusChange, record_plan, record_statuses, start_run
from syncd.store.window import removed_users

USERS = Managed(users=100, groups=0, memberships=0, enrollments=0)
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _leavers(count: int, start: int = 0) -> list[Operation]:
    return [DeactivateUser(EmployeeId(f"E{n}")) for n in range(start, start + count)]


def _safety(per_week: str) -> SafetyConfig:
    return SafetyConfig(
        max_deactivate=parse_limit("10%"), max_deactivate_per_week=parse_limit(per_week)
    )


def test_recent_removals_and_the_plan_s_count_together_against_the_week() -> None:
    check_safety(_leavers(9), USERS, _safety("20%"), recent=11)  # 20: at the limit
    with pytest.raises(PlanTooDestructiveError) as err:
        check_safety(_leavers(9), USERS, _safety("20%"), recent=12)
    assert str(err.value) == (
        "the plan would deactivate 9 more of 100 managed users, with 12 in the last 7 days "
        "already: above the limit safety.max_deactivate_per_week = 20% (at most 20 in any "
        "7 days); check the HR data, or run with --force"
    )


def test_deletions_count_in_the_window_with_deactivations() -> None:
    ops = [*_leavers(5), *(DeleteUser(EmployeeId(f"D{n}")) for n in range(5))]
    with pytest.raises(PlanTooDestructiveError, match="would delete or deactivate 10 more"):
        check_safety(ops, USERS, _safety("20%"), recent=11)


def test_a_plan_without_leavers_passes_a_window_already_full() -> None:
    group = GroupRef(GroupKind.GROUP, "staff")
    ops: list[Operation] = [AddMember(group, EmployeeId("E1"))]
    check_safety(ops, USERS, _safety("20%"), recent=50)


def test_the_per_run_limit_is_still_checked_first() -> None:
    with pytest.raises(PlanTooDestructiveError, match=r"safety\.max_deactivate = 10%"):
        check_safety(_leavers(11), USERS, _safety("20%"), recent=15)


def test_a_percent_window_allows_one_leaver_on_a_small_tenant() -> None:
    few = Managed(users=3, groups=0, memberships=0, enrollments=0)
    check_safety(_leavers(1), few, _safety("20%"))


# --- the journal count --------------------------------------------------------------------------


def _journal(engine: Engine, target: str, statuses: list[str], at: dt.datetime) -> None:
    with session_factory(engine)() as session:
        run = start_run(session, target, dry_run=False, now=at)
        ops: list[Operation] = [
            DeactivateUser(EmployeeId(f"{target}-{n}")) for n in range(len(statuses))
        ]
        record_plan(session, run, target, ops, at)
        record_statuses(
            session, run, [StatusChange(n, OpStatus(s), at) for n, s in enumerate(statuses)]
        )
        session.commit()


def test_removed_users_counts_what_reached_the_lms_within_the_window(engine: Engine) -> None:
    taken = ["done", "waiting", "unconfirmed"]
    _journal(engine, "t1", [*taken, "failed", "skipped", "planned", "replanned"], NOW)
    _journal(engine, "t1", ["done", "done"], NOW - WINDOW - dt.timedelta(seconds=1))
    _journal(engine, "t2", ["done"], NOW)
    with session_factory(engine)() as session:
        assert removed_users(session, "t1", since=NOW - WINDOW) == 3
        assert removed_users(session, "t2", since=NOW - WINDOW) == 1
        assert removed_users(session, "t3", since=NOW - WINDOW) == 0


def test_removed_users_counts_deletions_and_no_other_kind(engine: Engine) -> None:
    with session_factory(engine)() as session:
        run = start_run(session, "t1", dry_run=False, now=NOW)
        group = GroupRef(GroupKind.GROUP, "staff")
        ops: list[Operation] = [
            DeleteUser(EmployeeId("E1")),
            AddMember(group, EmployeeId("E2")),
            DeactivateUser(EmployeeId("E3")),
        ]
        record_plan(session, run, "t1", ops, NOW)
        record_statuses(session, run, [StatusChange(n, OpStatus.DONE, NOW) for n in range(3)])
        session.commit()
        assert removed_users(session, "t1", since=NOW - WINDOW) == 2
