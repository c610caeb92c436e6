"""Probe `secrets`: credentials echoed back by the LMSs in every encoding must never leave
syncd; a redirect to a foreign origin must never carry them there.

Each target gets distinctive secrets ("needles" with + / = & % " and a space, so that
every encoding differs). Echo trials: each simulator answers a few requests with its own
error shape whose message repeats its needles raw, URL-encoded (quote, quote_plus),
JSON-escaped (with and without "\\/") or in base64 (standard, URL-safe), as a 503 then
a 400, 401 or 500. Then `syncd run --once --format json` (and, in the first two trials,
`syncd status --format json` and `syncd check`). No needle in any encoding (base64 also
at each alignment inside a longer text) may appear in their stdout or stderr, in a file
syncd wrote (completions.csv, logs), in any text or JSON value of any table, or in the
simulators' state. Redirect trials: every simulator answers its first request (or its
fourth, with a token in hand) with a 307 or 308 to a foreign loopback origin that records
what it gets: no needle, no token an LMS issued, no Authorization or apikey header.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

from benchmarks.reliability import dbcheck
from benchmarks.reliability.lms import KINDS, SECRET_KEYS, Lms
from benchmarks.reliability.outcome import (
    DAMAGE,
    ProbeContext,
    ProbeResult,
    Violation,
    average,
)
from benchmarks.reliability.procs import Procs
from benchmarks.reliability.world import Fleet, copy_hr, migrate, write_config
from benchmarks.reliability.wsgi import Recorder, Redirector
from syncd.sandbox import serve

NAME = "secrets"
# Not syncd's writing (the config holds the secrets; outputs are read from the processes;
# the database is read by its tables).
SKIPPED = frozenset({".toml", ".out", ".err"})
SPICE = '-7Q+r/u=v&w x"y%z'  # every encoding below changes at least one of these


def needles(kind: str) -> dict[str, str]:
    """Distinctive secret values for each credential of `kind` that syncd must hide."""
    return {key: f"Ndl{kind[:3]}{key[:3]}{SPICE}" for key in SECRET_KEYS[kind]}


ENCODINGS: dict[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "url quote": lambda s: quote(s, safe=""),
    "url quote (/ kept)": quote,
    "url quote_plus": quote_plus,
    "json escaped": lambda s: json.dumps(s)[1:-1],
    "json escaped (\\/)": lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64 urlsafe": lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
}
ECHOED = (
    "raw",
    "url quote",
    "url quote_plus",
    "json escaped",
    "json escaped (\\/)",
    "base64",
    "base64 urlsafe",
)
# (status, requests served before the redirect): the first call (a token request, or the
# first authenticated read), then a call made with a token in hand.
REDIRECTS = ((307, 0), (308, 3))
B64 = (("base64", base64.b64encode), ("base64 urlsafe", base64.urlsafe_b64encode))
FULL_ECHO_TRIALS = 2  # the first ones also run `status` and `check` (each process costs)
STATUSES = (400, 401, 500, 400, 401, 500, 400)


def forms(secret: str) -> dict[str, str]:
    """What to search for: each encoding of `secret`, and the base64 runs that stand for it
    at any alignment inside a longer encoded text."""
    found = {name: encode(secret) for name, encode in ENCODINGS.items()}
    data = secret.encode()
    for offset in range(3):
        first, last = -(-offset // 3), (offset + len(data)) // 3  # whole groups of the secret
        for name, b64 in (
            ("base64", base64.b64encode),
            ("base64 urlsafe", base64.urlsafe_b64encode),
        ):
            core = b64(b"\0" * offset + data).decode()[4 * first : 4 * last]
            found[f"{name} (inside, offset {offset})"] = core
    return found


@dataclass(frozen=True, slots=True)
class Needle:
    kind: str
    key: str
    value: str

    def found_in(self, text: str) -> str | None:
        """The encoding of this needle found in `text`, or None."""
        return next((name for name, form in forms(self.value).items() if form in text), None)


def run(ctx: ProbeContext) -> ProbeResult:
    tally = ctx.tally(NAME)
    spent = 0.0
    echoed = ECHOED[2:3] if ctx.quick else ECHOED
    for index, encoding in enumerate(echoed):
        if not ctx.more(tally.trials, average(spent, tally.trials, 8.0), 1):
            break
        started = time.monotonic()
        folder = ctx.workdir / f"echo-{index}"
        full = index < FULL_ECHO_TRIALS and not ctx.quick
        tally.trial(echo_trial(folder, encoding, STATUSES[index], full=full))
        tally.note("echo runs")
        spent += time.monotonic() - started
        ctx.say(f"{NAME}: echo {encoding} ({STATUSES[index]}), {tally.failures} failed")
    for status, after in REDIRECTS[:1] if ctx.quick else REDIRECTS:
        started = time.monotonic()
        folder = ctx.workdir / f"redirect-{status}-{after}"
        tally.trial(redirect_trial(folder, status, after))
        tally.note("redirect runs")
        spent += time.monotonic() - started
        ctx.say(f"{NAME}: redirect {status} after {after}, {tally.failures} failed")
    return tally.result(spent)


def _creds() -> dict[str, dict[str, str]]:
    return {kind: needles(kind) for kind in KINDS}


def _all_needles(creds: dict[str, dict[str, str]]) -> list[Needle]:
    return [Needle(kind, key, value) for kind, keys in creds.items() for key, value in keys.items()]


def _world(folder: Path, fleet: Fleet) -> tuple[str, Path]:
    copy_hr(folder)
    url = migrate(f"sqlite:///{folder / 'syncd.db'}")
    return url, write_config(folder, url, fleet.targets(max_attempts=2))


def echo_trial(folder: Path, encoding: str, status: int, *, full: bool) -> list[Violation]:
    folder.mkdir(parents=True)
    creds = _creds()
    with Fleet(KINDS, creds) as fleet:
        url, config = _world(folder, fleet)
        with Procs(folder, config) as procs:
            _echo(fleet, encoding, status)
            procs.run("run", "--once", "--format", "json")
            if full:
                procs.run("status", "--format", "json")
                _echo(fleet, encoding, status)
                procs.run("check")
            outputs = [
                (f"the {stream} of {p.label}", text)
                for p in procs.started
                for stream, text in (("stdout", p.stdout()), ("stderr", p.stderr()))
            ]
        issued = _issued_tokens(fleet)
        places = [*outputs, *_files(folder), *_cells(url), *_states(fleet)]
    return _leaks(_all_needles(creds) + issued, places, f"echoed {encoding} in {status}s")


def _echo(fleet: Fleet, encoding: str, status: int) -> None:
    """Queue, on every simulator, answers whose message repeats its needle in `encoding`."""
    for lms in fleet.lms.values():
        echoed = [ENCODINGS[encoding](lms.creds[key]) for key in SECRET_KEYS[lms.kind]]
        words = f"invalid credentials {' and '.join(echoed)} for this account"
        lms.sim.clear_faults()
        lms.sim.fail_next(1, 503, body=lms.sim.error_body(503, words))
        lms.sim.fail_next(2, status, body=lms.sim.error_body(status, words))


def _issued_tokens(fleet: Fleet) -> list[Needle]:
    """Bearer tokens Docebo issued during the trial: secrets too."""
    state = fleet.lms["docebo"].sim.dump_state()
    tokens = [*state.get("tokens", {}), *state.get("refresh_tokens", [])]
    return [Needle("docebo", "issued token", token) for token in tokens]


def _files(folder: Path) -> Iterable[tuple[str, str]]:
    for path in sorted(folder.rglob("*")):
        written = path.is_file() and path.parent.name != "hr" and path.suffix not in SKIPPED
        if written and ".db" not in path.name:
            yield str(path.relative_to(folder)), path.read_text("utf-8", errors="replace")


def _cells(url: str) -> Iterable[tuple[str, str]]:
    for table, column, text in dbcheck.text_cells(url):
        yield f"table {table}.{column}", text


def _states(fleet: Fleet) -> Iterable[tuple[str, str]]:
    """The simulators' state, but the tokens an LMS issued (it holds those by right)."""
    for kind, lms in fleet.lms.items():
        state = {k: v for k, v in lms.sim.dump_state().items() if "token" not in k}
        yield f"{kind} sandbox state", json.dumps(state, ensure_ascii=False)


