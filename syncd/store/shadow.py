"""The shadow: what one target held at its last fetch, written as the pages stream in.

A fetch that breaks off leaves what it read, `complete = False` and the parts it had
read whole (`parts_read`), which the engine reads as "hold back what depends on the rest".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Insert, Row, delete, select
from sqlalchemy.dialects import postgresql, sqlite
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
    RemoteRecord,
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

SHADOW_MODELS: tuple[type[Base], ...] = (
    ShadowUserRow,
    ShadowGroupRow,
    ShadowMembershipRow,
    ShadowCourseRow,
    ShadowEnrollmentRow,
)
FLUSH_EVERY = 1_000


class ShadowWriter:
    """Replaces one target's shadow with the records of a new fetch."""

    def __init__(self, session: Session, target: str, now: dt.datetime) -> None:
        self._session, self._target = session, target
        self._buffer: dict[type[Base], list[dict[str, Any]]] = {}
        self._pending = 0
        self._parts: set[RemotePart] = set()
        for model in SHADOW_MODELS:
            session.execute(delete(model).where(model.target == target))  # type: ignore[attr-defined]
        session.merge(
            FetchStateRow(target=target, started_at=now, finished_at=None, complete=False)
        )

    def add(self, item: FetchItem) -> None:
        if isinstance(item, PartRead):
            self._parts.add(item.part)
            return
        model, row = _row(item)
        row["target"] = self._target
        self._buffer.setdefault(model, []).append(row)
        self._pending += 1
        if self._pending >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        for model, rows in self._buffer.items():
            self._session.execute(_insert_ignoring_repeats(self._session, model), rows)
        self._buffer, self._pending = {}, 0

    def finish(self, now: dt.datetime, *, complete: bool, error: str | None = None) -> None:
        self.flush()
        state = self._session.get_one(FetchStateRow, self._target)
        state.finished_at, state.complete, state.error = now, complete, error
        state.parts_read = ",".join(sorted(self._parts)) or None


def _insert_ignoring_repeats(session: Session, model: type[Base]) -> Insert:
    """An LMS may list a record twice when its pages shift under a read; keep the first."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    return sqlite.insert(model).on_conflict_do_nothing()


def _row(record: RemoteRecord) -> tuple[type[Base], dict[str, Any]]:
    match record:
        case RemoteUser():
            return ShadowUserRow, _fields(record)
        case RemoteGroup():
            return ShadowGroupRow, {**_fields(record), "kind": record.kind.value}
        case RemoteMembership():
            group_kind, role = record.group_kind.value, record.role.value
            return ShadowMembershipRow, {**_fields(record), "group_kind": group_kind, "role": role}
        case RemoteCourse():
            return ShadowCourseRow, _fields(record)
        case RemoteEnrollment():
            progress = record.progress or NO_PROGRESS
            ids = {
                "course_remote_id": record.course_remote_id,
                "user_remote_id": record.user_remote_id,
            }
            return ShadowEnrollmentRow, {**ids, "status": record.status, **_fields(progress)}


def _fields(record: RemoteRecord | Progress) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}


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


def load_enrollment_state(session: Session, target: str) -> RemoteState:
    """The target's courses and enrollments as last fetched (what a read back compares)."""
    frame = load_remote_frame(session, target)
    table = table_of(ShadowEnrollmentRow)
    rows = session.execute(select(table).where(table.c.target == target))
    return replace(frame, groups=(), enrollments=tuple(_enrollment(r) for r in rows))


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
