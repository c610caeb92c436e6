"""The import step: HR source -> validation and quarantine -> rules -> the mirror.

The source is the CSV folder or the SQL queries, as `hr.source` says; both give the
same HrSnapshot for the same data, so everything after the read is source-blind.

An unchanged export (same files, same rules) is not imported again: a CSV export's
fingerprint hashes its bytes, so an unchanged one is not even parsed. An export
that shrank by more than `safety.max_hr_shrink` against the last accepted one
is refused before the mirror changes. A quarantined row never acts as a deletion:
when its key can be read (a person's employee_id, a unit's code, an enrollment's
employee_id and course_code) and no accepted row has that key, the mirror keeps the
previous version of what it describes (a kept unit also keeps the units it hangs
from, a kept person the unit they are in): a typo never turns into a leaver.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NoReturn, Protocol

import structlog

from syncd.clock import Clock
from syncd.config import Config
from syncd.errors import ConfigError, ImportRefusedError, ShutdownRequestedError, SyncdError
from syncd.hr import HrSnapshot, load_csv_source, read_sql_source
from syncd.hr.rules import desired_enrollments, desired_groups, desired_memberships
from syncd.hr.tenure import UPCOMING, EffectiveChange, effective_people, timeline, upcoming
from syncd.hr.validation import ENROLLMENTS, ORG_UNITS, PEOPLE
from syncd.records import (
    CourseCode,
    EmployeeId,
    Enrollment,
    OrgUnit,
    OrgUnitCode,
    Person,
    Timeline,
)
from syncd.store import Database, Session, unit_of_work
from syncd.store.mirror import (
    applied_at,
    coming_timelines,
    last_applied_import,
    load_enrollments,
    load_org_units,
    load_people,
    load_timelines,
    next_effective_moment,
    record_import,
    replace_mirror,
    replace_tenures,
)

log = structlog.get_logger()
IMPORT_LOCK_WAIT_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class ImportResult:
    status: str  # applied | unchanged | refused
    people: int
    quarantined: int
    message: str | None = None
    # The next changes HR's dates make after this import's moment (`hr.tenure.upcoming`).
    upcoming: tuple[EffectiveChange, ...] = ()


def import_hr(
    db: Database,
    config: Config,
    clock: Clock,
    *,
    force: bool,
    stop: threading.Event | None = None,
) -> ImportResult:
    """Import the HR source into the mirror (one importer at a time across processes; a
    stop request ends the wait for the other one)."""
    lock = db.lock("hr-import", wait_seconds=IMPORT_LOCK_WAIT_SECONDS, stop=stop)
    with lock as lease, db.session() as session:
        if not lease:
            _not_had(stop)
        started = clock.now()
        source = open_hr_source(config)
        fingerprint = _fingerprint(source.fingerprint, config)
        last = last_applied_import(session)
        if last is not None and last.fingerprint == fingerprint:
            due = next_effective_moment(session, applied_at(last))
            if due is None or due > started:
                coming = _upcoming(session, applied_at(last))
                return ImportResult(
                    "unchanged", last.people_count, last.quarantined_count, None, coming
                )
        timelines, snapshot = _effective(session, config, source.snapshot(), started)
        people = len(snapshot.people)
        if last is not None and not force:
            _refuse_if_truncated(
                session,
                config=config,
                snapshot=snapshot,
                fingerprint=fingerprint,
                before=last.people_count,
                now_count=people,
                started=started,
                clock=clock,
            )
        with unit_of_work(session):
            _write_mirror(session, config, snapshot, clock)
            replace_tenures(session, timelines.values())
            record_import(
                session,
                started_at=started,
                finished_at=clock.now(),
                fingerprint=fingerprint,
                status="applied",
                people_count=people,
                quarantined=snapshot.quarantined,
            )
    log.info("hr_imported", people=people, quarantined=len(snapshot.quarantined))
    coming = tuple(upcoming(timelines.values(), started))
    return ImportResult("applied", people, len(snapshot.quarantined), None, coming)


def _upcoming(session: Session, moment: dt.datetime) -> tuple[EffectiveChange, ...]:
    return tuple(upcoming(coming_timelines(session, moment, UPCOMING), moment, UPCOMING))


def _not_had(stop: threading.Event | None) -> NoReturn:
    if stop is not None and stop.is_set():
        raise ShutdownRequestedError("syncd was asked to stop while waiting to import HR")
    raise SyncdError(
        f"another syncd process has been importing HR for {IMPORT_LOCK_WAIT_SECONDS:.0f} s;"
        " not importing alongside it"
    )


class HrSource(Protocol):
    """A source read as far as its fingerprint; `snapshot()` gives its records."""

    @property
    def fingerprint(self) -> str: ...

    def snapshot(self) -> HrSnapshot: ...


@dataclass(frozen=True, slots=True)
class _SqlRead:
    """The SQL source, read whole: its fingerprint hashes the rows it returned."""

    read: HrSnapshot

    @property
    def fingerprint(self) -> str:
        return self.read.fingerprint

    def snapshot(self) -> HrSnapshot:
        return self.read


def read_hr_source(config: Config) -> HrSnapshot:
    """The snapshot of the configured source (the config guarantees its keys are set)."""
    return open_hr_source(config).snapshot()


def open_hr_source(config: Config) -> HrSource:
    """The configured source, read as far as its fingerprint: a CSV export's files (parsed
    by `snapshot()`), the SQL source's rows."""
    hr = config.hr
    if hr.source == "sql" and hr.url is not None and hr.queries is not None:
        try:
            return _SqlRead(read_sql_source(hr.url, hr.queries))
        except ConfigError as err:  # the CSV's errors name their file; these, the config's
            raise ConfigError(f"{config.source_path}: {err}") from None
    if hr.source == "csv" and hr.path is not None:
        if not hr.path.is_dir():  # the setting is wrong, not a file in the folder
            raise ConfigError(f"{config.source_path}: {_no_folder(hr.path)}")
        return load_csv_source(hr.path)
    raise ConfigError(f"{config.source_path}: hr: incomplete settings for source = {hr.source!r}")


