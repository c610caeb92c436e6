"""Read back in the core: which results are asked for (the watermark, its overlap, full
reads), how they become training records, how records merge and when they go."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from sqlalchemy import Engine

from syncd.clock import FakeClock
from syncd.connectors.base import NOTHING_LINKED, Capabilities, Linked
from syncd.connectors.litmos.settings import LitmosTarget
from syncd.keys import Links, UserKey
from syncd.reconcile.courses import CourseCodes
from syncd.reconcile.readback import EnrollmentsRead, ReadbackSettings, filled, read_back
from syncd.records import (
    CourseCode,
    EmployeeId,
    EnrollmentStatus,
    Progress,
    RemoteCourse,
    RemoteEnrollment,
    RemoteId,
    RemoteRecord,
    RemoteState,
    TrainingRecord,
)
from syncd.store.db import session_factory
from syncd.store.shadow import ShadowWriter, stream_enrollments
from syncd.store.training import load_records

TARGET = LitmosTarget(name="lms", base_url="https://lms.test", api_key="k" * 12, source="t")
COURSES = (
    RemoteCourse(RemoteId("c1"), "SEC-101", "Security"),
    RemoteCourse(RemoteId("c2"), "", "?"),
)
LINKS = Links(
    {UserKey(EmployeeId("E1")): RemoteId("u1"), UserKey(EmployeeId("E2")): RemoteId("u2")}
)
SETTINGS = ReadbackSettings(overlap=dt.timedelta(minutes=10), full_every=dt.timedelta(days=1))
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
DONE, STARTED, ENROLLED = (
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.IN_PROGRESS,
    EnrollmentStatus.ENROLLED,
)


def enrollment(user: str, status: EnrollmentStatus, **progress: object) -> RemoteEnrollment:
    made = Progress(**progress) if progress else None  # type: ignore[arg-type]
    return RemoteEnrollment(RemoteId("c1"), RemoteId(user), status, made)


@dataclass
class FeedConnector:
    """A connector whose LMS lists results by date: it answers `read_back` from `feed`
    (each result with the moment it changed) and records every `since` it was asked."""

    feed: list[tuple[dt.datetime, RemoteEnrollment]] = field(default_factory=list)
    asked: list[dt.datetime | None] = field(default_factory=list)
    kind: ClassVar[str] = "feed"
    capabilities = Capabilities()

    def read_back(self, since: dt.datetime | None) -> Iterator[RemoteEnrollment]:
        self.asked.append(since)
        return (e for at, e in self.feed if since is None or at >= since)

    def check(self) -> None: ...
    def fetch(self, linked: Linked = NOTHING_LINKED) -> Iterator[RemoteRecord]:
        return iter(())

    def apply(self, batch: object, refs: object) -> list[object]:
        return []

    def close(self) -> None: ...


def run(
    engine: Engine,
    connector: object,
    clock: FakeClock,
    *enrollments: RemoteEnrollment,
    full: bool = False,
    complete: bool = True,
) -> dict[tuple[EmployeeId, CourseCode], TrainingRecord]:
    remote = RemoteState(courses=COURSES, enrollments=enrollments, complete=complete)
    with session_factory(engine)() as s:
        read_back(
            s, TARGET, connector, (remote, LINKS, CourseCodes.of(COURSES, None)),  # type: ignore[arg-type]
            clock=clock, settings=SETTINGS, full=full,
        )  # fmt: skip
        s.commit()
        return load_records(s, "lms")


def key(emp: str) -> tuple[EmployeeId, CourseCode]:
    return (EmployeeId(emp), CourseCode("SEC-101"))


def test_fetched_progress_becomes_records_named_by_hr(engine: Engine) -> None:
    """Accounts through the user links, courses by code; what syncd cannot name is left."""
    clock = FakeClock(T0)
    done = enrollment("u1", DONE, completed_at=T0, score=90.0, raw_status="completed")
    stranger = enrollment("u9", DONE)  # an account syncd does not link
    no_code = RemoteEnrollment(RemoteId("c2"), RemoteId("u2"), STARTED)
    records = run(engine, object(), clock, done, stranger, no_code)
    assert records == {
        key("E1"): TrainingRecord(
            EmployeeId("E1"), "lms", CourseCode("SEC-101"), DONE, done.progress
        )  # type: ignore[arg-type]
    }


def test_the_first_read_is_full_then_only_since_the_watermark_less_the_overlap(
    engine: Engine,
) -> None:
    clock, lms = FakeClock(T0), FeedConnector()
    run(engine, lms, clock)
    clock.advance(900)
    run(engine, lms, clock)
    assert lms.asked == [None, T0 - SETTINGS.overlap]


def test_a_result_stamped_exactly_at_the_watermark_is_not_lost(engine: Engine) -> None:
    """The read at T0 ran before the LMS stamped a completion at T0: the next read, from
    T0 less the overlap, still gets it."""
    clock, lms = FakeClock(T0), FeedConnector()
    run(engine, lms, clock, enrollment("u1", STARTED))
    lms.feed.append((T0, enrollment("u1", DONE, completed_at=T0, score=75.0)))
    clock.advance(300)
    records = run(engine, lms, clock, enrollment("u1", DONE, completed_at=T0))
    assert records[key("E1")].progress == Progress(completed_at=T0, score=75.0)


def test_full_reads_on_demand_and_every_full_every(engine: Engine) -> None:
    clock, lms = FakeClock(T0), FeedConnector()
    run(engine, lms, clock)
    clock.advance(3600)
    run(engine, lms, clock, full=True)
    clock.advance(3600)
    run(engine, lms, clock)
    clock.advance(86400)
    run(engine, lms, clock)
    assert lms.asked == [None, None, T0 + dt.timedelta(hours=1) - SETTINGS.overlap, None]


def test_a_value_a_later_read_lacks_is_kept_while_the_status_holds(engine: Engine) -> None:
    clock, lms = FakeClock(T0), FeedConnector()
    lms.feed.append((T0, enrollment("u1", DONE, completed_at=T0, score=88.0)))
    first = enrollment("u1", DONE, completed_at=T0, raw_status="Complete", enrolled_at=T0)
    run(engine, lms, clock, first)
    clock.advance(3600)
    lms.feed.clear()
    kept = run(engine, lms, clock, enrollment("u1", DONE, completed_at=T0, raw_status="Complete"))
    assert kept[key("E1")].progress == Progress(T0, T0, 88.0, "Complete")
    clock.advance(3600)
    reset = run(engine, lms, clock, enrollment("u1", ENROLLED, raw_status="0%"))
    assert reset[key("E1")].status is ENROLLED
    assert reset[key("E1")].progress == Progress(enrolled_at=T0, raw_status="0%")


def test_the_current_state_wins_over_an_old_completion_in_the_feed(engine: Engine) -> None:
    """A course completed, then reset in the LMS: the feed still lists the completion; the
    fetched state (enrolled again) is what HR gets."""
    clock = FakeClock(T0)
    lms = FeedConnector([(T0, enrollment("u1", DONE, completed_at=T0, score=90.0))])
    records = run(engine, lms, clock, enrollment("u1", ENROLLED))
    assert records[key("E1")].status is ENROLLED
    assert records[key("E1")].progress.score is None


def test_an_untouched_enrollment_gone_from_a_complete_read_goes(engine: Engine) -> None:
    clock = FakeClock(T0)
    run(engine, object(), clock, enrollment("u1", DONE), enrollment("u2", ENROLLED))
    assert set(run(engine, object(), clock, complete=False)) == {key("E1"), key("E2")}
    assert set(run(engine, object(), clock)) == {key("E1")}  # results stay for HR


def test_filled_takes_only_missing_values() -> None:
    old = TrainingRecord(EmployeeId("E1"), "lms", CourseCode("C"), DONE, Progress(T0, T0, 1.0, "a"))
    new = TrainingRecord(EmployeeId("E1"), "lms", CourseCode("C"), DONE, Progress(score=2.0))
    assert filled(new, old).progress == Progress(T0, T0, 2.0, "a")


TWIN = LitmosTarget(name="twin", base_url="https://lms.test", api_key="k" * 12, source="t")


def _read(engine: Engine, clock: FakeClock, step: tuple[RemoteEnrollment, ...], *, shadow: bool):
    """One read of `step` into TWIN through its shadow, or into TARGET from memory."""
    target = TWIN if shadow else TARGET
    with session_factory(engine)() as s:
        if shadow:
            writer = ShadowWriter(s, target.name, clock.now())
            for e in step:
                writer.add(e)
            writer.finish(clock.now(), complete=True)
            remote: object = EnrollmentsRead(stream_enrollments(s, target.name), True, shadow=True)
        else:
            remote = RemoteState(courses=COURSES, enrollments=step, complete=True)
        report = read_back(
            s, target, object(), (remote, LINKS, CourseCodes.of(COURSES, None)),  # type: ignore[arg-type]
            clock=clock, settings=SETTINGS, full=False, enrolled=[key("E2")],
        )  # fmt: skip
        s.commit()
        records = {
            k: dataclasses.replace(r, target="lms") for k, r in load_records(s, target.name).items()
        }
        return report, records


def test_a_read_from_the_shadow_merges_as_one_from_memory(engine: Engine) -> None:
    """Read back's two sources (the shadow in SQL; records in Python) give the same records
    and counts, read after read: values kept, statuses changed, untouched ones dropped,
    accounts and courses without a name left out, an enrollment made this cycle kept."""
    steps = [
        (enrollment("u1", ENROLLED, enrolled_at=T0), enrollment("u9", DONE)),
        (enrollment("u1", STARTED, score=10.0, raw_status="in_progress"),),
        (enrollment("u1", STARTED, raw_status=""), enrollment("u2", DONE, completed_at=T0)),
        (
            enrollment("u1", DONE, completed_at=T0, score=95.0),
            RemoteEnrollment(RemoteId("c2"), RemoteId("u2"), DONE),
        ),
        (),
    ]
    clock = FakeClock(T0)
    for step in steps:
        clock.advance(60)
        from_shadow = _read(engine, clock, step, shadow=True)
        assert from_shadow == _read(engine, clock, step, shadow=False)
    report, records = from_shadow
    assert (report.records, report.dropped) == (2, 0)
    assert records[key("E1")].progress == Progress(
        T0, T0, 95.0, None
    )  # a new status: no raw one kept
