"""Wiring: config -> database, connectors (real or sandboxed) and the reconcile cycle.

Used by the CLI and the scheduler. A target with `sandbox = true` talks to the
built-in simulator in-process, whose state is kept in `sandbox_state` between
runs, so the sandbox behaves like a real LMS that remembers. Simulator and connector
share a `FastForwardClock` over the runtime's, one per target: their waits (a rate
limit, a Retry-After) are counted by both and cost no real time. The daemon's metrics
(`enable_metrics`) are fed here, where cycles, lanes, imports and job polls end.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field

from syncd.clock import Clock, FastForwardClock, SystemClock
from syncd.config import Config, TargetBase
from syncd.connectors.base import Connector, ConnectorContext, PollsJobs, Transport
from syncd.errors import ImportRefusedError, SyncdError
from syncd.kinds import build_connector, sandboxed
from syncd.metrics import Metrics
from syncd.operations import OpKind
from syncd.reconcile.cycle import CycleEnv, run_cycle
from syncd.reconcile.hr_import import ImportResult, import_hr
from syncd.reconcile.poll import PollReport, poll_due
from syncd.reconcile.progress import SILENT, Progress
from syncd.reconcile.readback import ReadbackSettings, export_records
from syncd.reconcile.saved import SavedPlan, SavedTarget, check_world
from syncd.reconcile.stages import TargetReport, report_of
from syncd.statuses import RunStatus
from syncd.store import Database, Lease, jobs, journal, unit_of_work
from syncd.store.fingerprints import Objects, digest, hr_objects, target_objects
from syncd.store.mirror import next_effective_moment


@dataclass(slots=True)
class RunReport:
    dry_run: bool
    hr: ImportResult | None = None
    targets: list[TargetReport] = field(default_factory=list)

    @property
    def fine(self) -> bool:
        return all(t.fine for t in self.targets)


class Runtime:
    def __init__(
        self,
        config: Config,
        *,
        clock: Clock | None = None,
        transports: Mapping[str, Transport] | None = None,
        shutdown: threading.Event | None = None,
        lane_wait_seconds: float = 600.0,
        full_readback: bool = False,
        progress: Progress = SILENT,
    ) -> None:
        self.config = config
        self.full_readback = full_readback
        self.progress = progress  # how long fetches and applies show how far they got
        self.shutdown = shutdown or threading.Event()
        self.clock = clock or SystemClock(self.shutdown)  # its sleeps end on a stop request
        self.db = Database(config.database.url)
        self._transports = dict(transports or {})
        self._sandbox_clocks: dict[str, FastForwardClock] = {}
        self._lane_wait = lane_wait_seconds
        self.metrics: Metrics | None = None  # the daemon's, once `enable_metrics` made them

    def upgrade(self) -> None:
        self.db.upgrade()

    def enable_metrics(self, names: Sequence[str] = ()) -> Metrics:
        """The daemon's metrics over `names`' targets (all enabled ones when none), each
        target's last success read from the status database; from now on fed by every
        cycle, lane, import and job poll."""
        targets = [t.name for t in self.targets(names)]
        with self.db.session() as session:
            last = {t: journal.last_in_step(session, t) for t in targets}
        found = {t: when for t, when in last.items() if when is not None}
        self.metrics = Metrics(self.clock.now, targets, found)
        return self.metrics

    def not_ready(self) -> str | None:
        """None when the status database answers at the newest schema, else why not."""
        return self.db.not_ready()

    def close(self) -> None:
        self.db.dispose()

    def targets(self, names: Sequence[str] = ()) -> list[TargetBase]:
        return self.config.chosen(names)

    def import_hr(self, *, force: bool) -> ImportResult:
        result = import_hr(self.db, self.config, self.clock, force=force, stop=self.shutdown)
        if self.metrics is not None:
            self.metrics.quarantined(result.quarantined)
        return result

    def next_effective_moment(self) -> dt.datetime | None:
        """When HR's dates next change who the LMSs see, after now: a person due to be
        created, a last day ending (the daemon wakes then, not only on its interval)."""
        with self.db.session() as session:
            return next_effective_moment(session, self.clock.now())

    def run_once(self, names: Sequence[str] = (), *, dry_run: bool, force: bool) -> RunReport:
        targets = self.targets(names)
        report = RunReport(dry_run)
        try:
            report.hr = self.import_hr(force=force)
        except ImportRefusedError as err:
            report.targets = [
                TargetReport(t.name, t.kind, RunStatus.STOPPED, message=str(err)) for t in targets
            ]
            return report
        report.targets = [
            self.run_target(t, dry_run=dry_run, force=force, export=False) for t in targets
        ]
        if any(t.readback is not None for t in report.targets):
            self.export()
        return report

    def apply_saved(self, plan: SavedPlan, *, force: bool) -> RunReport:
        """`syncd apply`: HR read again and held to the plan's fingerprint (refused as a
        whole if it changed), then each target's cycle applies its saved plan or refuses it
        (`reconcile/saved.py`)."""
        targets = self.targets(list(plan.targets))
        report = RunReport(dry_run=False, hr=self.import_hr(force=force))
        with self.db.session() as session:
            check_world("HR", plan.hr, hr_objects(session))
        report.targets = [
            self.run_target(t, dry_run=False, force=force, export=False, saved=plan.targets[t.name])
            for t in targets
        ]
        if any(t.readback is not None for t in report.targets):
            self.export()
        return report

    def recorded_plan(self, run_id: int) -> RunReport:
        """A run's plan as it was recorded (`syncd plan --show`): its operations, what they
        overwrite, its counts, side-effect totals and message."""
        with self.db.session() as session:
            run = journal.recorded_run(session, run_id)
            if run is None:
                raise SyncdError(f"no run #{run_id} in the status database")
            kinds = {t.name: t.kind for t in self.config.targets}
            entries = journal.run_operations(session, run_id)
            target = TargetReport(
                run.target,
                kinds.get(run.target, "no longer configured"),
                RunStatus(run.status),
                {k: v for k, v in run.counts.items() if k in OpKind.__members__.values()},
                tuple(report_of(e) for e in entries),
                run.message,
                run.id,
                run.drift,
                side_effects=dict(run.side_effects or {}),
            )
            return RunReport(run.dry_run, targets=[target])

    def fingerprints(self, planned: Sequence[TargetReport]) -> tuple[Objects, dict[str, Objects]]:
        """What the plans of `planned` (dry runs just made) were made from: HR's mirror, each
        target's shadow and links; their digests kept on the dry runs' rows."""
        with self.db.session() as session, unit_of_work(session):
            hr = hr_objects(session)
            targets = {t.name: target_objects(session, t.name) for t in planned}
            for t in planned:
                if t.run_id is not None:
                    digests = (digest(hr), digest(targets[t.name]))
                    journal.set_fingerprints(session, t.run_id, digests)
        return hr, targets

    def run_target(
        self,
        target: TargetBase,
        *,
        dry_run: bool,
        force: bool,
        export: bool = True,
        saved: SavedTarget | None = None,
    ) -> TargetReport:
        """One cycle of `target` (with `saved`: that saved plan applied, or refused); then,
        unless `export` is False, the HR sinks are rewritten."""
        if self.shutdown.is_set():  # a target not begun when the stop came is not begun
            return _not_started(target)
        with self._observing(target):
            report = self._cycle(target, dry_run=dry_run, force=force, saved=saved)
        if export and report.readback is not None:
            self.export()
        return report

    def _cycle(
        self, target: TargetBase, *, dry_run: bool, force: bool, saved: SavedTarget | None
    ) -> TargetReport:
        """The cycle in the target's lane; what it did told to the metrics, if any."""
        schedule = self.config.schedule
        env = CycleEnv(
            self.db,
            self.clock,
            self.config.safety,
            self.shutdown,
            schedule.jobs_poll_every,
            ReadbackSettings(schedule.readback_overlap, schedule.readback_full_every),
            self.full_readback,
            self.progress,
        )
        lane_lock = self.db.lock(
            f"lane:{target.name}", wait_seconds=self._lane_wait, stop=self.shutdown
        )
        with lane_lock as lane:
            if not lane:
                report = _not_started(target) if self.shutdown.is_set() else _busy(target)
            else:
                with self._lane(target), self.connector(target, lane) as connector:
                    report = run_cycle(
                        env, target, connector, dry_run=dry_run, force=force, saved=saved
                    )
        if self.metrics is not None:
            outcomes = [(op.kind.value, op.status.value) for op in report.operations]
            self.metrics.cycle_ended(target.name, report.status, outcomes)
            self._count_pending(target)
        return report

    def export(self) -> None:
        """Every target's training records to `completions.csv` and the SQL sink, if any."""
        with self.db.session() as session:
            export_records(session, self.config.hr)

    def poll_jobs(self, target: TargetBase) -> PollReport | None:
        """Settle the target's due asynchronous jobs, unless a cycle holds its lane right now."""
        with self.db.session() as session:
            if not jobs.pending_rows(session, target.name):
                return None
        with self.db.lock(f"lane:{target.name}", wait_seconds=0) as lane:
            if not lane:
                return None
            with self._observing(target), self._lane(target):
                report = self._poll(target, lane)
        if self.metrics is not None:
            self._count_pending(target)
        return report

    def _poll(self, target: TargetBase, lane: Lease) -> PollReport | None:
        with self.connector(target, lane) as connector, self.db.session() as session:
            if not isinstance(connector, PollsJobs):
                return None
            every = self.config.schedule.jobs_poll_every
            return poll_due(session, target.name, connector, self.clock, every)

    def _observing(self, target: TargetBase) -> AbstractContextManager[None]:
        """While the target's cycle or job poll runs, its requests and waits are counted."""
        return self.metrics.observing(target.name) if self.metrics else nullcontext()

    def _lane(self, target: TargetBase) -> AbstractContextManager[None]:
        return self.metrics.lane(target.name) if self.metrics else nullcontext()

    def _count_pending(self, target: TargetBase) -> None:
        assert self.metrics is not None
        with self.db.session() as session:
            self.metrics.pending_jobs(target.name, len(jobs.pending_rows(session, target.name)))

    def check(self, target: TargetBase) -> str | None:
        """One authenticated read; None when it worked, else what went wrong."""
        try:
            with self.connector(target) as connector:
                connector.check()
        except SyncdError as err:
            return str(err)
        return None

    @contextmanager
    def connector(self, target: TargetBase, lane: Lease | None = None) -> Iterator[Connector]:
        """The target's connector; with the lane's lease, every write request it sends is
        preceded by a check that the lane is still held (`store/locks.py`)."""
        guard = lane.check if lane is not None else None
        with self._context(target, guard) as ctx:
            connector = build_connector(target, ctx)
            try:
                yield connector
            finally:
                connector.close()

    @contextmanager
    def _context(
        self, target: TargetBase, guard: Callable[[], None] | None
    ) -> Iterator[ConnectorContext]:
        """What the target's connector is given: a transport a test injected, or the
        in-process sandbox's on the sandbox's clock, or the network on the runtime's."""
        if target.name in self._transports:
            yield ConnectorContext(self.clock, self._transports[target.name], guard)
        elif target.sandbox:
            clock = self._sandbox_clock(target)
            with sandboxed(target, clock) as transport:
                yield ConnectorContext(clock, transport, guard)
        else:
            yield ConnectorContext(self.clock, None, guard)

    def _sandbox_clock(self, target: TargetBase) -> FastForwardClock:
        """The target's sandbox clock: made on first use, kept for this runtime's life, so
        that a rate limiter shared per clock counts across its cycles."""
        if target.name not in self._sandbox_clocks:
            clock = FastForwardClock(self.clock, shutdown=self.shutdown)
            self._sandbox_clocks[target.name] = clock
        return self._sandbox_clocks[target.name]


def _not_started(target: TargetBase) -> TargetReport:
    stopped = "not started: syncd was asked to stop"
    return TargetReport(target.name, target.kind, RunStatus.INTERRUPTED, message=stopped)


def _busy(target: TargetBase) -> TargetReport:
    busy = "another syncd process holds this target's lane"
    return TargetReport(target.name, target.kind, RunStatus.BUSY, message=busy)
