"""Probe `sigkill`: real `syncd run --once` processes SIGKILLed at random moments of apply,
then a clean run.

One LMS per trial, in turn, served on a loopback port; the answer to each write is held
back a moment after the LMS applied it, so that apply takes a while and a kill lands
between the LMS's change and syncd hearing of it. Every person also has an explicit
ONB-100 enrollment (one big batch). Half the trials kill after a random number of
writes; the others just after an ONB-100 enrollment request was served while the journal
still says `sent`, and then HR drops one of those enrollments. Invariants after one clean
`run --once`: the database answers and passes integrity_check; no run is left `running`
and no operation `sent`; the LMS holds no object twice; the dropped enrollment is gone
from the LMS; the clean run printed no traceback; a dry run right after plans nothing.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.reliability import dbcheck
from benchmarks.reliability.lms import KINDS, Lms, duplicates, enrolled
from benchmarks.reliability.outcome import (
    DAMAGE,
    WRONG,
    ProbeContext,
    ProbeResult,
    Violation,
    average,
)
from benchmarks.reliability.procs import Proc, Procs, traceback_in, wait_until
from benchmarks.reliability.world import (
    LOOSE_SAFETY,
    Fleet,
    copy_hr,
    migrate,
    read_rows,
    silenced,
    write_config,
    write_rows,
)
from benchmarks.reliability.wsgi import SlowAnswers
from syncd.kinds import load_config
from syncd.runtime import Runtime

NAME = "sigkill"
ANSWER_DELAY = 0.05  # seconds each write's answer is held back after the LMS applied it
EXPLICIT_COURSE = "ONB-100"
ENROLL_COLUMNS = ("employee_id", "course_code", "due_date")
SENT_ONBOARDING = (
    "SELECT object_key FROM operations WHERE status = 'sent' AND kind = 'enroll' "
    "AND object_key LIKE :suffix ORDER BY id"
)


@dataclass(slots=True)
class Kill:
    """Where a trial killed its victim, and the enrollment HR dropped after (if any)."""

    after_writes: int = 0
    killed: bool = False
    dropped: tuple[str, str] | None = None  # (employee_id, login) of the ONB-100 row dropped


def run(ctx: ProbeContext) -> ProbeResult:
    tally = ctx.tally(NAME)
    spent = 0.0
    rng = random.Random(ctx.seed)
    while ctx.more(tally.trials, average(spent, tally.trials, 20.0), 1 if ctx.quick else 4):
        started = time.monotonic()
        n = tally.trials
        kind = KINDS[n % len(KINDS)]
        folder = ctx.workdir / f"{NAME}-{n}-{kind}"
        folder.mkdir(parents=True)
        onboarding = ctx.quick or (n + n // len(KINDS)) % 2 == 1  # each LMS gets both kinds
        kill = Kill()
        tally.trial(trial(folder, kind, rng, kill, onboarding=onboarding))
        tally.note("kills mid-apply", kill.killed)
        tally.note("enrollments dropped after the kill", kill.dropped is not None)
        spent += time.monotonic() - started
        ctx.say(f"{NAME}: trial {tally.trials} ({kind}), {tally.failures} failed")
        if ctx.quick:
            break
    return tally.result(spent)


def trial(
    folder: Path, kind: str, rng: random.Random, kill: Kill, *, onboarding: bool
) -> list[Violation]:
    hr = copy_hr(folder)
    people = read_rows(hr / "people.csv")
    extra = [{"employee_id": p["employee_id"], "course_code": EXPLICIT_COURSE} for p in people]
    write_rows(hr / "enrollments.csv", read_rows(hr / "enrollments.csv") + extra, ENROLL_COLUMNS)
    url = migrate(f"sqlite:///{folder / 'syncd.db'}")
    with Fleet([kind], wrap=lambda lms: SlowAnswers(lms.sim, ANSWER_DELAY)) as fleet:
        lms = fleet.lms[kind]
        config = write_config(folder, url, fleet.targets(max_attempts=3), safety=LOOSE_SAFETY)
        with Procs(folder, config) as procs:
            logins = {p["employee_id"]: p["email"].casefold() for p in people}
            victim = procs.start("run", "--once")
            _kill(victim, lms, url, rng, kill, logins if onboarding else None)
            if kill.dropped:
                _drop(hr, kill.dropped[0])
            clean = procs.run("run", "--once", timeout=180)
            return _checks(lms, url, config, clean, kill)


def _kill(
    victim: Proc,
    lms: Lms,
    url: str,
    rng: random.Random,
    kill: Kill,
    logins: dict[str, str] | None,
) -> None:
    """SIGKILL the victim at a random write, or (given `logins`) right after an ONB-100
    enrollment request; note in `kill` which enrollment was sent and held (for HR to drop)."""
    reader = dbcheck.Reader(url)
    try:
        if logins is not None:
            reached = _after_onboarding_request(victim, lms, reader)
        else:
            kill.after_writes = rng.randint(1, 30)
            reached = wait_until(
                lambda: len(lms.sim.writes) >= kill.after_writes or not victim.alive(), 90
            )
        kill.killed = reached and victim.alive()
        victim.kill()
        if kill.killed and logins is not None:
            kill.dropped = _sent_and_held(reader, lms, logins)
    finally:
        reader.close()


def _after_onboarding_request(victim: Proc, lms: Lms, reader: dbcheck.Reader) -> bool:
    """Wait until ONB-100 enrollments are journaled `sent`, then until the LMS served one
    more write (that request); False if the victim ended first."""
    suffix = f"%/{EXPLICIT_COURSE}"

    def sent() -> bool:
        return bool(reader.rows(SENT_ONBOARDING, suffix=suffix)) or not victim.alive()

    if not wait_until(sent, 90, poll=0.005) or not victim.alive():
        return False
    writes = len(lms.sim.writes)
    return wait_until(lambda: len(lms.sim.writes) > writes or not victim.alive(), 30, poll=0.001)


def _sent_and_held(
    reader: dbcheck.Reader, lms: Lms, logins: dict[str, str]
) -> tuple[str, str] | None:
    """An ONB-100 enrollment the journal says `sent` and the LMS holds: (employee, login)."""
    keys = [key for (key,) in reader.rows(SENT_ONBOARDING, suffix=f"%/{EXPLICIT_COURSE}")]
    state = lms.sim.dump_state()
    held = {login for login, code in enrolled(lms.kind, state) if code == EXPLICIT_COURSE}
    for key in keys:
        employee = key.partition("/")[0]
        if logins.get(employee) in held:
            return employee, logins[employee]
    return None


def _drop(hr: Path, employee: str) -> None:
    rows = read_rows(hr / "enrollments.csv")
    kept = [r for r in rows if (r["employee_id"], r["course_code"]) != (employee, EXPLICIT_COURSE)]
    write_rows(hr / "enrollments.csv", kept, ENROLL_COLUMNS)


def _checks(lms: Lms, url: str, config: Path, clean: Proc, kill: Kill) -> list[Violation]:
    where = f"{lms.kind}, killed after {_moment(kill)}"
    broken = dbcheck.integrity(url)
    if broken is not None:
        return [Violation(DAMAGE, f"database unreadable after the kill ({where}): {broken}")]
    found = [
        Violation(DAMAGE, f"{lms.kind} holds a duplicate after the clean run: {dup} ({where})")
        for dup in duplicates(lms.kind, lms.sim.dump_state())[:1]
    ]
    found += [
        Violation(WRONG, f"run {run} ({target}) left `running` after the clean run ({where})")
        for run, target in dbcheck.stuck_runs(url)[:1]
    ]
    found += [
        Violation(WRONG, f"{kind} {key} of run {run} left `sent` after the clean run ({where})")
        for run, kind, key in dbcheck.sent_operations(url)[:1]
    ]
    found += _dropped_still_there(lms, kill, where)
    trace = traceback_in(clean.stderr())
    if trace:
        found.append(Violation(WRONG, f"the clean run crashed ({where}): {trace}"))
    found += _plan_after(config, where)
    return found


def _moment(kill: Kill) -> str:
    if not kill.killed:
        return "nothing (the run ended first)"
    if kill.after_writes:
        return f"{kill.after_writes} writes"
    return f"an {EXPLICIT_COURSE} enrollment request"


def _dropped_still_there(lms: Lms, kill: Kill, where: str) -> list[Violation]:
    if kill.dropped is None:
        return []
    employee, login = kill.dropped
    if (login, EXPLICIT_COURSE) not in enrolled(lms.kind, lms.sim.dump_state()):
        return []
    return [
        Violation(
            WRONG,
            f"{employee}/{EXPLICIT_COURSE} was sent just before the kill, HR dropped it, "
            f"and {lms.kind} still has it after the clean run ({where})",
        )
    ]


def _plan_after(config: Path, where: str) -> list[Violation]:
    """A dry run in this process, against the same loopback LMS: it must plan nothing."""
    with silenced():
        runtime = Runtime(load_config(config))
        try:
            report = runtime.run_once(dry_run=True, force=False)
        finally:
            runtime.close()
    return [
        Violation(WRONG, f"not converged after the clean run ({where}): {t.name} plans {t.counts}")
        for t in report.targets
        if t.counts
    ][:1]
