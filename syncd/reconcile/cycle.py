"""One cycle for one target: fetch -> diff -> safety -> journal -> apply, inside the target's lane.

The lane is a cross-process lock (PostgreSQL advisory lock, or a file lock beside
SQLite), taken by the runtime around the cycle, so two syncd processes never write to
one target at once; the connector checks it before each write request. Every step
is recorded in sync_runs and operations; the report returned is what the CLI prints.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import structlog

from syncd.clock import Clock
from syncd.config import SafetyConfig, TargetConfig
from syncd.connectors.base import Connector, PollsJobs
from syncd.errors import FatalError, PlanTooDestructiveError, ShutdownRequestedError, SyncdError
from syncd.keys import EnrollmentKey, Links, ObjectKey
from syncd.operations import FieldValue, Operation, OpKind
from syncd.reconcile.apply import ApplyResult, Lane, Step, apply_plan
from syncd.reconcile.confirm import settle_unconfirmed
from syncd.reconcile.courses import CourseCodes
from syncd.reconcile.diff import DiffPolicy, Plan, count_kinds, diff, shared_names
from syncd.reconcile.drift import count_drift
from syncd.reconcile.hold import unread_parts
from syncd.reconcile.poll import PollReport, poll_due
from syncd.reconcile.readback import ReadbackReport, ReadbackSettings, read_back
from syncd.reconcile.refs import LiveRefs
from syncd.reconcile.safety import WINDOW, Managed, check_safety
from syncd.records import (
    CourseCode,
    DesiredState,
    EmployeeId,
    Group,
    GroupRef,
    LinkKind,
    RemoteState,
)
from syncd.store import Database, Session, jobs, journal
from syncd.store.journal import OpStatus
from syncd.store.links import load_links
from syncd.store.mirror import changed_since, load_desired
from syncd.store.shadow import ShadowWriter, load_remote_state
from syncd.store.window import removed_users

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class OperationReport:
    kind: OpKind
    key: str
    changes: dict[str, FieldValue]
    status: OpStatus
    error: str | None


@dataclass(slots=True)
class TargetReport:
    name: str
    kind: str
    # ok | planned (dry run) | partial | incomplete (read broke off) | failed | stopped | busy
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    operations: list[OperationReport] = field(default_factory=list)
    message: str | None = None
    run_id: int | None = None
    drift: int = 0  # HR-owned values found changed by hand in the LMS, put back by this plan
    readback: ReadbackReport | None = None

    @property
    def fine(self) -> bool:
        return self.status in {"ok", "planned", "busy"}


@dataclass(frozen=True, slots=True)
class CycleEnv:
    db: Database
    clock: Clock
    safety: SafetyConfig
    shutdown: threading.Event
    poll_every: dt.timedelta = dt.timedelta(seconds=30)
    readback: ReadbackSettings = field(default_factory=ReadbackSettings)
    full_readback: bool = False  # read every result again this cycle


def run_cycle(
    env: CycleEnv, target: TargetConfig, connector: Connector, *, dry_run: bool, force: bool
) -> TargetReport:
    """One cycle of `target`; the caller holds the target's lane (`runtime.run_target`)."""
    structlog.contextvars.bind_contextvars(target=target.name)
    try:
        with env.db.session() as session:
            return _Cycle(env, session, target, connector).run(dry_run=dry_run, force=force)
    finally:
        structlog.contextvars.unbind_contextvars("target")


