"""One cycle for one target, inside its lane: start, poll, fetch, plan, safety, apply, read
back, finish. Each stage takes a value and returns one (`Started`, `Fetched`, `Planned`,
`Ending`), each is one unit of work the store commits, and the report is assembled once,
at the end, with the status `_status` decides. The lane (a cross-process lock taken by
the runtime) keeps a second syncd process off the target; the connector checks it before
each write request. Every step is recorded in sync_runs and operations.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import assert_never

import structlog

from syncd.clock import Clock
from syncd.config import SafetyConfig, TargetBase
from syncd.connectors.base import Connector, Linked, PollsJobs
from syncd.errors import FatalError, PlanTooDestructiveError, ShutdownRequestedError, SyncdError
from syncd.keys import Links, ObjectKey
from syncd.operations import AddMember, Enroll
from syncd.reconcile import notes
from syncd.reconcile.apply import ApplyResult, Lane, apply_plan
from syncd.reconcile.confirm import settle_unconfirmed
from syncd.reconcile.courses import CourseCodes
from syncd.reconcile.diff import DiffPolicy, Plan, count_kinds
from syncd.reconcile.drift import count_drift
from syncd.reconcile.poll import PollReport, poll_due
from syncd.reconcile.progress import SILENT, Progress, Tally
from syncd.reconcile.readback import EnrollmentsRead, ReadbackSettings, read_back
from syncd.reconcile.refs import LiveRefs
from syncd.reconcile.safety import WINDOW, Managed, check_safety
from syncd.reconcile.saved import PlanStaleError, SavedTarget, check_plan, check_world
from syncd.reconcile.stages import (
    Ending,
    Fetched,
    Planned,
    ReadBack,
    Started,
    TargetReport,
    report_of,
)
from syncd.reconcile.stream import diff_stored
from syncd.records import (
    EmployeeId,
    GroupKind,
    GroupRef,
    LinkKind,
    RemoteId,
)
from syncd.side_effects import Effect
from syncd.statuses import RunStatus
from syncd.store import Database, Session, jobs, journal, unit_of_work
from syncd.store.fingerprints import target_objects
from syncd.store.journal import OpStatus
from syncd.store.links import count_links, load_links, load_user_links
from syncd.store.mirror import changed_since, load_groups
from syncd.store.shadow import ShadowWriter, load_remote_frame, stream_enrollments
from syncd.store.window import removed_users

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class CycleEnv:
    db: Database
    clock: Clock
    safety: SafetyConfig
    shutdown: threading.Event
    poll_every: dt.timedelta = dt.timedelta(seconds=30)
    readback: ReadbackSettings = field(default_factory=ReadbackSettings)
    full_readback: bool = False  # read every result again this cycle
    progress: Progress = SILENT  # the CLI's line on a terminal


def run_cycle(
    env: CycleEnv,
    target: TargetBase,
    connector: Connector,
    *,
    dry_run: bool,
    force: bool,
    saved: SavedTarget | None = None,
) -> TargetReport:
    """One cycle of `target`; the caller holds the target's lane (`runtime.run_target`).
    With `saved` (`syncd apply`), the cycle applies that saved plan or refuses it."""
    structlog.contextvars.bind_contextvars(target=target.name)
    try:
        with env.db.session() as session:
            cycle = _Cycle(env, session, target, connector, dry_run=dry_run, saved=saved)
            started = cycle.start()
            return cycle.finish(started, cycle.carry_out(started, force=force))
    finally:
        structlog.contextvars.unbind_contextvars("target", "run_id")


class _Cycle:
    """One target's cycle inside its lane: poll, fetch, plan, safety, apply, read back and
    finish, each a stage that takes a value and returns one, each its own unit of work."""

    def __init__(
        self,
        env: CycleEnv,
        session: Session,
        target: TargetBase,
        connector: Connector,
        *,
        dry_run: bool,
        saved: SavedTarget | None = None,
    ) -> None:
        self.env, self.session, self.target, self.connector = env, session, target, connector
        self.dry_run, self.saved = dry_run, saved
        self.left: str | None = None  # what `--only` left of a saved plan

    def start(self) -> Started:
        """The run's row, and the runs a stopped process left open, closed."""
        name, now = self.target.name, self.env.clock.now()
        with unit_of_work(self.session) as session:
            run_id = journal.start_run(session, name, dry_run=self.dry_run, now=now)
        structlog.contextvars.bind_contextvars(run_id=run_id)
        with unit_of_work(self.session) as session:
            recovered = journal.recover_interrupted(session, name, run_id, now)
        return Started(run_id, recovered)

    def carry_out(self, started: Started, *, force: bool) -> Ending:
        try:
            if started.recovered.sent and not self.dry_run:
                self.wait_out(started.recovered.found_at)  # before the read: it sees its effect
            self.poll(all_pending=True)  # settle jobs first: the read and plan see their effects
            fetched = self.fetch()
            planned = self.plan(started, fetched)
        except SyncdError as err:
            return Ending(_status(err), str(err))
        try:
            return self.execute(started, fetched, planned, force=force)
        except SyncdError as err:
            return Ending(_status(err), str(err), planned)

    def execute(
        self, started: Started, fetched: Fetched, planned: Planned, *, force: bool
    ) -> Ending:
        """Safety, the plan recorded, applied and read back."""
        if not force:
            self.check_safety(planned)
        with unit_of_work(self.session) as session:
            journal.record_plan(
                session, started.run_id, self.target.name, planned.ops, self.env.clock.now()
            )
        result = self.apply(started.run_id, planned, fetched.courses)
        read = self.read_back(started.run_id, fetched) if self.reads_after() else None
        said = (
            *planned.notes,
            read.error if read else None,
            notes.unread_answers(result.unconfirmed),
            result.message,
        )
        message = "; ".join(note for note in said if note) or None
        status = _status(result, fetched.error)
        return Ending(status, message, planned, read.report if read else None)

    def reads_after(self) -> bool:
        """A real cycle that was not asked to stop reads results back (no request after a stop)."""
        return not self.dry_run and not self.env.shutdown.is_set()

    def fetch(self) -> Fetched:
        """Stream the target's state into its shadow; the error if the read broke off. A stop
        or a target-level refusal keeps the shadow as it was: that is no incomplete read."""
        env, name = self.env, self.target.name
        tally = Tally(name, "fetch")
        with env.progress.showing(tally), unit_of_work(self.session) as session:
            writer = ShadowWriter(session, name, env.clock.now())
            error = _stream(self.connector, writer, env, _linked(session, name), tally)
            writer.finish(env.clock.now(), complete=error is None, error=error)
        if error:
            log.warning("fetch_incomplete", error=error)
        remote = load_remote_frame(self.session, name)
        return Fetched(
            remote,
            load_groups(self.session),
            CourseCodes.of(remote.courses, self.target.courses),
            error and f"fetch incomplete: {error}",
        )

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

    def plan(self, started: Started, fetched: Fetched) -> Planned:
        """The plan from the fresh read. A real cycle first lets that read settle what earlier
        runs left unconfirmed; what it confirmed is linked now, so the plan is made again
        over those links (a confirmed enrollment HR has since dropped is removed at once)."""
        name, now = self.target.name, self.env.clock.now()
        with unit_of_work(self.session) as session:
            policy = self.policy(_busy(session, name), fetched.courses)
            ops = diff_stored(session, name, policy)
            if not self.dry_run and settle_unconfirmed(session, name, ops, started.run_id, now):
                ops = diff_stored(session, name, policy)
            if self.saved is not None:
                ops = self.held_to(self.saved, ops)
            links = _plan_links(session, name, ops)
            drift = count_drift(ops, _hr_changed(session, name), links)
        return Planned(ops, links, drift, self.plan_notes(started, fetched, ops))

    def held_to(self, saved: SavedTarget, ops: Plan) -> Plan:
        """The saved plan, if the read found what it was made from and the plan made now is
        the same; of it, the kinds `--only` chose (the rest waits for a later plan)."""
        name = self.target.name
        check_world(
            f"{name} (its LMS, or syncd's links to it)",
            saved.objects,
            target_objects(self.session, name),
        )
        check_plan(name, saved.operations, ops)
        chosen = Plan(op for op in ops if saved.applies(op.KIND))
        chosen.unsupported, chosen.held = ops.unsupported, ops.held
        left = count_kinds(op for op in ops if not saved.applies(op.KIND))
        if left:
            listed = ", ".join(f"{kind} {n}" for kind, n in sorted(left.items()))
            log.info("saved_plan_left_for_later", kinds=left)
            self.left = f"left for a later plan (--only): {listed}"
        return chosen

    def plan_notes(self, started: Started, fetched: Fetched, ops: Plan) -> tuple[str | None, ...]:
        kind, caps = self.target.kind, self.connector.capabilities
        return (
            notes.recovered(started.recovered),
            fetched.error,
            notes.held(ops.held, fetched.remote),
            notes.unsupported(kind, ops.unsupported),
            notes.side_effects(kind, ops, caps.side_effects),
            self.left,
            None if caps.groups_have_codes else notes.shared(kind, fetched.groups),
        )

    def check_safety(self, planned: Planned) -> None:
        """Refuse a plan past the limits; leavers removed in the last 7 days count with it."""
        env = self.env
        recent = removed_users(self.session, self.target.name, since=env.clock.now() - WINDOW)
        check_safety(
            planned.ops, _managed(self.session, self.target.name), env.safety, recent=recent
        )

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

    def read_back(self, run_id: int, fetched: Fetched) -> ReadBack:
        """Quick jobs settled, then the target's results into training records (links as the
        apply left them). A read back that fails changes nothing, not even the watermark:
        the next cycle asks again. Its error goes into the run's message; the plan stands."""
        self.poll()
        env, name = self.env, self.target.name
        try:
            with unit_of_work(self.session) as session:
                people = load_user_links(session, name)
                enrolled = journal.done_enrollments(session, run_id)
                report = read_back(
                    session,
                    self.target,
                    self.connector,
                    (_enrollments_read(session, name, fetched), people, fetched.courses),
                    clock=env.clock,
                    settings=env.readback,
                    full=env.full_readback,
                    enrolled=enrolled,
                )
        except SyncdError as err:
            log.warning("read_back_failed", error=str(err))
            return ReadBack(None, f"read back failed, training records kept as they were: {err}")
        return ReadBack(report, None)

    def poll(self, *, all_pending: bool = False) -> PollReport | None:
        """Settle what the LMS finished of this target's asynchronous jobs."""
        if not isinstance(self.connector, PollsJobs):
            return None
        env, name = self.env, self.target.name
        return poll_due(
            self.session, name, self.connector, env.clock, env.poll_every, all_pending=all_pending
        )

    def apply(self, run_id: int, planned: Planned, courses: CourseCodes) -> ApplyResult:
        if self.dry_run:
            return ApplyResult(status=RunStatus.PLANNED)
        refs = LiveRefs(planned.links, courses)
        env, name = self.env, self.target.name
        lane = Lane(self.session, name, run_id, self.connector, refs, env.clock, env.shutdown)
        tally = Tally(name, "apply", planned=len(planned.ops))
        with env.progress.showing(tally):
            return apply_plan(lane, list(enumerate(planned.ops)), tally)

    def finish(self, started: Started, ending: Ending) -> TargetReport:
        """The run's row closed with its counts; the report, assembled once from the stages."""
        env, planned = self.env, ending.planned
        counts = count_kinds(planned.ops) if planned else {}
        drift = planned.drift if planned else 0
        effects = self.connector.capabilities.side_effects
        totals = {
            e.value: n
            for e, n in notes.effect_totals(planned.ops if planned else (), effects).items()
        }
        with unit_of_work(self.session) as session:
            entries = journal.run_operations(session, started.run_id)
            journal.finish_run(
                session,
                started.run_id,
                status=ending.status,
                counts={**counts, **_results(entries)},
                message=ending.message,
                now=env.clock.now(),
                drift=drift,
                side_effects=totals,
                whole=self.left is None,
                fingerprints=self.saved.fingerprints if self.saved else None,
            )
        log.info("cycle_finished", status=ending.status, dry_run=self.dry_run, **counts)
        return TargetReport(
            self.target.name,
            self.target.kind,
            ending.status,
            counts,
            tuple(
                report_of(e, {x.value: n for x, n in effects.of(e.kind).items()}) for e in entries
            ),
            ending.message,
            started.run_id,
            drift,
            ending.readback,
            totals,
            tuple(e.value for e in Effect if e in effects.unswitchable and e.value in totals),
        )