def _no_folder(path: Path) -> str:
    where = "" if path.is_absolute() else f" (relative to the working directory {Path.cwd()})"
    return f"hr.path: HR folder not found: {path}{where}"


def _fingerprint(source_fingerprint: str, config: Config) -> str:
    rules = json.dumps(
        [
            [g.model_dump(mode="json") for g in config.groups],
            [r.model_dump(mode="json") for r in config.enrollment_rules],
        ],
        sort_keys=True,
    )
    dates = f"{config.hr.default_timezone}:{config.hr.create_before_start.total_seconds()}"
    return hashlib.sha256(f"{source_fingerprint}:{rules}:{dates}".encode()).hexdigest()


def _effective(
    session: Session, config: Config, read: HrSnapshot, now: dt.datetime
) -> tuple[dict[EmployeeId, Timeline], HrSnapshot]:
    """The timelines of the people read (and kept), and the snapshot as the LMSs are to
    see it at `now`: people not yet due left out, leavers past their last day and people
    on leave inactive (`syncd.hr.tenure`)."""
    snapshot = _with_kept_state(session, read)
    hr = config.hr
    timelines = {
        t.employee_id: timeline(t, hr.default_timezone, hr.create_before_start)
        for t in read.tenures
    }
    previous, accepted = load_timelines(session), {p.employee_id for p in read.people}
    for person in snapshot.people:  # a kept person keeps their dates too
        emp = person.employee_id
        if emp not in accepted and emp in previous:
            timelines[emp] = previous[emp]
    people = effective_people(snapshot.people, timelines, now)
    return timelines, replace(snapshot, people=people)


