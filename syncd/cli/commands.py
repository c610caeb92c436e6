"""What each `syncd` subcommand does, on top of the runtime."""

from __future__ import annotations

import argparse
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from syncd.cli import checks, planfile, render
from syncd.cli.opening import load, require_database
from syncd.cli.progress import progress_for
from syncd.config import Config
from syncd.errors import ConfigError
from syncd.kinds import serve_all
from syncd.operations import OpKind
from syncd.runtime import RunReport, Runtime
from syncd.scheduler import HEARTBEAT_ENV, heartbeat_path, run_daemon, stop_on_signals
from syncd.statuses import RunStatus

HEALTH_TIMEOUT = 5.0  # seconds; the image's HEALTHCHECK allows 10


def _open(args: argparse.Namespace, *, full_readback: bool = False) -> Runtime:
    """The runtime over a status database that answers; its long stages show a progress
    line when stderr is a terminal."""
    config = load(args)
    require_database(config)
    return Runtime(config, full_readback=full_readback, progress=progress_for(sys.stderr))


def run(args: argparse.Namespace) -> int:
    """`run --once` / `run --dry-run`: one cycle and a report; plain `run`: the daemon."""
    runtime = _open(args, full_readback=args.full_readback)
    # a stopped --once records its runs `interrupted`: exit 1
    with stop_on_signals(runtime.shutdown):
        try:
            runtime.upgrade()
            if not (args.once or args.dry_run):
                port = args.metrics_port
                port = runtime.config.metrics.port if port is None else port
                return run_daemon(runtime, args.target, metrics_port=port)
            report = runtime.run_once(args.target, dry_run=args.dry_run, force=args.force)
        finally:
            runtime.close()
    out = render.run_json(report) if args.format == "json" else render.run_text(report)
    sys.stdout.write(out)
    return 0 if report.fine else 1


def plan(args: argparse.Namespace) -> int:
    """`plan`: the dry run's plan printed, and saved with its fingerprints to `--out`;
    `plan --show ID`: a recorded plan printed again."""
    runtime = _open(args)
    with stop_on_signals(runtime.shutdown):
        try:
            runtime.upgrade()
            if args.show is not None:
                return _show(runtime, args.show, args.format)
            report = runtime.run_once(args.target, dry_run=True, force=False)
            saved = _saved(runtime, report, args.out) if args.out else None
        finally:
            runtime.close()
    out = render.run_json(report) if args.format == "json" else render.run_text(report)
    sys.stdout.write(out)
    if saved:
        print(saved, file=sys.stderr)
    return 0 if report.fine else 1


def _saved(runtime: Runtime, report: RunReport, path: Path) -> str:
    """Save the plans of the targets whose dry run planned; say what was saved."""
    planned = [t for t in report.targets if t.status is RunStatus.PLANNED]
    if not planned:
        return f"no target planned: nothing saved to {path}"
    hr, targets = runtime.fingerprints(planned)
    planfile.write_plan(path, planfile.plan_document(planned, hr, targets, runtime.clock.now()))
    names = ", ".join(t.name for t in planned)
    return f"plan of {names} saved to {path}; review it, then: syncd apply {path}"


def _show(runtime: Runtime, run_id: int, form: str) -> int:
    report = runtime.recorded_plan(run_id)
    out = render.run_json(report) if form == "json" else render.run_text(report)
    sys.stdout.write(out)
    return 0


def apply(args: argparse.Namespace) -> int:
    """`apply FILE`: the saved plan applied exactly, or refused naming what changed."""
    runtime = _open(args)
    only = frozenset(OpKind(k) for k in args.only)
    with stop_on_signals(runtime.shutdown):
        try:
            runtime.upgrade()
            max_age = runtime.config.safety.plan_max_age
            saved = planfile.read_plan(
                args.plan_file, now=runtime.clock.now(), max_age=max_age, only=only
            )
            report = runtime.apply_saved(saved, force=args.force)
        finally:
            runtime.close()
    out = render.run_json(report) if args.format == "json" else render.run_text(report)
    sys.stdout.write(out)
    return 0 if report.fine else 1


def check(args: argparse.Namespace) -> int:
    """The status database, the HR source, one authenticated read per target: every problem
    said, then 2 if the config is wrong (database, HR source), else 1 if a target failed."""
    config = load(args)
    wrong = sum(_checked(need, config) for need in (require_database, checks.require_hr_source))
    runtime = Runtime(config)
    failures = 0
    try:
        for target in runtime.targets(args.target):
            problem = runtime.check(target)
            failures += problem is not None
            print(f"{target.name} ({target.kind}): {problem or 'ok, authenticated read worked'}")
    finally:
        runtime.close()
    return 2 if wrong else 1 if failures else 0


def _checked(need: Callable[[Config], str], config: Config) -> bool:
    """Print what `need` found; True if it found the config wrong."""
    try:
        print(need(config))
    except ConfigError as err:
        print(f"syncd: config error: {err}", file=sys.stderr)
        return True
    return False


def db_upgrade(args: argparse.Namespace) -> int:
    runtime = _open(args)
    try:
        runtime.upgrade()
    finally:
        runtime.close()
    print("database is at the newest schema")
    return 0


def sandbox(args: argparse.Namespace) -> int:
    """Serve every LMS simulator on loopback ports until SIGINT/SIGTERM."""
    stop = threading.Event()
    with stop_on_signals(stop):
        servers = serve_all(args.host, args.port)
        for line in (s.describe() for s in servers):
            print(line, flush=True)
        stop.wait()
        for server in servers:
            server.shutdown()
    return 0


def healthcheck(args: argparse.Namespace) -> int:
    """0 when the daemon's heartbeat is fresher than --max-age seconds and, if the daemon
    serves metrics (the heartbeat holds their address), its --endpoint answers 200."""
    path = heartbeat_path()
    if not path.exists():
        print(f"no heartbeat at {path} (set {HEARTBEAT_ENV} to move it)", file=sys.stderr)
        return 1
    age = time.time() - path.stat().st_mtime
    if age > args.max_age:
        print(f"heartbeat is {age:.0f}s old (limit {args.max_age:.0f}s)", file=sys.stderr)
        return 1
    served = path.read_text(encoding="utf-8").strip()
    return _asked_endpoint(served + args.endpoint) if served else 0


def _asked_endpoint(url: str) -> int:
    """0 when the daemon's own endpoint answers 200; else 1, its words printed. Asked
    directly: a proxy the environment names is not the way to this host's own port."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with direct.open(url, timeout=HEALTH_TIMEOUT) as answer:
            return 0 if answer.status == 200 else 1
    except urllib.error.HTTPError as err:
        words = err.read().decode(errors="replace").strip()
        print(f"{url}: {err.code} {words}", file=sys.stderr)
    except OSError as err:
        print(f"{url}: no answer ({err})", file=sys.stderr)
    return 1
