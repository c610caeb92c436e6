"""`DokeosSimulator`: the Dokeos API V2 of docs/lms/dokeos.md as a WSGI app.

Wires the handlers to their routes, settles due jobs and checks the Accept
header before routing, requires the bearer token on every call, answers
errors as `{"error", "message"}`, and offers tests the job knobs, seeding
helpers, what the platform did on its own (`side_effects`: nothing, as no
source says it does anything), a snapshot and a JSON dump/load. Everything
runs under the app lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, runtime_checkable

from syncd.sandbox.core import Request, Response, Route, SimulatorApp
from syncd.sandbox.dokeos import groups, jobs, learning, persist, seeding, users, wire
from syncd.sandbox.dokeos.records import DokeosSnapshot, User
from syncd.sandbox.dokeos.seeding import KEEP, Keep
from syncd.sandbox.dokeos.state import DokeosState
from syncd.sandbox.faults import Clock

StateHandler = Callable[[DokeosState, Request], Response]

ROUTES: tuple[tuple[str, str, StateHandler], ...] = (
    ("GET", "/users", users.list_users),
    ("POST", "/users", users.create_user),
    ("GET", "/users/{id}", users.get_user),
    ("PUT", "/users/{id}", users.update_user),
    ("DELETE", "/user/{id}", users.delete_user),
    ("GET", "/groups", groups.list_groups),
    ("POST", "/groups", groups.create_group),
    ("GET", "/groups/{id}", groups.get_group),
    ("PUT", "/groups/{id}", groups.update_group),
    ("DELETE", "/groups/{id}", groups.delete_group),
    ("GET", "/trainings", learning.list_trainings),
    ("GET", "/trainings/{id}", learning.get_training),
    ("GET", "/participations", learning.list_participations),
    ("POST", "/participations", learning.create_participation),
    ("GET", "/participations/{id}", learning.get_participation),
    ("DELETE", "/participations/{id}", learning.delete_participation),
    ("GET", "/jobs/{job_id}", jobs.get_job),
    ("PUT", "/training_gate/{id}", jobs.unmodelled),
    ("PUT", "/presence_sessions/sync", jobs.unmodelled),
    ("PUT", "/presence_sessions/{id}/sync", jobs.unmodelled),
    ("PUT", "/webinar_sessions/sync", jobs.unmodelled),
    ("PUT", "/webinar_sessions/{id}/sync", jobs.unmodelled),
)


@runtime_checkable
class _Advancing(Protocol):
    def advance(self, seconds: float) -> None: ...


class DokeosSimulator(SimulatorApp):
    """A simulated Dokeos platform (API V2); see docs/lms/dokeos.md for every rule."""

    def __init__(
        self,
        *,
        api_token: str = "sandbox-dokeos-token",  # noqa: S107 - a sandbox's well-known token
        clock: Clock = time.time,
        default_per_page: int = 20,
    ) -> None:
        if not 1 <= default_per_page <= 100:
            raise ValueError("default_per_page must be within 1..100")
        super().__init__(clock=clock)
        self.api_token = api_token
        self.state = DokeosState(clock, default_per_page)
        for method, pattern, handler in ROUTES:
            self.route(method, pattern, partial(handler, self.state))

    # -- hooks ------------------------------------------------------------

    def error_body(self, status: int, message: str) -> object:
        return {"error": wire.error_code(status), "message": message}

    def screen(self, request: Request) -> None:
        jobs.settle_due(self.state)
        wire.check_accept(request.header("accept"))

    def authorize(self, request: Request, route: Route) -> None:
        wire.check_bearer(request.header("authorization"), self.api_token)

    # -- job knobs --------------------------------------------------------

    def job_duration(self, seconds: float) -> None:
        """Jobs created from now on settle `seconds` after their creation."""
        if seconds < 0:
            raise ValueError("a job duration must not be negative")
        with self.lock:
            self.state.job_seconds = float(seconds)

    def fail_next_jobs(self, n: int, error: str) -> None:
        """The next `n` jobs created fail with `error` and change nothing."""
        if n < 1 or not error:
            raise ValueError("fail_next_jobs needs n >= 1 and an error message")
        with self.lock:
            self.state.failures.extend([error] * n)

    def run_jobs(self) -> int:
        """Settle every job whose time has come; the number settled."""
        with self.lock:
            return jobs.settle_due(self.state)

    def advance(self, seconds: float) -> None:
        """Move the simulator's clock, when it is a manual one (`advance`-able)."""
        if not isinstance(self.clock, _Advancing):
            raise TypeError("the simulator's clock cannot be advanced; inject a ManualClock")
        self.clock.advance(seconds)

    def clear_faults(self) -> None:
        """Clear the core's fault knobs and the jobs queued to fail."""
        with self.lock:
            super().clear_faults()
            self.state.failures.clear()

    # -- seeding (tests and out-of-band edits) ----------------------------

    def seed_user(  # noqa: PLR0917 - username..lastname, then the optional two, by position
        self,
        username: str,
        email: str,
        firstname: str,
        lastname: str,
        external_id: str | None = None,
        active: bool = True,
    ) -> int:
        with self.lock:
            now = self.state.now_text()
            user = User(0, username, email, firstname, lastname, external_id, active, now, now)
            return seeding.seed_user(self.state, user)

    def seed_group(self, name: str, code: str | None = None) -> int:
        with self.lock:
            return seeding.seed_group(self.state, name, code)

    def seed_training(self, code: str, name: str) -> int:
        with self.lock:
            return seeding.seed_training(self.state, code, name)

    def add_learner(self, group_id: int, user_id: int) -> None:
        with self.lock:
            seeding.add_learner(self.state, group_id, user_id)

    def seed_participation(
        self,
        user_id: int,
        training_id: int,
        status: str = "not_started",
        score: float | None = None,
    ) -> int:
        with self.lock:
            return seeding.seed_participation(self.state, user_id, training_id, status, score)

    def set_participation(
        self,
        participation_id: int,
        *,
        status: str | None = None,
        score: float | Keep | None = KEEP,
        completed_at: str | Keep | None = KEEP,
    ) -> None:
        """Change a participation out of band; `completed_at` follows `status` unless given."""
        with self.lock:
            seeding.set_participation(self.state, participation_id, status, score, completed_at)

    def set_progress(
        self,
        user_id: int,
        training_id: int,
        *,
        status: str,
        score: float | None = None,
        completed_at: str | None = None,
    ) -> None:
        """A learner's progress in a training, by the pair: status and score as given;
        `completed_at` (ISO 8601 UTC text) as given, else now when `status` is completed."""
        with self.lock:
            seeding.set_progress(
                self.state,
                user_id,
                training_id,
                status=status,
                score=score,
                completed_at=completed_at,
            )

    # -- views ------------------------------------------------------------

    def side_effects(self) -> dict[str, int]:
        """What the platform did on its own so far, by effect, non-zero only; the same view
        every simulator offers. Always empty: Dokeos's announcement (seeds 001/002), the
        only public source, says nothing of emails, licence seats or deleted results, so
        the simulator records none (docs/lms/dokeos.md, "Side effects")."""
        return {}

    def snapshot(self) -> DokeosSnapshot:
        with self.lock:
            return persist.snapshot(self.state)

    def dump_state(self) -> dict[str, Any]:
        with self.lock:
            return persist.dump_state(self.state)

    def load_state(self, data: dict[str, Any]) -> None:
        with self.lock:
            persist.load_state(self.state, data)