def _leaks(needles: list[Needle], places: Iterable[tuple[str, str]], how: str) -> list[Violation]:
    found = []
    for place, text in places:
        for needle in needles:
            encoding = needle.found_in(text)
            if encoding:
                what = f"{needle.kind} {needle.key} ({encoding})"
                found.append(Violation(DAMAGE, f"{what} in {place}, {how}"))
                break
    return found[:20]


def redirect_trial(folder: Path, status: int, after: int) -> list[Violation]:
    folder.mkdir(parents=True)
    creds = _creds()
    redirectors: dict[str, Redirector] = {}

    def wrap(lms: Lms) -> Redirector:
        redirectors[lms.kind] = Redirector(lms.sim)
        return redirectors[lms.kind]

    foreign = Recorder()
    server = serve(foreign)
    try:
        with Fleet(KINDS, creds, wrap) as fleet:
            _url, config = _world(folder, fleet)
            for redirector in redirectors.values():
                redirector.arm(1, status, server.url, after=after)
            with Procs(folder, config) as procs:
                procs.run("run", "--once")
            needles = _all_needles(creds) + _issued_tokens(fleet)
    finally:
        server.shutdown()
    seen = [(f"the foreign origin ({text.splitlines()[0]})", text) for text in foreign.seen]
    how = f"after a {status} to a foreign origin (request {after + 1})"
    found = _leaks(needles, seen, how)
    return found + _credential_headers(foreign.seen, how)


def _credential_headers(seen: list[str], how: str) -> list[Violation]:
    """An Authorization or apikey header that reached the foreign origin, whatever it held."""
    found = []
    for text in seen:
        request, *headers = text.split("\n\n", 1)[0].splitlines()
        names = {line.partition(":")[0] for line in headers}
        found += [
            Violation(DAMAGE, f"the foreign origin got an {name} header {how}: {request}")
            for name in sorted(names & {"AUTHORIZATION", "APIKEY"})
        ]
    return found
