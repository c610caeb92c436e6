"""`LitmosSimulator`: the Litmos /v1.svc API of docs/lms/litmos.md as a WSGI app.

Wires the handlers to the spec's path templates, screens every call (HTTPS, api key by
query or header, the per-key rolling rate limit, `source`, `format=json`, Content-Type),
validates each routed request against the vendored OpenAPI document (`authorize` hook),
answers errors as `{"Detail": message}`, and offers tests seeding helpers, out-of-band
edits, the emails it "sent", a snapshot and a JSON dump/load. All under the app lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from syncd.sandbox.core import Request, Response, Route, SimulatorApp
from syncd.sandbox.faults import Clock
from syncd.sandbox.litmos import (
    bulk,
    learning,
    persist,
    seeding,
    teams,
    users,
    validation,
    wire,
    words,
)
from syncd.sandbox.litmos.state import (
    LitmosSnapshot,
    LitmosState,
    SentMessage,
    effect_totals,
    snapshot,
)

StateHandler = Callable[[LitmosState, Request], Response]
BASE = "/v1.svc"

ROUTES: tuple[tuple[str, str, StateHandler], ...] = (
    ("GET", "/users", users.list_users),
    ("POST", "/users", users.create_user),
    ("GET", "/users/{userId}", users.get_user),
    ("PUT", "/users/{userId}", users.update_user),
    ("DELETE", "/users/{userId}", users.delete_user),
    ("GET", "/users/{userId}/courses", learning.user_courses),
    ("POST", "/users/{userId}/courses", learning.assign_courses),
    ("DELETE", "/users/{userId}/courses/{courseId}", learning.unassign_course),
    ("GET", "/teams", teams.list_teams),
    ("POST", "/teams", teams.create_team),
    ("GET", "/teams/{teamId}", teams.get_team),
    ("GET", "/teams/{teamId}/teams", teams.list_sub_teams),
    ("POST", "/teams/{teamId}/teams", teams.create_sub_team),
    ("GET", "/teams/{teamId}/users", teams.list_members),
    ("POST", "/teams/{teamId}/users", teams.add_members),
    ("DELETE", "/teams/{teamId}/users/{userId}", teams.remove_member),
    ("GET", "/courses", learning.list_courses),
    ("GET", "/courses/{courseId}", learning.get_course),
    ("GET", "/results/details", learning.result_details),
    ("GET", "/achievements", learning.achievements),
    ("GET", "/bulkimports", bulk.list_imports),
    ("POST", "/bulkimports", bulk.create_import),
    ("GET", "/bulkimports/{bulkImportId}", bulk.get_import),
    ("GET", "/bulkimports/{bulkImportId}/usererrors", bulk.import_errors),
)


class LitmosSimulator(SimulatorApp):
    """A simulated Litmos account; see docs/lms/litmos.md for every rule."""

    def __init__(
        self,
        *,
        api_key: str = "sandbox-litmos-key",
        clock: Clock = time.time,
        rate_limit: int = 100,
        rate_window: float = 60.0,
        rate_message: str = words.SEED_RATE_LIMITED,
        allow_plain_http_on_loopback: bool = False,
        job_roles: Iterable[str] = (),
        import_timing: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        if rate_limit < 1 or rate_window <= 0:
            raise ValueError("rate_limit must be >= 1 and rate_window > 0")
        if not api_key or len(api_key) > wire.MAX_TEXT:
            raise ValueError("a Litmos api key has 1 to 50 characters")
        super().__init__(clock=clock)
        self.api_key = api_key
        self.allow_plain_http_on_loopback = allow_plain_http_on_loopback
        self.state = LitmosState(
            clock, rate_limit, float(rate_window), rate_message, frozenset(job_roles)
        )
        self.state.import_queue, self.state.import_per_row = import_timing
        for method, template, handler in ROUTES:
            self.route(method, BASE + template, partial(handler, self.state))

    # -- hooks ------------------------------------------------------------

    def error_body(self, status: int, message: str) -> object:
        return {"Detail": message}

    def screen(self, request: Request) -> None:
        bulk.settle(self.state)  # an import whose time has come is applied before any call
        gate = wire.Gate(self.api_key, self.allow_plain_http_on_loopback)
        wire.screen(self.state, request, gate)

    def authorize(self, request: Request, route: Route) -> None:
        """Validate the routed request against the operation in the OpenAPI document."""
        validation.validate(request, route.method, route.pattern.removeprefix(BASE))

    # -- seeding and out-of-band edits (tests, the demo) -------------------

    def seed_user(
        self,
        username: str,
        first: str,
        last: str,
        email: str,
        active: bool = True,
        *,
        user_id: str | None = None,
        **fields: object,
    ) -> str:
        """A user (its own id when `user_id` is given); `fields` by Litmos name."""
        with self.lock:
            names = (username, first, last, email)
            return seeding.seed_user(self.state, names, user_id, {"Active": active, **fields})

    def seed_team(
        self,
        name: str,
        parent_id: str | None = None,
        description: str = "",
        *,
        team_id: str | None = None,
    ) -> str:
        with self.lock:
            return seeding.seed_team(self.state, name, parent_id, description, team_id)

    def seed_course(self, code: str, name: str, *, course_id: str | None = None) -> str:
        with self.lock:
            return seeding.seed_course(self.state, code, name, course_id)

    def edit_user(self, user_id: str, **fields: object) -> None:
        """Change writable fields by Litmos name, as an admin would in the Litmos UI."""
        with self.lock:
            seeding.edit_user(self.state, user_id, fields)

    def user_record(self, user_id: str) -> dict[str, object]:
        """The whole user, as `GET /users/{userId}` shows it."""
        with self.lock:
            bulk.settle(self.state)
            return seeding.user_record(self.state, user_id)

    def add_team_member(self, team_id: str, user_id: str) -> None:
        with self.lock:
            seeding.add_member(self.state, team_id, user_id)

    def assign_course(self, user_id: str, course_id: str) -> None:
        with self.lock:
            seeding.assign_course(self.state, user_id, course_id)

    def complete_course(
        self,
        user_id: str,
        course_id: str,
        score: float | None = 100.0,
        completed_at: float | None = None,
    ) -> None:
        """Mark a course complete (assigning it first if needed) and record its achievement;
        times on the app clock."""
        with self.lock:
            user, course = self.state.user(user_id), self.state.course(course_id)
            done = self.clock() if completed_at is None else completed_at
            learning.complete(self.state, user.id, course.id, score, done)

    # -- views ------------------------------------------------------------

    @property
    def sent_messages(self) -> list[SentMessage]:
        """Every email the simulator "sent", oldest first."""
        with self.lock:
            bulk.settle(self.state)
            return list(self.state.sent)

    def side_effects(self) -> dict[str, int]:
        """What Litmos did on its own, by effect (`welcome_email`: login emails,
        `assignment_email`: course emails), only what happened: the view every simulator
        offers, to compare with the effects a plan declared."""
        with self.lock:
            bulk.settle(self.state)
            return effect_totals(self.state.sent)

    def snapshot(self) -> LitmosSnapshot:
        with self.lock:
            bulk.settle(self.state)
            return snapshot(self.state)

    def dump_state(self) -> dict[str, Any]:
        with self.lock:
            bulk.settle(self.state)
            return persist.dump_state(self.state)

    def load_state(self, data: dict[str, Any]) -> None:
        with self.lock:
            persist.load_state(self.state, data)
