"""The progress line: shown on a terminal while a fetch or an apply runs, erased after;
nothing off a terminal. The terminal decision is injected (`progress_for(..., tty=)`):
tests run without one, and nothing here fakes a terminal for the whole process."""

from __future__ import annotations

import io
import re
import sys

import structlog

from syncd.cli.progress import TerminalProgress, line_words, progress_for
from syncd.logging import configure
from syncd.reconcile.progress import SILENT, Tally
from syncd.records import GroupKind, PartRead, RemoteGroup, RemoteId, RemotePart, RemoteUser

ERASE_LINE = "\x1b[2K"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _user(n: int) -> RemoteUser:
    return RemoteUser(RemoteId(str(n)), f"u{n}", f"u{n}@example.com", "U", str(n), active=True)


def _shown(text: str) -> str:
    return ANSI.sub("", text)


def test_off_a_terminal_there_is_no_progress() -> None:
    assert progress_for(io.StringIO(), tty=False) is SILENT
    assert progress_for(io.StringIO()) is SILENT  # a StringIO is no terminal


def test_a_fetch_tally_counts_records_by_part_in_read_order() -> None:
    tally = Tally("docebo-main", "fetch")
    group = RemoteGroup(RemoteId("g"), GroupKind.ORG_UNIT, "Sales")
    for item in (_user(1), _user(2), PartRead(RemotePart.USERS), group):
        tally.fetched(item)
    assert tally.read_by_part() == [(RemotePart.USERS, 2), (RemotePart.GROUPS, 1)]
    assert line_words(tally) == "docebo-main: fetch, users 2, groups 1"
    assert line_words(Tally("t", "fetch")) == "t: fetch, nothing read yet"


def test_an_apply_tally_says_done_of_planned() -> None:
    tally = Tally("docebo-main", "apply", planned=184)
    tally.worked(100)
    tally.worked(20)
    assert line_words(tally) == "docebo-main: apply, 120/184 operations"


def test_on_a_terminal_the_line_shows_while_the_stage_runs_and_is_erased_after() -> None:
    screen = io.StringIO()
    progress = progress_for(screen, tty=True)
    assert isinstance(progress, TerminalProgress)
    tally = Tally("docebo-main", "fetch")
    with progress.showing(tally):
        for n in range(3):
            tally.fetched(_user(n))
    drawn = screen.getvalue()
    assert "docebo-main: fetch, users 3" in _shown(drawn)
    assert drawn.rstrip("\x1b[?25h").endswith(ERASE_LINE)  # transient: nothing left behind


def test_one_line_at_a_time_a_second_stage_meanwhile_is_not_shown() -> None:
    screen = io.StringIO()
    progress = progress_for(screen, tty=True)
    with progress.showing(Tally("a", "fetch")), progress.showing(Tally("b", "fetch")):
        pass
    assert "b: fetch" not in _shown(screen.getvalue())
    with progress.showing(Tally("c", "fetch")):  # the line is free again
        pass
    assert "c: fetch" in _shown(screen.getvalue())


def test_log_lines_print_above_the_line() -> None:
    screen = io.StringIO()
    progress = progress_for(screen, tty=True)
    configure("info", "json")  # to sys.stderr as it is at each write
    try:
        with progress.showing(Tally("docebo-main", "fetch")):
            structlog.get_logger().info("page_read", records=100)
    finally:
        configure("info", "json", stream=sys.stderr)
    assert '"event": "page_read"' in screen.getvalue()
