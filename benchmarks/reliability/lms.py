"""The four LMSs as the probes use them: simulators, their targets' TOML, what they hold.

`make_lms(kind, clock, creds)` builds a stocked simulator with the credentials given;
`target_toml` writes the `[[targets]]` entry pointing at it (in-process or a loopback
URL); `duplicates` and `enrolled` read a simulator's `dump_state()` (its public JSON),
so every check is the same whatever the LMS; `progress` plays a learner's work.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from syncd.sandbox import (
    DEMO_COURSES,
    CoursepathSimulator,
    DoceboSimulator,
    DokeosSimulator,
    LitmosSimulator,
)
from syncd.sandbox.core import LoggedRequest

KINDS = ("docebo", "dokeos", "litmos", "coursepath")
SimClock = Callable[[], float]
# Loopback servers run on the real clock: a Litmos limit this high never bites the probes.
FAST_LITMOS_LIMIT = 100_000

DEFAULT_CREDENTIALS: Mapping[str, Mapping[str, str]] = {
    "docebo": {
        "client_id": "syncd-sandbox",
        "client_secret": "sandbox-secret",
        "username": "api-admin",
        "password": "sandbox-password",
    },
    "dokeos": {"api_token": "sandbox-dokeos-token"},
    "litmos": {"api_key": "sandbox-litmos-key", "source": "syncd-reliability"},
    "coursepath": {"jwt_secret": "sandbox-coursepath-secret", "acting_email": "api@acme.example"},
}
# Coursepath deletes a learner's results with the enrollment, so syncd removes none unless
# told it may: the probes tell it, to check removals there as everywhere else.
KIND_SETTINGS: Mapping[str, Mapping[str, str | int | bool]] = {
    "coursepath": {"allow_result_deletion": True},
}
# The credential keys of each kind whose values syncd must keep secret.
SECRET_KEYS: Mapping[str, tuple[str, ...]] = {
    "docebo": ("client_secret", "password"),
    "dokeos": ("api_token",),
    "litmos": ("api_key",),
    "coursepath": ("jwt_secret",),
}


class Simulator(Protocol):
    """What the probes use of a simulator (every `SimulatorApp` subclass has it)."""

    def __call__(self, environ: Any, start_response: Any) -> Any: ...
    def transport(self) -> httpx.WSGITransport: ...
    def dump_state(self) -> dict[str, Any]: ...
    def load_state(self, data: dict[str, Any]) -> None: ...
    def fail_next(
        self,
        n: int,
        status: int,
        retry_after: int | None = None,
        path_prefix: str | None = None,
        body: object = None,
    ) -> None: ...
    def latency(self, seconds: float, serial_only: bool = True) -> None: ...
    def error_body(self, status: int, message: str) -> object: ...
    def clear_faults(self) -> None: ...
    @property
    def requests(self) -> list[LoggedRequest]: ...
    @property
    def writes(self) -> list[LoggedRequest]: ...


@dataclass(slots=True)
class Lms:
    """One simulated LMS and the target that points at it."""

    kind: str
    sim: Simulator
    creds: dict[str, str] = field(default_factory=dict)

    @property
    def target(self) -> str:
        return f"{self.kind}-rel"


def credentials(kind: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**DEFAULT_CREDENTIALS[kind], **(overrides or {})}


def make_lms(
    kind: str, clock: SimClock, creds: Mapping[str, str] | None = None, *, loopback: bool = False
) -> Lms:
    """A simulator of `kind` stocked with the demo courses, accepting `creds`."""
    given = credentials(kind, creds)
    return Lms(kind, _BUILDERS[kind](clock, given, loopback), given)


def _docebo(clock: SimClock, creds: Mapping[str, str], _loopback: bool) -> Simulator:
    sim = DoceboSimulator(
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        username=creds["username"],
        password=creds["password"],
        clock=clock,
    )
    for code, name in DEMO_COURSES:
        sim.seed_course(code, name)
    return sim


def _dokeos(clock: SimClock, creds: Mapping[str, str], _loopback: bool) -> Simulator:
    sim = DokeosSimulator(api_token=creds["api_token"], clock=clock)
    for code, name in DEMO_COURSES:
        sim.seed_training(code, name)
    return sim


def _litmos(clock: SimClock, creds: Mapping[str, str], loopback: bool) -> Simulator:
    limit = FAST_LITMOS_LIMIT if loopback else 100
    sim = LitmosSimulator(
        api_key=creds["api_key"],
        clock=clock,
        rate_limit=limit,
        allow_plain_http_on_loopback=loopback,
    )
    for code, name in DEMO_COURSES:
        sim.seed_course(code, name)
    return sim


def _coursepath(clock: SimClock, creds: Mapping[str, str], loopback: bool) -> Simulator:
    sim = CoursepathSimulator(
        jwt_secret=creds["jwt_secret"], clock=clock, allow_plain_http_on_loopback=loopback
    )
    for code, name in DEMO_COURSES:
        sim.seed_course(code, name)
    sim.seed_member(creds["acting_email"], "API Admin")
    return sim


_BUILDERS: dict[str, Callable[[SimClock, Mapping[str, str], bool], Simulator]] = {
    "docebo": _docebo,
    "dokeos": _dokeos,
    "litmos": _litmos,
    "coursepath": _coursepath,
}


def base_url(kind: str, origin: str | None = None) -> str:
    """The target's base URL: `origin` (a loopback server) or a never-resolved https host."""
    root = origin or f"https://{kind}.reliability.invalid"
    return root + ("/v1.svc" if kind == "litmos" else "")


