"""The diff alone, fed from a database as the cycle feeds it: how syncd's plan stage scales.

HR's side is built by syncd's own rules (`syncd.hr.rules`) from `hrdata.generate` and
written to a SQLite file's mirror; the LMS side is that state with made-up remote ids,
every object linked, as a converged cycle leaves shadow and links. Three cases per size:
nothing to do, 2 % churn (the mirror changed, the LMS not), first contact (an empty LMS).
Each case is measured in a fresh process (`diffprobe.py`): CPU seconds and peak RSS of
the streaming diff, and the same of a bare ordered scan of the rows it reads, whose
ratio says what the diff costs beyond reading its input.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TypeVar

from sqlalchemy.orm import Session

from benchmarks.hrdata import RULES_TOML, HrData, churn, generate, person
from syncd.config import EnrollmentRule, GroupRule
from syncd.hr.rules import desired_enrollments, desired_groups, desired_memberships
from syncd.keys import EnrollmentKey, GroupKey, MembershipKey, ObjectKey, UserKey
from syncd.records import (
    CourseCode,
    DesiredState,
    EmployeeId,
    Enrollment,
    EnrollmentStatus,
    GroupKind,
    GroupRef,
    OrgUnit,
    OrgUnitCode,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemoteRecord,
    RemoteUser,
)
from syncd.sandbox import DEMO_COURSES
from syncd.store import Database, unit_of_work
from syncd.store.links import LinkChanges, write_links
from syncd.store.mirror import replace_mirror
from syncd.store.shadow import ShadowWriter

TODAY = dt.date(2026, 1, 5)
NOW = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
SYNCED, EMPTY = "lms", "empty-lms"  # the converged target, and one never read (first contact)


@dataclass(frozen=True, slots=True)
class Measured:
    cpu_seconds: float
    peak_rss_mb: float


@dataclass(frozen=True, slots=True)
class DiffResult:
    people: int
    case: str
    diff: Measured
    scan: Measured
    ops: dict[str, int]

    @property
    def total_ops(self) -> int:
        return sum(self.ops.values())

    @property
    def seconds(self) -> float:
        return self.diff.cpu_seconds

    @property
    def ratio(self) -> float:
        return self.diff.cpu_seconds / max(self.scan.cpu_seconds, 1e-9)


def desired_state(data: HrData) -> DesiredState:
    rules = tomllib.loads(RULES_TOML)
    group_rules = [GroupRule(**g) for g in rules["groups"]]
    enrollment_rules = [EnrollmentRule(**r) for r in rules["enrollment_rules"]]
    people = [person(row) for row in data.people]
    units = [
        OrgUnit(OrgUnitCode(u.code), u.name, OrgUnitCode(u.parent) if u.parent else None)
        for u in data.units
    ]
    memberships = desired_memberships(people, group_rules)
    explicit = [
        Enrollment(
            EmployeeId(e["employee_id"]),
            CourseCode(e["course_code"]),
            dt.date.fromisoformat(e["due_date"]) if e["due_date"] else None,
        )
        for e in data.enrollments
    ]
    enrollments = desired_enrollments(people, memberships, enrollment_rules, explicit, TODAY)
    return DesiredState(
        people={p.employee_id: p for p in people},
        groups={g.ref: g for g in desired_groups(units, group_rules)},
        memberships=frozenset(memberships),
        enrollments={(e.employee_id, e.course_code): e for e in enrollments},
    )


def _courses() -> tuple[RemoteCourse, ...]:
    return tuple(
        RemoteCourse(RemoteId(f"c{i}"), code, name) for i, (code, name) in enumerate(DEMO_COURSES)
    )


def run_diff_bench(people: int, *, churn_share: float = 0.02) -> list[DiffResult]:
    """The three cases at one size, each on its own database file in a temporary folder."""
    with TemporaryDirectory(prefix="syncd-diffbench-") as folder:
        synced, churned = Path(folder) / "synced.db", Path(folder) / "churned.db"
        data = generate(people)
        write_synced(synced, desired_state(data))
        shutil.copyfile(synced, churned)
        write_mirror(churned, desired_state(churn(data, churn_share)[0]))
        del data
        return [
            _case(people, "no change", synced, SYNCED),
            _case(people, f"{churn_share:.0%} churn", churned, SYNCED),
            _case(people, "first contact", synced, EMPTY),
        ]


def _case(people: int, case: str, path: Path, target: str) -> DiffResult:
    diff, ops = _probe("diff", path, target)
    scan, _ = _probe("scan", path, target)
    return DiffResult(people, case, diff, scan, ops)


def _probe(what: str, path: Path, target: str) -> tuple[Measured, dict[str, int]]:
    """One measurement in a fresh interpreter, so its peak RSS is its own."""
    command = [sys.executable, "-m", "benchmarks.diffprobe", what, f"sqlite:///{path}", target]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    return Measured(found["cpu_seconds"], found["peak_rss_mb"]), found["ops"]


def write_synced(path: Path, state: DesiredState) -> None:
    """A database whose mirror is `state` and whose target `SYNCED` is in step with it."""
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    write_mirror(path, state)
    user_id = {emp: RemoteId(f"u{i}") for i, emp in enumerate(state.people)}
    group_id = {ref: RemoteId(f"g{i}") for i, ref in enumerate(state.groups)}
    with _session(path) as session, unit_of_work(session):
        writer = ShadowWriter(session, SYNCED, NOW)
        for record in _mirrored(state, user_id, group_id):
            writer.add(record)
        writer.finish(NOW, complete=True)
        for chunk in _batched(_links(state, user_id, group_id), LINK_CHUNK):
            changes = LinkChanges()
            for key, rid in chunk:
                changes.put(key, rid, origin="created")
            write_links(session, SYNCED, changes, NOW)
        ShadowWriter(session, EMPTY, NOW).finish(NOW, complete=True)


LINK_CHUNK = 50_000
T = TypeVar("T")


def _batched(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while chunk := list(islice(items, size)):
        yield chunk


def write_mirror(path: Path, state: DesiredState) -> None:
    with _session(path) as session, unit_of_work(session):
        replace_mirror(
            session,
            people=state.people.values(),
            org_units=[],
            groups=state.groups.values(),
            memberships=state.memberships,
            enrollments=state.enrollments.values(),
            now=NOW,
        )


@contextmanager
def _session(path: Path) -> Iterator[Session]:
    db = Database(f"sqlite:///{path}")
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()


def _mirrored(
    state: DesiredState, user_id: dict[EmployeeId, RemoteId], group_id: dict[GroupRef, RemoteId]
) -> Iterator[RemoteRecord]:
    """The LMS as a converged cycle leaves it for `state`."""
    course_id = {c.code: c.remote_id for c in _courses()}
    yield from _courses()
    for p in state.people.values():
        yield RemoteUser(
            user_id[p.employee_id], p.username, p.email, p.first_name, p.last_name, p.active
        )
    for g in state.groups.values():
        code = g.ref.code if g.ref.kind is GroupKind.ORG_UNIT else None
        parent = group_id[g.parent] if g.parent else None
        yield RemoteGroup(group_id[g.ref], g.ref.kind, g.name, code, parent)
    for m in state.memberships:
        yield RemoteMembership(m.group.kind, group_id[m.group], user_id[m.employee_id], m.role)
    for emp, course in state.enrollments:
        yield RemoteEnrollment(course_id[course], user_id[emp], EnrollmentStatus.ENROLLED)


def _links(
    state: DesiredState, user_id: dict[EmployeeId, RemoteId], group_id: dict[GroupRef, RemoteId]
) -> Iterator[tuple[ObjectKey, RemoteId]]:
    """The links syncd holds after that cycle."""
    yield from ((UserKey(emp), rid) for emp, rid in user_id.items())
    yield from ((GroupKey(ref), rid) for ref, rid in group_id.items())
    for m in state.memberships:
        rid = RemoteId(f"{group_id[m.group]}/{user_id[m.employee_id]}")
        yield MembershipKey.of(m), rid
    yield from ((EnrollmentKey(emp, course), RemoteId("")) for emp, course in state.enrollments)
