"""The shadow: what one target held at its last fetch, written as the pages stream in.

A fetch writes only what changed since the last one (`shadow_stage.py`). A fetch that
breaks off leaves what it read, `complete = False` and the parts it had read whole
(`parts_read`), which the engine reads as "hold back what depends on the rest"; the rows
of a part it did not read whole that it did not reach stay as the last fetch left them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from syncd.records import (
    EnrollmentStatus,
    FetchItem,
    GroupKind,
    MemberRole,
    PartRead,
    Progress,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemotePart,
    RemoteState,
    RemoteUser,
)
from syncd.store.schema import (
    Base,
    FetchStateRow,
    ShadowCourseRow,
    ShadowEnrollmentRow,
    ShadowGroupRow,
    ShadowMembershipRow,
    ShadowUserRow,
    table_of,
)
from syncd.store.shadow_stage import Stage

SHADOW_MODELS: dict[RemotePart, type[Base]] = {
    RemotePart.USERS: ShadowUserRow,
    RemotePart.GROUPS: ShadowGroupRow,
    RemotePart.MEMBERSHIPS: ShadowMembershipRow,
    RemotePart.COURSES: ShadowCourseRow,
    RemotePart.ENROLLMENTS: ShadowEnrollmentRow,
}
FLUSH_EVERY = 2_000


class ShadowWriter:
    """Brings one target's shadow to the records of a new fetch, writing only what changed
    (`shadow_stage.py`): `written` and `deleted` count the rows it touched."""

    def __init__(self, session: Session, target: str, now: dt.datetime) -> None:
        self._session, self._target = session, target
        self._stage = Stage(session, target, tuple(SHADOW_MODELS.values()))
        self._buffer: dict[type[Base], list[tuple[Any, ...]]] = {}
        self._pending = 0
        self._parts: set[RemotePart] = set()
        self.written = self.deleted = 0
        session.merge(
            FetchStateRow(target=target, started_at=now, finished_at=None, complete=False)
        )

    def add(self, item: FetchItem) -> None:
        to_row = _ROWS.get(type(item))
        if to_row is None:  # not a record (looked up by its exact class): a PartRead
            assert isinstance(item, PartRead), f"not a record: {type(item).__name__}"
            self._parts.add(item.part)
            return
        model, row = to_row(item)
        self._buffer.setdefault(model, []).append(row)
        self._pending += 1
        if self._pending >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        for model, rows in self._buffer.items():
            self.written += self._stage.load(model, rows)
        self._buffer, self._pending = {}, 0

    def finish(self, now: dt.datetime, *, complete: bool, error: str | None = None) -> None:
        """Close the fetch. The rows it did not see go from each part it read whole (every
        part, when it is complete); a part it did not read whole keeps its earlier rows."""
        self.flush()
        for part, model in SHADOW_MODELS.items():
            if complete or part in self._parts:
                self.deleted += self._stage.sweep(model)
        self._stage.drop()
        state = self._session.get_one(FetchStateRow, self._target)
        state.finished_at, state.complete, state.error = now, complete, error
        state.parts_read = ",".join(sorted(self._parts)) or None


def _user_row(u: RemoteUser) -> tuple[type[Base], tuple[Any, ...]]:
    values = (u.remote_id, u.username, u.email, u.first_name, u.last_name, u.active, u.external_id)
    return ShadowUserRow, values


def _group_row(g: RemoteGroup) -> tuple[type[Base], tuple[Any, ...]]:
    return ShadowGroupRow, (_VALUES[g.kind], g.remote_id, g.name, g.code, g.parent_remote_id)


def _membership_row(m: RemoteMembership) -> tuple[type[Base], tuple[Any, ...]]:
    return ShadowMembershipRow, (
        m.group_kind.value,
        m.group_remote_id,
        m.user_remote_id,
        m.role.value,
    )


def _course_row(c: RemoteCourse) -> tuple[type[Base], tuple[Any, ...]]:
    return ShadowCourseRow, (c.remote_id, c.code, c.name)


def _enrollment_row(e: RemoteEnrollment) -> tuple[type[Base], tuple[Any, ...]]:
    p = e.progress or NO_PROGRESS
    values = (p.enrolled_at, p.completed_at, p.score, p.raw_status)
    return ShadowEnrollmentRow, (e.course_remote_id, e.user_remote_id, _VALUES[e.status], *values)


# Enum members' values by member (a look-up costs less than the `value` property).
_VALUES: dict[StrEnum, str] = {
    m: m.value for e in (GroupKind, MemberRole, EnrollmentStatus) for m in e
}

# Each record's shadow row, in its table's column order (the target and hash aside), by the
# record's exact class: one look-up for each of the many records a fetch reads.
_ROWS: dict[type, Callable[[Any], tuple[type[Base], tuple[Any, ...]]]] = {
    RemoteUser: _user_row,
    RemoteGroup: _group_row,
    RemoteMembership: _membership_row,
    RemoteCourse: _course_row,
    RemoteEnrollment: _enrollment_row,
}


def load_remote_state(session: Session, target: str) -> RemoteState:
    def rows(model: type[Base]) -> Sequence[Row[Any]]:
        table = table_of(model)
        return session.execute(select(table).where(table.c.target == target)).all()

    state = session.get(FetchStateRow, target)
    return RemoteState(
        users=tuple(_user(r) for r in rows(ShadowUserRow)),
        groups=tuple(_group(r) for r in rows(ShadowGroupRow)),
        memberships=tuple(_membership(r) for r in rows(ShadowMembershipRow)),
        courses=tuple(
            RemoteCourse(RemoteId(r.remote_id), r.code, r.name) for r in rows(ShadowCourseRow)
        ),
        enrollments=tuple(_enrollment(r) for r in rows(ShadowEnrollmentRow)),
        complete=bool(state and state.complete),
        parts_read=_parts(state.parts_read if state else None),
    )


def load_remote_frame(session: Session, target: str) -> RemoteState:
    """The target's groups and courses as last fetched and how whole that read was, without
    its users, memberships and enrollments (the streaming diff reads those in SQL)."""
    state = session.get(FetchStateRow, target)
    groups, courses = table_of(ShadowGroupRow), table_of(ShadowCourseRow)
    group_rows = session.execute(select(groups).where(groups.c.target == target))
    course_rows = session.execute(select(courses).where(courses.c.target == target))
    return RemoteState(
        groups=tuple(_group(r) for r in group_rows),
        courses=tuple(RemoteCourse(RemoteId(r.remote_id), r.code, r.name) for r in course_rows),
        complete=bool(state and state.complete),
        parts_read=_parts(state.parts_read if state else None),
    )


def stream_enrollments(session: Session, target: str) -> Iterator[RemoteEnrollment]:
    """The target's enrollments as last fetched, streamed (never held whole)."""
    table = table_of(ShadowEnrollmentRow)
    query = select(table).where(table.c.target == target).execution_options(yield_per=2_000)
    for row in session.execute(query):
        yield _enrollment(row)