def _with_kept_state(session: Session, snapshot: HrSnapshot) -> HrSnapshot:
    """`snapshot` plus the mirror's previous version of what its quarantined rows describe."""
    people = _kept_people(snapshot, load_people(session))
    units = _kept_units(snapshot, people, {u.code: u for u in load_org_units(session)})
    enrollments = _kept_enrollments(snapshot, load_enrollments(session))
    return replace(snapshot, people=people, org_units=units, enrollments=enrollments)


def _quarantined_keys(snapshot: HrSnapshot, table: str, *columns: str) -> Iterator[tuple[str, ...]]:
    """The keys of the quarantined rows of `table` that have one."""
    for row in snapshot.quarantined:
        if row.table == table and (key := row.key(*columns)) is not None:
            yield key


def _kept_people(snapshot: HrSnapshot, previous: Mapping[EmployeeId, Person]) -> tuple[Person, ...]:
    people = {p.employee_id: p for p in snapshot.people}
    for (key,) in _quarantined_keys(snapshot, PEOPLE, "employee_id"):
        emp = EmployeeId(key)
        if emp in previous and emp not in people:
            people[emp] = previous[emp]
    return tuple(people[emp] for emp in sorted(people))


def _kept_units(
    snapshot: HrSnapshot, people: tuple[Person, ...], previous: Mapping[OrgUnitCode, OrgUnit]
) -> tuple[OrgUnit, ...]:
    units = {u.code: u for u in snapshot.org_units}
    quarantined = [OrgUnitCode(code) for (code,) in _quarantined_keys(snapshot, ORG_UNITS, "code")]
    for start in [*quarantined, *(p.org_unit for p in people if p.org_unit)]:
        code: OrgUnitCode | None = start
        while code is not None and code not in units and code in previous:
            units[code] = previous[code]  # and the units it hangs from, up to one still there
            code = previous[code].parent_code
    return tuple(units.values())


def _kept_enrollments(
    snapshot: HrSnapshot, previous: Mapping[tuple[EmployeeId, CourseCode], Enrollment]
) -> tuple[Enrollment, ...]:
    explicit = {(e.employee_id, e.course_code): e for e in snapshot.enrollments}
    for emp, course in _quarantined_keys(snapshot, ENROLLMENTS, "employee_id", "course_code"):
        key = (EmployeeId(emp), CourseCode(course))
        if key in previous and key not in explicit:
            explicit[key] = previous[key]
    return tuple(explicit.values())


def _refuse_if_truncated(
    session: Session,
    *,
    config: Config,
    snapshot: HrSnapshot,
    fingerprint: str,
    before: int,
    now_count: int,
    started: dt.datetime,
    clock: Clock,
) -> None:
    limit = config.safety.max_hr_shrink
    if before - now_count <= limit.allowed(before):
        return
    message = (
        f"HR import refused: {now_count} people against {before} in the last accepted import, "
        f"a drop beyond safety.max_hr_shrink = {limit}; the mirror is unchanged "
        "(a truncated export?). Fix the export, or run with --force to accept it"
    )
    with unit_of_work(session):
        record_import(
            session,
            started_at=started,
            finished_at=clock.now(),
            fingerprint=fingerprint,
            status="refused",
            people_count=now_count,
            quarantined=snapshot.quarantined,
            message=message,
        )
    raise ImportRefusedError(message)


def _write_mirror(session: Session, config: Config, snapshot: HrSnapshot, clock: Clock) -> None:
    people = snapshot.people
    groups = desired_groups(snapshot.org_units, config.groups)
    memberships = desired_memberships(people, config.groups)
    enrollments = desired_enrollments(
        people, memberships, config.enrollment_rules, snapshot.enrollments, clock.now().date()
    )
    replace_mirror(
        session,
        people=people,
        org_units=snapshot.org_units,
        groups=groups,
        memberships=memberships,
        enrollments=enrollments,
        now=clock.now(),
    )
