"""The progress line in a cycle: a terminal (injected) shows the fetch and the apply;
off a terminal the CLI writes its JSON logs to stderr and nothing else."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout

from syncd.cli import main
from syncd.cli.progress import progress_for
from syncd.reconcile.progress import SILENT
from tests.e2e.harness import World

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_a_cycle_on_a_terminal_shows_its_fetch_and_apply(fresh: World) -> None:
    screen = io.StringIO()
    fresh.hr.write()
    runtime = fresh.runtime()
    runtime.progress = progress_for(screen, tty=True)
    try:
        report = runtime.run_once(dry_run=False, force=False)
    finally:
        runtime.close()
    planned = len(report.targets[0].operations)
    shown = ANSI.sub("", screen.getvalue())
    assert re.search(rf"{fresh.target_name}: fetch, .*courses \d+", shown)  # a fresh LMS
    assert f"{fresh.target_name}: apply, {planned}/{planned} operations" in shown


def test_run_off_a_terminal_writes_only_json_logs_to_stderr(served: World) -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["-c", str(served.config_path), "run", "--once"])
    assert code == 0
    lines = err.getvalue().splitlines()
    assert lines
    assert all(isinstance(json.loads(line), dict) for line in lines)


def test_a_runtime_shows_nothing_unless_given_a_progress(fresh: World) -> None:
    runtime = fresh.runtime()
    runtime.close()
    assert runtime.progress is SILENT
