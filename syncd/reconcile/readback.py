"""Read back: what each LMS says people did, as training records for HR.

Every cycle, after the plan is applied, each target's enrollments (as just fetched,
with the progress the LMS's enrollment reads carry) become training records keyed by
(employee_id, course_code): the account through syncd's user links, the course by its
code. A connector that `ReadsBack` is also asked for the results that changed since the
target's watermark, less `overlap` (so a result recorded while the last read ran, or
stamped by a clock a little behind syncd's, is read again rather than lost); a full read
(`since` None) happens on the first read, on `--full-readback`, and every `full_every`.

An enrollment syncd made this cycle is recorded at once (`enrolled`, dated when the LMS
confirmed it); the next fetch brings the LMS's own view, whose enrollment date wins where
the LMS has one (Litmos's result feeds have none: syncd's date stays).

Merging: a value the newest read does not carry (None) keeps the one known before while
the status stays the same (Litmos lists completions without scores; the score comes from
its achievements feed, read incrementally); the enrollment date is kept whatever the
status. Records are never overwritten from HR. A record goes only when its enrollment
is gone from a complete read and nothing was ever done in it (status `enrolled`):
results, once seen, stay for HR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import structlog

from syncd.clock import Clock
from syncd.config import HrConfig, TargetBase
from syncd.connectors.base import Connector, ReadsBack
from syncd.errors import SyncdError
from syncd.hr.export import COMPLETIONS, upsert_sql, write_completions
from syncd.keys import Links
from syncd.reconcile.courses import CourseCodes
from syncd.records import (
    EmployeeId,
    EnrollmentStatus,
    Progress,
    RemoteEnrollment,
    RemoteId,
    RemoteState,
    TrainingRecord,
)
from syncd.store import Session
from syncd.store.training import RecordKey, exported_records, set_watermark, watermark
from syncd.store.training_merge import Observed

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class ReadbackSettings:
    overlap: dt.timedelta = dt.timedelta(minutes=10)
    full_every: dt.timedelta = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ReadbackReport:
    since: dt.datetime | None  # None: every result was read
    records: int  # the target's records after the read
    changed: int  # records written (new or changed)
    dropped: int  # untouched enrollments gone from the LMS
    unnamed: int  # results of accounts syncd does not link, or courses without a code


@dataclass(frozen=True, slots=True)
class EnrollmentsRead:
    """A fetch's enrollments, streamed from the shadow, and whether that fetch was whole;
    `shadow`: they are all the target's shadow enrollments (read back may read them there)."""

    enrollments: Iterable[RemoteEnrollment]
    complete: bool
    shadow: bool = False


def read_back(
    session: Session,
    target: TargetBase,
    connector: Connector,
    state: tuple[RemoteState | EnrollmentsRead, Links | Mapping[EmployeeId, RemoteId], CourseCodes],
    *,
    clock: Clock,
    settings: ReadbackSettings,
    full: bool,
    enrolled: Iterable[RecordKey] = (),
) -> ReadbackReport:
    """Refresh the target's training records (the caller commits). `state`: the fetch,
    the user links (all links, or the users' alone) and the course codes. `enrolled`: the
    enrollments this cycle made, which the LMS confirmed after the fetch read it. What was
    observed is staged and merged in SQL (`store/training_merge.py`); enrollments read into
    the shadow, of a connector that reads nothing back, are staged there without Python."""
    remote, links, courses = state
    now = clock.now()
    names = Names.of(links, courses)
    since = _since(session, target.name, now, settings, full=full)
    reads_back = isinstance(connector, ReadsBack)
    observed = Observed(session, target.name)
    if isinstance(remote, EnrollmentsRead) and remote.shadow and not reads_back:
        _, names.unnamed = observed.from_shadow(names.people, courses.codes)
        observed.add_absent(_made(target.name, enrolled, now))
    else:
        observed.add(
            _observed(
                names, target.name, remote, connector, since=since, enrolled=enrolled, now=now
            )
        )
    merged = observed.merge(now, complete=remote.complete)
    observed.close()
    if not reads_back:
        since = None  # the fetch read every enrollment: this was a full read
    changed, dropped, records = merged.changed, merged.dropped, merged.records
    set_watermark(session, target.name, now, full=since is None)
    log.info("read_back", full=since is None, records=records, changed=changed, dropped=dropped)
    return ReadbackReport(since, records, changed, dropped, names.unnamed)