class _Cycle:
    """One target's cycle inside its lane; each step records what it did."""

    def __init__(
        self, env: CycleEnv, session: Session, target: TargetConfig, connector: Connector
    ) -> None:
        self.env, self.session, self.target, self.connector = env, session, target, connector

    def run(self, *, dry_run: bool, force: bool) -> TargetReport:
        env, session, name = self.env, self.session, self.target.name
        report = TargetReport(name, self.target.kind, "running")
        report.run_id = journal.start_run(session, name, dry_run=dry_run, now=env.clock.now())
        session.commit()
        structlog.contextvars.bind_contextvars(run_id=report.run_id)
        recovered = journal.recover_interrupted(session, name, report.run_id, env.clock.now())
        session.commit()
        try:
            if recovered.sent and not dry_run:
                self.wait_out(recovered.found_at)  # before the read, so that it sees its effect
            self.poll(all_pending=True)  # settle jobs first: the read and plan see their effects
            fetch_error = self.fetch()
            remote, desired = load_remote_state(session, name), load_desired(session)
            courses = CourseCodes.of(remote.courses, self.target.courses)
            ops, links = self.plan(report.run_id, desired, (remote, courses), dry_run=dry_run)
            report.counts = count_kinds(ops)
            report.drift = count_drift(ops, _hr_changed(session, name), links)
            notes = [
                _recovered(recovered),
                fetch_error,
                _held(ops.held, remote),
                _unsupported(self.target.kind, ops.unsupported),
                _emails(self.target.kind, ops, self.connector.capabilities.emails),
            ]
            if not self.connector.capabilities.groups_have_codes:
                notes.append(_shared(self.target.kind, desired.groups))
            if not force:  # leavers removed in the last 7 days count with this plan's
                recent = removed_users(session, name, since=env.clock.now() - WINDOW)
                check_safety(ops, _managed(links), env.safety, recent=recent)
            journal.record_plan(session, report.run_id, name, ops, env.clock.now())
            session.commit()
            steps = list(enumerate(ops))
            result = self.apply(report.run_id, steps, courses, links, dry_run=dry_run)
            if not dry_run and not env.shutdown.is_set():  # no request after a stop
                self.poll()  # quick jobs are done by now
                notes.append(self.read_back(report, remote, courses))
            notes.append(_unread_answers(result.unconfirmed))
            incomplete = fetch_error and result.status != "failed"
            report.status = "incomplete" if incomplete else result.status
            report.message = "; ".join(m for m in (*notes, result.message) if m) or None
        except PlanTooDestructiveError as err:
            report.status, report.message = "stopped", str(err)
        except ShutdownRequestedError as err:  # during the read or a poll: nothing planned
            report.status, report.message = "interrupted", str(err)
        except SyncdError as err:
            report.status, report.message = "failed", str(err)
        _finish(env, session, report, dry_run)
        return report

    def fetch(self) -> str | None:
        """Stream the target's state into its shadow; the error if the read broke off."""
        env, session = self.env, self.session
        writer = ShadowWriter(session, self.target.name, env.clock.now())
        try:
            for record in self.connector.fetch():
                writer.add(record)
                _stop_if_asked(env)
        except (FatalError, ShutdownRequestedError):  # a stop is no incomplete read
            session.rollback()
            raise
        except SyncdError as err:
            writer.finish(env.clock.now(), complete=False, error=str(err))
            session.commit()
            log.warning("fetch_incomplete", error=str(err))
            return f"fetch incomplete: {err}"
        writer.finish(env.clock.now(), complete=True)
        session.commit()
        return None

    def wait_out(self, found_at: dt.datetime) -> None:
        """A run left `running` with a write `sent` belongs to a process that died or lost
        the lane, and that request may still be at the LMS (a process that lost the lane
        can have sent it just before). It ends within the target's request timeout: this
        cycle neither reads nor writes before then, so two writes never meet (Docebo
        forbids it) and the read sees what that request did (no create sent twice)."""
        clock, timeout = self.env.clock, dt.timedelta(seconds=self.target.timeout_seconds)
        left = (found_at + timeout - clock.now()).total_seconds()
        if left > 0:
            log.warning("waiting_out_a_request_in_flight", seconds=round(left, 1))
            clock.sleep(left)

    def plan(
        self,
        run_id: int,
        desired: DesiredState,
        fetched: tuple[RemoteState, CourseCodes],
        *,
        dry_run: bool,
    ) -> tuple[Plan, Links]:
        """The plan from the fresh read. A real cycle first lets that read settle what earlier
        runs left unconfirmed; what it confirmed is linked now, so the plan is made again
        over those links (a confirmed enrollment HR has since dropped is removed at once)."""
        session, name, now = self.session, self.target.name, self.env.clock.now()
        remote, courses = fetched
        policy = self.policy(_busy(session, name), courses)
        links = load_links(session, name)
        ops = diff(desired, remote, links, policy)
        if dry_run or not settle_unconfirmed(session, name, ops, run_id, now):
            return ops, links
        links = load_links(session, name)
        return diff(desired, remote, links, policy), links

    def policy(self, busy: frozenset[ObjectKey], courses: CourseCodes) -> DiffPolicy:
        caps = self.connector.capabilities
        return DiffPolicy(
            caps.natural_keys,
            caps.groups_have_codes,
            caps.supports,
            caps.nested_groups,
            courses,
            on_leave=self.target.on_leave,
            member_roles=caps.member_roles,
            busy=busy,
        )

    def read_back(
        self, report: TargetReport, remote: RemoteState, courses: CourseCodes
    ) -> str | None:
        """The target's results into training records (links as the apply left them). A read
        back that fails changes nothing, not even the watermark: the next cycle asks again.
        Its error is returned for the run's message; the applied plan stands."""
        env, session = self.env, self.session
        assert report.run_id is not None
        links = load_links(session, self.target.name)
        enrolled = _enrolled(journal.run_operations(session, report.run_id))
        try:
            report.readback = read_back(
                session,
                self.target,
                self.connector,
                (remote, links, courses),
                clock=env.clock,
                settings=env.readback,
                full=env.full_readback,
                enrolled=enrolled,
            )
        except SyncdError as err:
            session.rollback()
            log.warning("read_back_failed", error=str(err))
            return f"read back failed, training records kept as they were: {err}"
        session.commit()
        return None

    def poll(self, *, all_pending: bool = False) -> PollReport | None:
        """Settle what the LMS finished of this target's asynchronous jobs."""
        if not isinstance(self.connector, PollsJobs):
            return None
        env, name = self.env, self.target.name
        return poll_due(
            self.session, name, self.connector, env.clock, env.poll_every, all_pending=all_pending
        )

    def apply(
        self, run_id: int, steps: list[Step], courses: CourseCodes, links: Links, *, dry_run: bool
    ) -> ApplyResult:
        if dry_run:
            return ApplyResult(status="planned")
        refs = LiveRefs(links, courses)
        env = self.env
        lane = Lane(
            self.session, self.target.name, run_id, self.connector, refs, env.clock, env.shutdown
        )
        return apply_plan(lane, steps)


