"""The import step: HR source -> validation and quarantine -> rules -> the mirror.

The source is the CSV folder or the SQL queries, as `hr.source` says; both give the
same HrSnapshot for the same data, so everything after the read is source-blind.

An unchanged export (same files, same rules) is not imported again. An export
that shrank by more than `safety.max_hr_shrink` against the last accepted one
is refused before the mirror changes. A quarantined row of someone the mirror
already knows keeps that person as they were: a typo never turns into a leaver.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from syncd.clock import Clock
from syncd.config import Config
from syncd.errors import ConfigError, ImportRefusedError
from syncd.hr import HrSnapshot, read_csv_source, read_sql_source
from syncd.hr.rules import desired_enrollments, desired_groups, desired_memberships
from syncd.records import EmployeeId, Person
from syncd.store import Database, Session
from syncd.store.mirror import last_applied_import, load_people, record_import, replace_mirror

log = structlog.get_logger()
IMPORT_LOCK_WAIT_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class ImportResult:
    status: str  # applied | unchanged | refused
    people: int
    quarantined: int
    message: str | None = None


def import_hr(db: Database, config: Config, clock: Clock, *, force: bool) -> ImportResult:
    """Import the HR source into the mirror (one importer at a time across processes)."""
    lock = db.lock("hr-import", wait_seconds=IMPORT_LOCK_WAIT_SECONDS)
    with lock, db.session() as session:
        started = clock.now()
        snapshot = read_hr_source(config)
        fingerprint = _fingerprint(snapshot, config)
        last = last_applied_import(session)
        if last is not None and last.fingerprint == fingerprint:
            return ImportResult("unchanged", last.people_count, last.quarantined_count)
        people = _with_kept_people(snapshot, load_people(session))
        if last is not None and not force:
            _refuse_if_truncated(
                session,
                config=config,
                snapshot=snapshot,
                fingerprint=fingerprint,
                before=last.people_count,
                now_count=len(people),
                started=started,
                clock=clock,
            )
        _write_mirror(session, config, snapshot, people, clock)
        record_import(
            session,
            started_at=started,
            finished_at=clock.now(),
            fingerprint=fingerprint,
            status="applied",
            people_count=len(people),
            quarantined=snapshot.quarantined,
        )
        session.commit()
    log.info("hr_imported", people=len(people), quarantined=len(snapshot.quarantined))
    return ImportResult("applied", len(people), len(snapshot.quarantined))


def read_hr_source(config: Config) -> HrSnapshot:
    """The snapshot of the configured source (the config guarantees its keys are set)."""
    hr = config.hr
    if hr.source == "sql" and hr.url is not None and hr.queries is not None:
        try:
            return read_sql_source(hr.url, hr.queries)
        except ConfigError as err:  # the CSV's errors name their file; these, the config's
            raise ConfigError(f"{config.source_path}: {err}") from None
    if hr.source == "csv" and hr.path is not None:
        return read_csv_source(hr.path)
    raise ConfigError(f"{config.source_path}: hr: incomplete settings for source = {hr.source!r}")


def _fingerprint(snapshot: HrSnapshot, config: Config) -> str:
    rules = json.dumps(
        [
            [g.model_dump(mode="json") for g in config.groups],
            [r.model_dump(mode="json") for r in config.enrollment_rules],
        ],
        sort_keys=True,
    )
    return hashlib.sha256(f"{snapshot.fingerprint}:{rules}".encode()).hexdigest()


def _with_kept_people(snapshot: HrSnapshot, previous: Mapping[EmployeeId, Person]) -> list[Person]:
    people = {p.employee_id: p for p in snapshot.people}
    for row in snapshot.quarantined:
        fields = dict(row.row)
        emp = EmployeeId(fields.get("employee_id", "").strip())
        if row.table == "people" and emp in previous and emp not in people:
            people[emp] = previous[emp]
    return [people[emp] for emp in sorted(people)]


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
    session.commit()
    raise ImportRefusedError(message)


def _write_mirror(
    session: Session, config: Config, snapshot: HrSnapshot, people: list[Person], clock: Clock
) -> None:
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