def _status(outcome: ApplyResult | SyncdError, fetch_error: str | None = None) -> RunStatus:
    """The one place a run's status is decided: from how the stages ended."""
    match outcome:
        case PlanTooDestructiveError() | PlanStaleError():  # refused: nothing was sent
            return RunStatus.STOPPED
        case ShutdownRequestedError():  # during the read or a poll: nothing planned
            return RunStatus.INTERRUPTED
        case SyncdError():
            return RunStatus.FAILED
        case ApplyResult(status=RunStatus.FAILED):
            return RunStatus.FAILED
        case ApplyResult() if fetch_error:
            return RunStatus.INCOMPLETE
        case ApplyResult():
            return outcome.status
        case _:
            assert_never(outcome)


def _stream(
    connector: Connector, writer: ShadowWriter, env: CycleEnv, linked: Linked, tally: Tally
) -> str | None:
    """Every record the connector reads, into `writer` and counted in `tally`; the error if
    the read broke off."""
    try:
        for record in connector.fetch(linked):
            writer.add(record)
            tally.fetched(record)
            _stop_if_asked(env)
    except (FatalError, ShutdownRequestedError):
        raise
    except SyncdError as err:
        return str(err)
    return None


_RESULTS = (
    OpStatus.DONE,
    OpStatus.WAITING,
    OpStatus.FAILED,
    OpStatus.SKIPPED,
    OpStatus.EXPIRED,
    OpStatus.UNCONFIRMED,
)


