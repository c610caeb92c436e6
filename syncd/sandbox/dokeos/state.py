"""The data of one simulated Dokeos platform, and its lookups.

`DokeosState` holds users, groups, trainings, participations and jobs (each
table in ascending id order; unsettled jobs also on a heap by due time), the
id counters and the job knobs. It
validates nothing a client sends (handlers do) and is not locked: the
simulator calls it under its lock.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from dataclasses import replace
from typing import TypeVar

from syncd.sandbox.dokeos.records import Group, Job, Participation, Training, User
from syncd.sandbox.faults import Clock

T = TypeVar("T")

ID_KINDS = ("user", "group", "training", "participation", "job")


class DokeosState:
    """Users, groups, trainings, participations, jobs, counters and job knobs."""

    def __init__(self, clock: Clock, default_per_page: int) -> None:
        self.clock = clock
        self.default_per_page = default_per_page
        self.job_seconds = 0.0
        self.failures: deque[str] = deque()
        self.reset()

    def reset(self) -> None:
        """Forget every record and counter (the job knobs stay)."""
        self.users: dict[int, User] = {}
        self.groups: dict[int, Group] = {}
        self.trainings: dict[int, Training] = {}
        self.participations: dict[int, Participation] = {}
        self.jobs: dict[str, Job] = {}
        self.due: list[tuple[float, int, str]] = []  # a heap of the unsettled jobs
        self.job_order: deque[str] = deque()  # job ids, oldest first
        self.counters: dict[str, int] = dict.fromkeys(ID_KINDS, 0)
        self._usernames: dict[str, int] = {}
        self._emails: dict[str, int] = {}
        self._external_ids: dict[str, int] = {}
        self._codes: dict[str, int] = {}
        self._pairs: dict[tuple[int, int], int] = {}

    # -- common -----------------------------------------------------------

    def next_id(self, kind: str) -> int:
        self.counters[kind] += 1
        return self.counters[kind]

    def now_text(self) -> str:
        return self.text_at(self.clock())

    @staticmethod
    def text_at(moment: float) -> str:
        """A clock value as Dokeos prints times: ISO 8601 in UTC."""
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))

    # -- users ------------------------------------------------------------

    def put_user(self, user: User) -> None:
        old = self.users.get(user.id)
        if old is not None:
            self._unindex_user(old)
        self.users[user.id] = user
        self._usernames[user.username.casefold()] = user.id
        self._emails[user.email.casefold()] = user.id
        if user.external_id is not None:
            self._external_ids[user.external_id] = user.id

    def remove_user(self, user_id: int) -> None:
        """Delete a user with their group memberships and participations."""
        self._unindex_user(self.users.pop(user_id))
        for group in list(self.groups.values()):
            if user_id in group.learner_ids or user_id in group.manager_ids:
                learners, managers = group.learner_ids, group.manager_ids
                self.put_group(
                    replace(
                        group, learner_ids=learners - {user_id}, manager_ids=managers - {user_id}
                    )
                )
        for participation in list(self.participations.values()):
            if participation.user_id == user_id:
                self.remove_participation(participation.id)

    def user_named(self, username: str) -> User | None:
        return self._lookup(self.users, self._usernames.get(username.casefold()))

    def user_with_email(self, email: str) -> User | None:
        return self._lookup(self.users, self._emails.get(email.casefold()))

    def user_with_external_id(self, external_id: str) -> User | None:
        return self._lookup(self.users, self._external_ids.get(external_id))

    def groups_of(self, user_id: int) -> list[int]:
        """The ids of the groups `user_id` is a learner or a manager of."""
        return [g.id for g in self.groups.values() if user_id in g.learner_ids | g.manager_ids]

    def _unindex_user(self, user: User) -> None:
        self._usernames.pop(user.username.casefold(), None)
        self._emails.pop(user.email.casefold(), None)
        if user.external_id is not None:
            self._external_ids.pop(user.external_id, None)

    # -- groups -----------------------------------------------------------

    def put_group(self, group: Group) -> None:
        old = self.groups.get(group.id)
        if old is not None and old.code is not None:
            self._codes.pop(old.code.casefold(), None)
        self.groups[group.id] = group
        if group.code is not None:
            self._codes[group.code.casefold()] = group.id

    def remove_group(self, group_id: int) -> None:
        group = self.groups.pop(group_id)
        if group.code is not None:
            self._codes.pop(group.code.casefold(), None)

    def group_with_code(self, code: str) -> Group | None:
        return self._lookup(self.groups, self._codes.get(code.casefold()))

    # -- trainings and participations -------------------------------------

    def put_training(self, training: Training) -> None:
        self.trainings[training.id] = training

    def put_participation(self, participation: Participation) -> None:
        self.participations[participation.id] = participation
        self._pairs[(participation.user_id, participation.training_id)] = participation.id

    def remove_participation(self, participation_id: int) -> None:
        gone = self.participations.pop(participation_id)
        self._pairs.pop((gone.user_id, gone.training_id), None)

    def participation_of(self, user_id: int, training_id: int) -> Participation | None:
        return self._lookup(self.participations, self._pairs.get((user_id, training_id)))

    # -- jobs -------------------------------------------------------------

    def add_job(self, job: Job) -> None:
        """Keep a new (or loaded) job; an unsettled one waits on the due heap."""
        self.jobs[job.id] = job
        self.job_order.append(job.id)
        if job.outcome is None:
            heapq.heappush(self.due, (job.due_at, job.seq, job.id))

    def next_due(self, now: float) -> Job | None:
        """Take the unsettled job due first, if it is due by `now`."""
        if not self.due or self.due[0][0] > now:
            return None
        return self.jobs[heapq.heappop(self.due)[2]]

    def take_failure(self) -> str | None:
        """The `fail_next_jobs` message the next job is created with, if any."""
        return self.failures.popleft() if self.failures else None

    @staticmethod
    def _lookup(table: dict[int, T], key: int | None) -> T | None:
        return None if key is None else table.get(key)
