"""`LitmosSimulator`: the Litmos /v1.svc API of docs/lms/litmos.md as a WSGI app.

Wires the handlers to their routes, screens every call (api key by query or
header, `source`, `format=json`, the per-key rolling rate limit), answers
errors as `{"Detail": message}`, and offers tests seeding helpers, a snapshot
and a JSON dump/load. Everything runs under the app lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from syncd.sandbox.core import Request, Response, SimulatorApp
from syncd.sandbox.faults import Clock
from syncd.sandbox.litmos import learning, persist, teams, users, wire
from syncd.sandbox.litmos.state import Course, LitmosSnapshot, LitmosState, snapshot

StateHandler = Callable[[LitmosState, Request], Response]
BASE = "/v1.svc"

ROUTES: tuple[tuple[str, str, StateHandler], ...] = (
    ("GET", "/users", users.list_users),
    ("POST", "/users", users.create_user),
    ("GET", "/users/{id}", users.get_user),
    ("PUT", "/users/{id}", users.update_user),
    ("DELETE", "/users/{id}", users.delete_user),
    ("GET", "/users/{id}/courses", learning.user_courses),
    ("POST", "/users/{id}/courses", learning.assign_courses),
    ("DELETE", "/users/{id}/courses/{course_id}", learning.unassign_course),
    ("GET", "/teams", teams.list_teams),
    ("POST", "/teams", teams.create_team),
    ("GET", "/teams/{id}", teams.get_team),
    ("GET", "/teams/{id}/teams", teams.list_sub_teams),
    ("POST", "/teams/{id}/teams", teams.create_sub_team),
    ("GET", "/teams/{id}/users", teams.list_members),
    ("POST", "/teams/{id}/users", teams.add_members),
    ("DELETE", "/teams/{id}/users/{user_id}", teams.remove_member),
    ("GET", "/courses", learning.list_courses),
    ("GET", "/courses/{id}", learning.get_course),
    ("GET", "/results/details", learning.result_details),
    ("GET", "/achievements", learning.achievements),
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
    ) -> None:
        if rate_limit < 1 or rate_window <= 0:
            raise ValueError("rate_limit must be >= 1 and rate_window > 0")
        super().__init__(clock=clock)
        self.api_key = api_key
        self.state = LitmosState(clock, rate_limit, float(rate_window))
        for method, pattern, handler in ROUTES:
            self.route(method, BASE + pattern, partial(handler, self.state))

    # -- hooks ------------------------------------------------------------

    def error_body(self, status: int, message: str) -> object:
        return {"Detail": message}

    def screen(self, request: Request) -> None:
        wire.screen(self.state, request, self.api_key)

    # -- seeding (tests and out-of-band edits) ----------------------------

    def seed_user(
        self, username: str, first: str, last: str, email: str, active: bool = True
    ) -> str:
        with self.lock:
            return users.add_user(self.state, username, first, last, email, active).id

    def seed_team(self, name: str, parent_id: str | None = None, description: str = "") -> str:
        with self.lock:
            if parent_id is not None:
                self.state.team(parent_id)
            return teams.add_team(self.state, name, description, parent_id or "").id

    def seed_course(self, code: str, name: str) -> str:
        with self.lock:
            course_id, original = self.state.next_id()
            self.state.courses[course_id] = Course(course_id, code, name, original)
            return course_id

    def add_team_member(self, team_id: str, user_id: str) -> None:
        with self.lock:
            self.state.members.add((self.state.team(team_id).id, self.state.user(user_id).id))

    def assign_course(self, user_id: str, course_id: str) -> None:
        with self.lock:
            learning.assign(
                self.state, self.state.user(user_id).id, self.state.course(course_id).id
            )

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

    def snapshot(self) -> LitmosSnapshot:
        with self.lock:
            return snapshot(self.state)

    def dump_state(self) -> dict[str, Any]:
        with self.lock:
            return persist.dump_state(self.state)

    def load_state(self, data: dict[str, Any]) -> None:
        with self.lock:
            persist.load_state(self.state, data)