def _results(entries: Sequence[journal.Entry]) -> dict[str, int]:
    return {s.value: sum(1 for e in entries if e.status is s) for s in _RESULTS}


def _linked(session: Session, target: str) -> Linked:
    """The target's linked groups by remote id, for the read (`Linked`); a remote id linked
    to two HR groups is left out, so the read tells which it is."""
    links = load_links(session, target, kinds=(LinkKind.ORG_UNIT, LinkKind.GROUP))
    found: dict[RemoteId, GroupRef | None] = {}
    for kind in GroupKind:
        for ref, remote_id in links.groups(kind).items():
            found[remote_id] = None if remote_id in found else ref
    return Linked({rid: ref for rid, ref in found.items() if ref is not None and rid})


def _hr_changed(session: Session, target: str) -> set[EmployeeId] | None:
    """The people HR changed since the target was last in step; None if it never was."""
    since = journal.last_in_step(session, target)
    return None if since is None else changed_since(session, since)


def _busy(session: Session, target: str) -> frozenset[ObjectKey]:
    """Objects with a job in flight: no cycle starts another operation on them."""
    return frozenset(job.key for job in jobs.pending_rows(session, target))


def _enrollments_read(session: Session, target: str, fetched: Fetched) -> EnrollmentsRead:
    """The fetch's enrollments, streamed from the shadow for the read back."""
    return EnrollmentsRead(
        stream_enrollments(session, target), fetched.remote.complete, shadow=True
    )


