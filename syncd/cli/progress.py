"""The progress line on a terminal: while a target's fetch or apply runs, one transient
line on stderr says how far it got (records read by part; operations worked through of
those planned), redrawn a few times a second and erased when the stage ends. Off a
terminal nothing is shown. The CLI picks one for the runtime (`progress_for`).

rich's `Live` draws it from its own thread, reading the stage's `Tally`; the stage only
bumps counters. Log lines written meanwhile print above the line: `Live` swaps
`sys.stderr` for a proxy, and syncd's logging writes to `sys.stderr` as it is then.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner

from syncd.reconcile.progress import SILENT, Progress, Tally

REDRAWS_PER_SECOND = 4


def progress_for(stream: TextIO, *, tty: bool | None = None) -> Progress:
    """A progress line on `stream` if it is a terminal, else none; `tty` decides instead
    of asking the stream (tests)."""
    if not (stream.isatty() if tty is None else tty):
        return SILENT
    # soft wrap: a log line printed above the line is left to the terminal to wrap, whole
    return TerminalProgress(Console(file=stream, force_terminal=True, soft_wrap=True))


class TerminalProgress:
    """One line at a time: in the daemon, targets run side by side, and a stage that
    starts while another's line shows is not shown (rich draws one `Live` at a time)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._showing = threading.Lock()

    def showing(self, tally: Tally) -> AbstractContextManager[object]:
        if not self._showing.acquire(blocking=False):
            return nullcontext()
        return self._live(tally)

    @contextmanager
    def _live(self, tally: Tally) -> Iterator[None]:
        try:
            with Live(
                _Line(tally),
                console=self._console,
                transient=True,
                refresh_per_second=REDRAWS_PER_SECOND,
                redirect_stdout=False,  # the report goes to stdout, after the stages
            ):
                yield
        finally:
            self._showing.release()


class _Line:
    """What `Live` redraws: a spinner and the tally's words, read at each redraw."""

    def __init__(self, tally: Tally) -> None:
        self._tally = tally

    def __rich__(self) -> Spinner:
        return Spinner("dots", text=line_words(self._tally))


def line_words(tally: Tally) -> str:
    """`docebo-main: fetch, users 340, groups 12` or `docebo-main: apply, 120/184 operations`."""
    if tally.planned is not None:
        return f"{tally.target}: {tally.stage}, {tally.done}/{tally.planned} operations"
    read = ", ".join(f"{part.value} {n}" for part, n in tally.read_by_part())
    return f"{tally.target}: {tally.stage}, {read or 'nothing read yet'}"