def toml_text(value: str) -> str:
    """A TOML basic string holding `value` exactly (JSON's escapes are TOML's)."""
    return json.dumps(value)


def target_toml(lms: Lms, url: str, **extra: str | int | bool) -> str:
    """The `[[targets]]` entry for `lms` at `url`; `extra` keys are written as given."""
    lines = [
        "[[targets]]",
        f"name = {toml_text(lms.target)}",
        f"kind = {toml_text(lms.kind)}",
        f"base_url = {toml_text(url)}",
        *(f"{key} = {toml_text(value)}" for key, value in lms.creds.items()),
    ]
    if lms.kind == "litmos" and url.startswith("http://"):
        lines.append(f"requests_per_minute = {FAST_LITMOS_LIMIT}")
    settings = {**KIND_SETTINGS.get(lms.kind, {}), **extra}
    lines += [f"{key} = {_toml_value(value)}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else toml_text(value)


# --- what a simulator holds, from its dump ----------------------------------------------

# (list in the dump, key path): a natural key two objects of one LMS must never share.
NATURAL_KEYS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "docebo": (
        ("users", "username"),
        ("users", "email"),
        ("branches", "code"),
        ("groups", "name"),
        ("enrollments", "course_id+user_id"),
    ),
    "dokeos": (
        ("users", "username"),
        ("users", "email"),
        ("users", "external_id"),
        ("groups", "code"),
        ("participations", "user_id+training_id"),
    ),
    "litmos": (
        ("users", "profile.UserName"),
        ("users", "profile.Email"),
        ("teams", "name"),
        ("assignments", "user_id+course_id"),
    ),
    "coursepath": (
        ("members", "email"),
        ("groups", "name"),
        ("enrollments", "course_id+member_id"),
    ),
}


def duplicates(kind: str, state: Mapping[str, Any]) -> list[str]:
    """Every natural key held twice or more, as "users.email 'x@y' x2"."""
    found = []
    for table, path in NATURAL_KEYS[kind]:
        counts = Counter(
            key for row in state.get(table, []) if (key := _key(row, path)) is not None
        )
        found += [f"{table}.{path} {key!r} x{n}" for key, n in counts.items() if n > 1]
    return found


def _key(row: Mapping[str, Any], path: str) -> str | None:
    parts = [_dig(row, part) for part in path.split("+")]
    if any(part in (None, "") for part in parts):
        return None
    return "/".join(str(part).casefold() for part in parts)


def _dig(row: Mapping[str, Any], path: str) -> Any:
    value: Any = row
    for step in path.split("."):
        value = value.get(step) if isinstance(value, Mapping) else None
    return value


# (people list, their id, login field; courses list, course id; enrollment list, user id field,
# course id field) per kind: enrollments as (login, course code).
_ENROLLMENT_SHAPE: Mapping[str, tuple[str, str, str, str, str, str, str]] = {
    "docebo": ("users", "user_id", "username", "courses", "enrollments", "user_id", "course_id"),
    "dokeos": (
        "users",
        "id",
        "username",
        "trainings",
        "participations",
        "user_id",
        "training_id",
    ),
    "litmos": ("users", "id", "profile.UserName", "courses", "assignments", "user_id", "course_id"),
    "coursepath": ("members", "id", "email", "courses", "enrollments", "member_id", "course_id"),
}


def enrolled(kind: str, state: Mapping[str, Any]) -> set[tuple[str, str]]:
    """The LMS's enrollments as (login in lower case, course code)."""
    people, pid, login, courses, rows, user_col, course_col = _ENROLLMENT_SHAPE[kind]
    logins = {p[pid]: str(_dig(p, login)).casefold() for p in state.get(people, [])}
    codes = {c["id"]: c["code"] for c in state.get(courses, [])}
    return {
        (logins[r[user_col]], codes[r[course_col]])
        for r in state.get(rows, [])
        if r[user_col] in logins and r[course_col] in codes
    }


def progress(lms: Lms, rng: random.Random) -> bool:
    """A learner works on one enrolled course (completes it, or moves it on); False if none."""
    state = lms.sim.dump_state()
    *_, rows, user_col, course_col = _ENROLLMENT_SHAPE[lms.kind]
    pairs = [(r[user_col], r[course_col]) for r in state.get(rows, [])]
    if not pairs:
        return False
    user, course = rng.choice(pairs)
    _learn(lms.sim, user, course, rng)
    return True


def _learn(sim: Simulator, user: Any, course: Any, rng: random.Random) -> None:
    score = float(rng.randint(40, 100))
    done = rng.random() < 0.5
    if isinstance(sim, DoceboSimulator):
        status = "completed" if done else "in_progress"
        sim.set_enrollment_progress(course, user, status=status, score=score)
    elif isinstance(sim, DokeosSimulator):
        sim.set_progress(user, course, status="completed" if done else "in_progress", score=score)
    elif isinstance(sim, LitmosSimulator):
        sim.complete_course(user, course, score=score)
    elif isinstance(sim, CoursepathSimulator):
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        sim.set_result(course, user, score=score, success=done, completed=now if done else None)