def _stop_if_asked(env: CycleEnv) -> None:
    if env.shutdown.is_set():
        raise ShutdownRequestedError("syncd was asked to stop during the read")


def _managed(session: Session, target: str) -> Managed:
    def count(*kinds: LinkKind) -> int:
        return sum(count_links(session, target, kind) for kind in kinds)

    return Managed(
        users=count(LinkKind.USER),
        groups=count(LinkKind.ORG_UNIT, LinkKind.GROUP),
        memberships=count(LinkKind.MEMBERSHIP),
        enrollments=count(LinkKind.ENROLLMENT),
    )


def _plan_links(session: Session, target: str, ops: Plan) -> Links:
    """The users' and groups' links (an apply's refs), and the membership and enrollment
    links of the people the plan adds or enrolls (what drift looks for), not all of them;
    none for an empty plan, which neither applies nor restores anything."""
    if not ops:
        return Links()
    own = load_links(session, target, kinds=(LinkKind.USER, LinkKind.ORG_UNIT, LinkKind.GROUP))
    people = {op.employee_id for op in ops if isinstance(op, AddMember | Enroll)}
    if not people:
        return own
    theirs = load_links(session, target, (LinkKind.MEMBERSHIP, LinkKind.ENROLLMENT), people)
    return Links({**own.ids, **theirs.ids}, own.adopted | theirs.adopted)
