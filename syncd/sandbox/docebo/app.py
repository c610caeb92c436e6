"""`DoceboSimulator`: the Docebo API of docs/lms/docebo.md as a WSGI app.

Wires the handlers to the routes of its API era (`api_era`: "modern", the
default, or "2017"), answers errors as `{"name", "message", "code"}`, requires
a bearer token everywhere but `/oauth2/token`, and offers tests seeding
helpers, a snapshot, what it did on its own (`side_effects`) and a JSON
dump/load of the whole platform. Everything
runs under the app lock.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from functools import partial
from typing import Any

from syncd.sandbox.core import Request, Route, SimulatorApp
from syncd.sandbox.docebo import auth, persist
from syncd.sandbox.docebo.records import (
    API_ERAS,
    ENROLLMENT_STATUSES,
    MEMBER_ANSWERS,
    ROOT_ID,
    ApiEra,
    DoceboSnapshot,
    Enrollment,
    MemberAnswer,
    User,
)
from syncd.sandbox.docebo.routes import routes_of
from syncd.sandbox.docebo.state import DoceboState, docebo_date
from syncd.sandbox.faults import Clock
from syncd.sandbox.messages import reason

AUTH_PATH = "/oauth2/token"


class DoceboSimulator(SimulatorApp):
    """A simulated Docebo platform; see docs/lms/docebo.md for every rule.

    `api_era` picks the API it serves: "modern" (today's keys and lists) or "2017"
    (the 2017 SDK's). `group_member_answer="success"` makes the group-member writes
    answer only `{"success": true}` instead of the ids they did.
    """

    default_headers = (("X-Docebo-Api-Version", "1.0.0"),)
    serial_conflict_message = "Concurrent batch or branch call refused"

    def __init__(
        self,
        *,
        client_id: str = "syncd-sandbox",
        client_secret: str = "sandbox-secret",  # noqa: S107 - a sandbox's well-known secret
        username: str = "api-admin",
        password: str = "sandbox-password",  # noqa: S107 - a sandbox's well-known password
        clock: Clock = time.time,
        default_page_size: int = 10,
        api_era: ApiEra = "modern",
        group_member_answer: MemberAnswer = "ids",
    ) -> None:
        _check_knobs(default_page_size, api_era, group_member_answer)
        super().__init__(clock=clock)
        self.credentials = auth.Credentials(client_id, client_secret, username, password)
        self.state = DoceboState(clock, default_page_size, api_era, group_member_answer)
        token = partial(auth.token_endpoint, self.state, self.credentials)
        self.route("POST", AUTH_PATH, token, auth=True)
        for method, pattern, handler, serial in routes_of(api_era):
            self.route(method, pattern, partial(handler, self.state), serial=serial)

    @property
    def api_era(self) -> ApiEra:
        return self.state.era

    # -- hooks ------------------------------------------------------------

    def error_body(self, status: int, message: str) -> object:
        return {"name": reason(status), "message": message, "code": status}

    def authorize(self, request: Request, route: Route) -> None:
        if not route.auth:
            auth.check_bearer(self.state, request)

    # -- seeding (tests and out-of-band edits) ----------------------------

    def issue_token(self) -> str:
        """A valid access token, as if the token endpoint had been called."""
        with self.lock:
            return self.state.issue_token()[0]

    def seed_user(
        self, username: str, email: str, first_name: str, last_name: str, active: bool = True
    ) -> int:
        with self.lock:
            if self.state.user_by_username(username) is not None:
                raise ValueError(f"username already exists: {username}")
            now = self.state.now_text()
            user_id = self.state.next_id("user")
            user = User(user_id, username, email, first_name, last_name, active, "user", now, now)
            self.state.put_user(user)
            return user_id

    def seed_branch(self, code: str, title: str, parent_code: str | None = None) -> int:
        """Add a branch; duplicate codes are allowed here (not through the API)."""
        with self.lock:
            parent = ROOT_ID if parent_code is None else self._branch_id(parent_code)
            return self.state.add_branch(code, (("english", title),), parent).id

    def seed_course(self, code: str, name: str) -> int:
        with self.lock:
            return self.state.add_course(code, name).id

    def seed_group(self, name: str, description: str = "") -> int:
        with self.lock:
            return self.state.add_group(name, description).group_id

    def seed_membership(self, group_id: int, user_id: int) -> None:
        with self.lock:
            self._require(group_id in self.state.groups, f"no group {group_id}")
            self._require(user_id in self.state.users, f"no user {user_id}")
            self.state.set_member(self.state.group_users, group_id, user_id, on=True)

    def assign_branch(self, branch_id: int, user_id: int) -> None:
        with self.lock:
            self._require(branch_id in self.state.branches, f"no branch {branch_id}")
            self._require(user_id in self.state.users, f"no user {user_id}")
            self.state.set_member(self.state.branch_users, branch_id, user_id, on=True)

    def seed_enrollment(
        self,
        course_id: int,
        user_id: int,
        status: str = "subscribed",
        score: float | None = None,
    ) -> None:
        """Enroll a user, or set the status and score of an existing enrollment."""
        with self.lock:
            self._require(course_id in self.state.courses, f"no course {course_id}")
            self._require(user_id in self.state.users, f"no user {user_id}")
            self._require(status in ENROLLMENT_STATUSES, f"unknown status {status}")
            enrollment = self.state.enroll(course_id, user_id, status, 3)
            self._record_progress(enrollment, status, score, None)

    def set_enrollment_progress(
        self,
        course_id: int,
        user_id: int,
        *,
        status: str,
        score: float | None = None,
        completed_at: dt.datetime | None = None,
    ) -> None:
        """Record what a learner did in a course they are enrolled in (the LMS's side).

        `status` is one of ENROLLMENT_STATUSES and `score` replaces the score (None:
        none). Completing sets the completion date to `completed_at` (timezone-aware),
        else keeps the date of an enrollment already completed, else takes the clock;
        any other status clears it. The enrollment date never moves.
        """
        with self.lock:
            enrollment = self._enrollment(course_id, user_id)
            self._require(status in ENROLLMENT_STATUSES, f"unknown status {status}")
            self._record_progress(enrollment, status, score, completed_at)

    def _enrollment(self, course_id: int, user_id: int) -> Enrollment:
        enrollment = self.state.enrollments.get((course_id, user_id))
        if enrollment is None:
            raise ValueError(f"user {user_id} is not enrolled in course {course_id}")
        return enrollment

    def _record_progress(
        self,
        enrollment: Enrollment,
        status: str,
        score: float | None,
        completed_at: dt.datetime | None,
    ) -> None:
        done = self._completion_date(enrollment, status, completed_at)
        progress = replace(enrollment, status=status, course_complete_date=done, score=score)
        self.state.put_enrollment(progress)

    def _completion_date(
        self, enrollment: Enrollment, status: str, completed_at: dt.datetime | None
    ) -> str | None:
        """Docebo's completion date text for `status`: only a completed enrollment has one."""
        if status != "completed":
            self._require(completed_at is None, "completed_at needs status 'completed'")
            return None
        if completed_at is None:
            return enrollment.course_complete_date or self.state.now_text()
        self._require(completed_at.tzinfo is not None, "completed_at must be timezone-aware")
        return docebo_date(completed_at.timestamp())

    # -- views ------------------------------------------------------------

    def snapshot(self) -> DoceboSnapshot:
        with self.lock:
            return persist.snapshot(self.state)

    def side_effects(self) -> dict[str, int]:
        """What Docebo did on its own, by effect (`welcome_email`: the notification email
        a user batch sends a new user), only what happened: the view every simulator
        offers, to compare with the effects a plan declared."""
        with self.lock:
            welcomed = len(self.state.notified)
        return {"welcome_email": welcomed} if welcomed else {}

    def dump_state(self) -> dict[str, Any]:
        with self.lock:
            return persist.dump_state(self.state)

    def load_state(self, data: dict[str, Any]) -> None:
        with self.lock:
            persist.load_state(self.state, data)

    def _branch_id(self, code: str) -> int:
        found = self.state.branches_by_code(code)
        self._require(len(found) == 1, f"branch code {code!r} matches {len(found)} branches")
        return found[0].id

    @staticmethod
    def _require(condition: bool, message: str) -> None:
        if not condition:
            raise ValueError(message)


def _check_knobs(page_size: int, era: str, member_answer: str) -> None:
    if not 1 <= page_size <= 200:
        raise ValueError("default_page_size must be within 1..200")
    if era not in API_ERAS:
        raise ValueError(f"api_era must be one of {API_ERAS}, not {era!r}")
    if member_answer not in MEMBER_ANSWERS:
        raise ValueError(f"group_member_answer must be one of {MEMBER_ANSWERS}")
