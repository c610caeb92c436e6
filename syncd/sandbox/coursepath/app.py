"""`CoursepathSimulator`: the Coursepath API of docs/lms/coursepath.md as a WSGI app.

Wires the handlers to their `/api/v1/` routes, refuses plain HTTP before
routing, requires a fresh, single-use HS256 JWT naming an active member on
every call, answers errors as `{"error", "message"}`, and offers tests
seeding helpers, the sent invitations, what the academy did on its own
(`side_effects`), a snapshot and a JSON dump/load.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from syncd.sandbox.core import Request, Response, Route, SimulatorApp
from syncd.sandbox.coursepath import groups, invites, learning, members, persist, seeding, wire
from syncd.sandbox.coursepath.records import CoursepathSnapshot, Invitation
from syncd.sandbox.coursepath.seeding import KEEP, Keep
from syncd.sandbox.coursepath.state import CoursepathState
from syncd.sandbox.faults import Clock

StateHandler = Callable[[CoursepathState, Request], Response]

API = "/api/v1"
COURSE_MEMBER = f"{API}/courses/{{course_id}}/members/{{member_id}}"
PROGRAM_MEMBER = f"{API}/programs/{{program_id}}/members/{{member_id}}"
MEMBER = f"{API}/members/{{member_id}}"

ROUTES: tuple[tuple[str, str, StateHandler], ...] = (
    ("GET", f"{API}/courses", learning.list_courses),
    ("GET", f"{API}/courses/{{course_id}}", learning.get_course),
    ("GET", f"{MEMBER}/courses", learning.member_courses),
    ("GET", f"{API}/members", members.list_members),
    ("POST", f"{API}/members", members.create_member),
    ("GET", MEMBER, members.get_member),
    ("POST", MEMBER, members.update_member),
    ("GET", f"{API}/courses/{{course_id}}/members", learning.course_members),
    ("POST", f"{API}/courses/{{course_id}}/members", members.create_in_course),
    ("POST", f"{API}/programs/{{program_id}}/members", members.create_in_program),
    ("GET", f"{COURSE_MEMBER}/coursemember", learning.get_coursemember),
    ("POST", f"{COURSE_MEMBER}/coursemember", learning.post_coursemember),
    ("DELETE", f"{COURSE_MEMBER}/coursemember", learning.delete_coursemember),
    ("POST", f"{PROGRAM_MEMBER}/programmember", learning.post_programmember),
    ("DELETE", f"{PROGRAM_MEMBER}/programmember", learning.delete_programmember),
    ("POST", f"{MEMBER}/invite", invites.invite_member),
    ("POST", f"{COURSE_MEMBER}/invite", invites.invite_to_course),
    ("POST", f"{PROGRAM_MEMBER}/invite", invites.invite_to_program),
    ("GET", f"{API}/groups", groups.list_groups),
    ("GET", f"{API}/groups/{{group_id}}/members", groups.group_members),
    ("GET", f"{MEMBER}/groups", groups.member_groups),
    ("POST", f"{MEMBER}/groups", groups.join_group),
    ("DELETE", f"{MEMBER}/groups", groups.leave_groups),
)


class CoursepathSimulator(SimulatorApp):
    """A simulated Coursepath academy; see docs/lms/coursepath.md for every rule."""

    def __init__(
        self,
        *,
        jwt_secret: str = "sandbox-coursepath-secret",  # noqa: S107 - the sandbox's API key
        clock: Clock = time.time,
        max_token_age: float = 120,
        allow_plain_http_on_loopback: bool = False,
    ) -> None:
        if max_token_age <= 0:
            raise ValueError("max_token_age must be positive")
        super().__init__(clock=clock)
        self.jwt_secret = jwt_secret
        self.max_token_age = float(max_token_age)
        self.allow_plain_http_on_loopback = allow_plain_http_on_loopback
        self.state = CoursepathState(clock)
        for method, pattern, handler in ROUTES:
            self.route(method, pattern, partial(handler, self.state))
        self.route("GET", f"{API}/members/me", self._me)

    def _me(self, request: Request) -> Response:
        return members.get_me(self.state, self.jwt_secret, request)  # the secret may rotate

    # -- hooks ------------------------------------------------------------

    def error_body(self, status: int, message: str) -> object:
        return {"error": wire.error_code(status), "message": message}

    def screen(self, request: Request) -> None:
        wire.check_scheme(request, self.allow_plain_http_on_loopback)

    def authorize(self, request: Request, route: Route) -> None:
        authorization = request.header("authorization")
        wire.authenticate(self.state, authorization, self.jwt_secret, self.max_token_age)

    # -- seeding (tests and out-of-band edits) ----------------------------

    def seed_member(self, email: str, name: str | None = None, **fields: str | bool) -> int:
        """A member; `fields` by wire name (`company`, `externalId`…, `active`)."""
        with self.lock:
            return seeding.seed_member(self.state, email, name, fields)

    def seed_course(self, code: str, name: str) -> int:
        with self.lock:
            return seeding.seed_course(self.state, code, name)

    def seed_program(self, code: str, name: str) -> int:
        with self.lock:
            return seeding.seed_program(self.state, code, name)

    def enroll(self, course_id: int, member_id: int) -> None:
        with self.lock:
            seeding.enroll(self.state, course_id, member_id)

    def set_result(
        self,
        course_id: int,
        member_id: int,
        *,
        score: float | Keep | None = KEEP,
        success: bool | Keep | None = KEEP,
        completed: str | Keep | None = KEEP,
        enrolled: str | Keep | None = KEEP,
    ) -> None:
        """Change an enrolled learner's result, or backdate her enrollment (`completed`,
        `enrolled`: ISO 8601 text or None); fields not given stay."""
        with self.lock:
            seeding.set_result(
                self.state,
                (course_id, member_id),
                score=score,
                success=success,
                completed=completed,
                enrolled=enrolled,
            )

    def seed_group(self, name: str) -> int:
        """An empty group (the API makes a group only by joining someone to it)."""
        with self.lock:
            return seeding.seed_group(self.state, name)

    def add_to_group(self, member_id: int, name: str) -> None:
        with self.lock:
            seeding.add_to_group(self.state, member_id, name)

    # -- views ------------------------------------------------------------

    @property
    def invitations(self) -> list[Invitation]:
        """Every invitation sent, oldest first."""
        with self.lock:
            return list(self.state.invitations)

    def side_effects(self) -> dict[str, int]:
        """What the academy did on its own so far (emails, results deleted), by effect,
        non-zero only; the same view every simulator offers (docs/lms/coursepath.md)."""
        with self.lock:
            return self.state.side_effects()

    def snapshot(self) -> CoursepathSnapshot:
        with self.lock:
            return persist.snapshot(self.state)

    def dump_state(self) -> dict[str, Any]:
        with self.lock:
            return persist.dump_state(self.state)

    def load_state(self, data: dict[str, Any]) -> None:
        with self.lock:
            persist.load_state(self.state, data)