def _parts(text: str | None) -> frozenset[RemotePart]:
    return frozenset(RemotePart(p) for p in (text or "").split(",") if p)


def _user(r: Row[Any]) -> RemoteUser:
    return RemoteUser(
        RemoteId(r.remote_id),
        r.username,
        r.email,
        r.first_name,
        r.last_name,
        r.active,
        r.external_id,
    )


def _group(r: Row[Any]) -> RemoteGroup:
    parent = RemoteId(r.parent_remote_id) if r.parent_remote_id else None
    return RemoteGroup(RemoteId(r.remote_id), GroupKind(r.kind), r.name, r.code, parent)


def _membership(r: Row[Any]) -> RemoteMembership:
    group, user = RemoteId(r.group_remote_id), RemoteId(r.user_remote_id)
    return RemoteMembership(GroupKind(r.group_kind), group, user, MemberRole(r.role))


def _enrollment(r: Row[Any]) -> RemoteEnrollment:
    status = EnrollmentStatus(r.status)
    progress = Progress(r.enrolled_at, r.completed_at, r.score, r.raw_status)
    return RemoteEnrollment(
        RemoteId(r.course_remote_id),
        RemoteId(r.user_remote_id),
        status,
        None if progress == NO_PROGRESS else progress,
    )


NO_PROGRESS = Progress()