def _unsupported(kind: str, ops: Sequence[Operation]) -> str | None:
    """What HR asked for that this LMS's API cannot do: logged, and said in the run's message."""
    if not ops:
        return None
    counts = count_kinds(ops)
    log.warning("unsupported_changes", kinds=counts, keys=[str(op.key) for op in ops[:20]])
    listed = ", ".join(f"{kind_} {n}" for kind_, n in sorted(counts.items()))
    return f"left undone, the {kind} API cannot make them: {listed}"


def _recovered(recovered: journal.Recovered) -> str | None:
    if not recovered.runs:
        return None
    log.warning(
        "runs_interrupted",
        runs=recovered.runs,
        unconfirmed=recovered.sent,
        skipped=recovered.skipped,
    )
    return (
        f"closed {recovered.runs} run(s) interrupted by a stopped process:"
        f" {recovered.sent} sent operation(s) settled by this read, {recovered.skipped} not sent"
    )


def _unread_answers(count: int) -> str | None:
    if not count:
        return None
    return f"unconfirmed {count}: answered in words syncd cannot read, the next read settles them"


def _emails(kind: str, ops: Sequence[Operation], emailing: frozenset[OpKind]) -> str | None:
    """Which operations of the plan make the LMS email the person (the target asked for it)."""
    counts = count_kinds(op for op in ops if op.KIND in emailing)
    if not counts:
        return None
    listed = ", ".join(f"{kind_} {n}" for kind_, n in sorted(counts.items()))
    return f"{kind} emails the person on: {listed}"


def _held(ops: Sequence[Operation], remote: RemoteState) -> str | None:
    """What the read that broke off holds back until a cycle reads what it depends on."""
    if remote.complete:
        return None
    unread = ", ".join(unread_parts(remote)) or "nothing"
    if not ops:
        return f"not read whole: {unread}; nothing held back"
    counts = count_kinds(ops)
    log.warning("operations_held", kinds=counts, unread=unread)
    listed = ", ".join(f"{kind_} {n}" for kind_, n in sorted(counts.items()))
    return f"held back until {unread} can be read whole: {listed}"


def _shared(kind: str, groups: Mapping[GroupRef, Group]) -> str | None:
    """HR groups that one LMS group would hold, where the LMS keys groups by name."""
    clashes = shared_names(groups)
    if not clashes:
        return None
    log.warning("groups_share_a_name", names=clashes)
    listed = ", ".join("/".join(map(str, refs)) for refs in clashes.values())
    return f"groups sharing a name share one {kind} group (give them distinct names): {listed}"


def _enrolled(entries: Iterable[journal.Entry]) -> list[tuple[EmployeeId, CourseCode]]:
    """The enrollments a run made (its enrolls that are done)."""
    return [
        (e.key.employee_id, e.key.course_code)
        for e in entries
        if e.kind is OpKind.ENROLL
        and e.status is OpStatus.DONE
        and isinstance(e.key, EnrollmentKey)
    ]


def _hr_changed(session: Session, target: str) -> set[EmployeeId] | None:
    """The people HR changed since the target was last in step; None if it never was."""
    since = journal.last_in_step(session, target)
    return None if since is None else changed_since(session, since)


def _busy(session: Session, target: str) -> frozenset[ObjectKey]:
    """Objects with a job in flight: no cycle starts another operation on them."""
    return frozenset(job.key for job in jobs.pending_rows(session, target))


def _stop_if_asked(env: CycleEnv) -> None:
    if env.shutdown.is_set():
        raise ShutdownRequestedError("syncd was asked to stop during the read")


def _managed(links: Links) -> Managed:
    return Managed(
        users=links.count(LinkKind.USER),
        groups=links.count(LinkKind.ORG_UNIT) + links.count(LinkKind.GROUP),
        memberships=links.count(LinkKind.MEMBERSHIP),
        enrollments=links.count(LinkKind.ENROLLMENT),
    )


def _finish(env: CycleEnv, session: Session, report: TargetReport, dry_run: bool) -> None:
    assert report.run_id is not None
    entries = journal.run_operations(session, report.run_id)
    report.operations = [
        OperationReport(e.kind, e.shown_key, dict(e.payload), e.status, e.error) for e in entries
    ]
    statuses = (
        OpStatus.DONE,
        OpStatus.WAITING,
        OpStatus.FAILED,
        OpStatus.SKIPPED,
        OpStatus.EXPIRED,
        OpStatus.UNCONFIRMED,
    )
    results = {s.value: sum(1 for e in entries if e.status is s) for s in statuses}
    journal.finish_run(
        session,
        report.run_id,
        status=report.status,
        counts={**report.counts, **results},
        message=report.message,
        now=env.clock.now(),
        drift=report.drift,
    )
    session.commit()
    log.info("cycle_finished", status=report.status, dry_run=dry_run, **report.counts)
    structlog.contextvars.unbind_contextvars("run_id")
