"""The `syncd` command line: run, status, check, db upgrade, sandbox, healthcheck.

Exit codes: 0 every target fine; 1 a target failed, stopped on a safety limit or
was interrupted (`run --once` stopped by SIGTERM/SIGINT); 2 the config or the command
line is wrong (the message names the key or file); 130 a command without its own
handler (status, check, db) stopped by Ctrl-C, with no traceback. Plans and status go to
stdout, logs to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path

from syncd import __version__
from syncd.errors import ConfigError, SyncdError

INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command Ctrl-C stopped
DEFAULT_CONFIG = "config/syncd.toml"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(_handler(args.handler)(args))
    except ConfigError as err:
        print(f"syncd: config error: {err}", file=sys.stderr)
        return 2
    except SyncdError as err:
        print(f"syncd: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C in a command that sets no handler (`run` sets one)
        print("syncd: interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception:  # noqa: BLE001 - the last guard: record the crash, exit non-zero
        import structlog  # noqa: PLC0415 - only a crash needs it

        structlog.get_logger().exception("syncd_crashed")
        return 1


def _handler(name: str) -> Callable[[argparse.Namespace], int]:
    """The command's handler, imported only once a command runs: the parser alone
    (`--help`, a usage error) loads none of syncd's engine. `status` has a module of its
    own (`cli/status.py`) that loads no connector or engine; the rest are in
    `cli/commands.py`."""
    module = "syncd.cli.status" if name == "status" else "syncd.cli.commands"
    handler: Callable[[argparse.Namespace], int] = getattr(import_module(module), name)
    return handler


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-c",
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        help=f"config file (default: $SYNCD_CONFIG, else {DEFAULT_CONFIG})",
    )
    parser = argparse.ArgumentParser(
        prog="syncd", parents=[common], description="Keeps learning platforms in step with HR."
    )
    parser.add_argument("--version", action="version", version=f"syncd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _run_parser(sub, common)
    _plan_parsers(sub, common)
    _status_parser(sub, common)
    check = sub.add_parser("check", parents=[common], help="validate config, one read per target")
    check.add_argument("--target", action="append", default=[], metavar="NAME")
    check.set_defaults(handler="check")
    db = sub.add_parser("db", parents=[common], help="database schema")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(handler="db_upgrade")
    _sandbox_parser(sub, common)
    health = sub.add_parser("healthcheck", parents=[common], help="is the daemon alive?")
    health.add_argument("--max-age", type=float, default=300.0, metavar="SECONDS")
    health.add_argument(
        "--endpoint",
        default="/healthz",
        metavar="PATH",
        help="asked of the daemon's metrics server, when it serves one (default: /healthz)",
    )
    health.set_defaults(handler="healthcheck")
    return parser


def _run_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    run = sub.add_parser("run", parents=[common], help="reconcile (daemon, or --once)")
    run.add_argument("--once", action="store_true", help="one full cycle, then exit")
    run.add_argument("--dry-run", action="store_true", help="print the plan, send no write")
    run.add_argument("--target", action="append", default=[], metavar="NAME")
    run.add_argument("--format", choices=["text", "json"], default="text")
    run.add_argument("--force", action="store_true", help="apply past the safety limits")
    run.add_argument(
        "--full-readback",
        action="store_true",
        help="read every result back from the LMSs, not only those changed since the last read",
    )
    run.add_argument(
        "--metrics-port",
        type=_port,
        metavar="N",
        help="the daemon serves /metrics, /healthz, /readyz on this port (over [metrics] port)",
    )
    run.set_defaults(handler="run")


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535; 0: any free port)")
    return int(text)


def _plan_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    plan = sub.add_parser(
        "plan", parents=[common], help="the plan, sent nowhere; --out saves it for apply"
    )
    plan.add_argument("--target", action="append", default=[], metavar="NAME")
    plan.add_argument("--out", type=Path, metavar="FILE", help="save the plan for `syncd apply`")
    plan.add_argument("--show", type=int, metavar="RUN_ID", help="print a recorded plan again")
    plan.add_argument("--format", choices=["text", "json"], default="text")
    plan.set_defaults(handler="plan")
    apply = sub.add_parser(
        "apply", parents=[common], help="apply a saved plan, exactly, if nothing changed"
    )
    apply.add_argument("plan_file", type=Path, metavar="FILE")
    apply.add_argument(
        "--only",
        type=_kinds,
        default=frozenset(),
        metavar="KIND[,KIND]",
        help="apply only these operation kinds (e.g. create_user,update_user)",
    )
    apply.add_argument("--format", choices=["text", "json"], default="text")
    apply.add_argument("--force", action="store_true", help="apply past the safety limits")
    apply.set_defaults(handler="apply")


def _kinds(text: str) -> frozenset[str]:
    from syncd.operations import OpKind  # noqa: PLC0415 - only this option needs it

    kinds = {k.strip() for k in text.split(",") if k.strip()}
    unknown = sorted(kinds - {k.value for k in OpKind})
    if unknown or not kinds:
        known = ", ".join(k.value for k in OpKind)
        raise argparse.ArgumentTypeError(f"unknown kind(s) {', '.join(unknown)}; known: {known}")
    return frozenset(kinds)


def _status_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    status = sub.add_parser("status", parents=[common], help="runs, failures, quarantine")
    status.add_argument("--target", action="append", default=[], metavar="NAME")
    status.add_argument("--format", choices=["text", "json"], default="text")
    status.set_defaults(handler="status")


def _sandbox_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    sandbox = sub.add_parser("sandbox", parents=[common], help="serve the LMS simulators")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8410, help="first port (0: any free)")
    sandbox.set_defaults(handler="sandbox")