def _made(target: str, keys: Iterable[RecordKey], now: dt.datetime) -> Iterator[TrainingRecord]:
    """The records of the enrollments this cycle made, as syncd knows them."""
    for emp, code in keys:
        yield TrainingRecord(emp, target, code, EnrollmentStatus.ENROLLED, Progress(now))


def _observed(
    names: Names,
    target: str,
    remote: RemoteState | EnrollmentsRead,
    connector: Connector,
    *,
    since: dt.datetime | None,
    enrolled: Iterable[RecordKey],
    now: dt.datetime,
) -> Iterable[TrainingRecord]:
    """What the read showed, by key: the fetch's enrollments, those this cycle made that it
    did not show, and the results the connector reads back, filled from the fetch's."""
    observed = dict(names.records(target, remote.enrollments))
    for record in _made(target, enrolled, now):
        observed.setdefault((record.employee_id, record.course_code), record)
    if isinstance(connector, ReadsBack):
        for key, record in names.records(target, connector.read_back(since)):
            seen = observed.get(key)
            observed[key] = record if seen is None else filled(seen, record)
    return observed.values()


def _since(
    session: Session, target: str, now: dt.datetime, settings: ReadbackSettings, *, full: bool
) -> dt.datetime | None:
    mark = watermark(session, target)
    if full or mark is None or now - mark.full_at >= settings.full_every:
        return None
    return mark.at - settings.overlap


def filled(new: TrainingRecord, old: TrainingRecord) -> TrainingRecord:
    """`new`, its missing values taken from `old`: all of them while the status is the
    same, the enrollment date whatever it is."""
    n, o = new.progress, old.progress
    same = new.status is old.status
    progress = Progress(
        enrolled_at=n.enrolled_at or o.enrolled_at,
        completed_at=n.completed_at or (o.completed_at if same else None),
        score=n.score if n.score is not None or not same else o.score,
        raw_status=n.raw_status or (o.raw_status if same else None),
    )
    if same and progress == o:
        return old  # what most reads bring: nothing new
    return TrainingRecord(new.employee_id, new.target, new.course_code, new.status, progress)


@dataclass
class Names:
    """HR's names for an LMS's ids: employee ids through the user links, course codes
    through the target's course-code table (`courses.py`)."""

    people: Mapping[RemoteId, EmployeeId]
    courses: CourseCodes
    unnamed: int = 0

    @classmethod
    def of(cls, links: Links | Mapping[EmployeeId, RemoteId], courses: CourseCodes) -> Names:
        users = links.users() if isinstance(links, Links) else links
        return cls({rid: emp for emp, rid in users.items()}, courses)

    def records(
        self, target: str, enrollments: Iterable[RemoteEnrollment]
    ) -> Iterator[tuple[RecordKey, TrainingRecord]]:
        for e in enrollments:
            employee = self.people.get(e.user_remote_id)
            course = self.courses.code_of(e.course_remote_id)
            if employee is None or course is None:
                self.unnamed += 1
                continue
            progress = e.progress or Progress()
            yield (employee, course), TrainingRecord(employee, target, course, e.status, progress)


def export_records(session: Session, hr: HrConfig) -> None:
    """Every target's records to `completions.csv` in `hr.export_path`, and to the SQL sink
    when one is configured. A sink that fails is logged and does not stop the cycle; the
    next export writes everything again."""
    rows = write_completions(hr.export_path, _exported(session))
    log.info("completions_written", path=str(hr.export_path / COMPLETIONS), rows=rows)
    if hr.sink is not None:
        try:
            written = upsert_sql(hr.sink.url, hr.sink.table, _exported(session))
        except SyncdError as err:
            log.warning("hr_sink_failed", table=hr.sink.table, error=str(err))
        else:
            log.info("hr_sink_written", table=hr.sink.table, changed=written)


def _exported(session: Session) -> Iterator[tuple[TrainingRecord, dt.datetime]]:
    return exported_records(session)
