"""The shadow writes only what a fetch changed, on SQLite and PostgreSQL: an unchanged row is
not rewritten, a changed one is updated, a vanished one goes after a complete read of its
part and stays after a read that broke off before it, and a repeated key keeps its first row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, select

from syncd.records import (
    EnrollmentStatus,
    FetchItem,
    PartRead,
    Progress,
    RemoteEnrollment,
    RemoteId,
    RemotePart,
    RemoteState,
    RemoteUser,
)
from syncd.store.db import session_factory
from syncd.store.schema import ShadowUserRow
from syncd.store.shadow import FLUSH_EVERY, ShadowWriter, load_remote_state

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def user(n: int, email: str | None = None) -> RemoteUser:
    return RemoteUser(RemoteId(str(n)), f"u{n}", email or f"u{n}@example.com", "F", "L", True)


def enrollment(user_id: int, score: float | None = None) -> RemoteEnrollment:
    progress = Progress(NOW, None, score, "started")
    return RemoteEnrollment(
        RemoteId("C1"), RemoteId(str(user_id)), EnrollmentStatus.ENROLLED, progress
    )


def fetch(
    engine: Engine, items: Iterable[FetchItem], *, complete: bool = True
) -> tuple[ShadowWriter, RemoteState]:
    with session_factory(engine)() as session:
        writer = ShadowWriter(session, "lms", NOW)
        for item in items:
            writer.add(item)
        writer.finish(NOW, complete=complete, error=None if complete else "page 2 failed")
        session.commit()
        return writer, load_remote_state(session, "lms")


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_fetch_that_finds_nothing_changed_writes_no_shadow_row(engine: Engine) -> None:
    items = [*map(user, range(5)), enrollment(1, 50.0)]
    first, _ = fetch(engine, items)
    again, state = fetch(engine, items)
    assert (first.written, first.deleted) == (6, 0)
    assert (again.written, again.deleted) == (0, 0)
    assert len(state.users) == 5
    assert state.complete


def test_a_changed_row_is_updated_and_only_it(engine: Engine) -> None:
    fetch(engine, [*map(user, range(5)), enrollment(1, 50.0)])
    items = [*map(user, range(4)), user(4, "new@example.com"), enrollment(1, 80.0)]
    writer, state = fetch(engine, items)
    assert writer.written == 2
    assert {u.email for u in state.users if u.remote_id == "4"} == {"new@example.com"}
    assert state.enrollments[0].progress == Progress(NOW, None, 80.0, "started")


def test_a_row_a_complete_fetch_did_not_see_is_deleted(engine: Engine) -> None:
    fetch(engine, list(map(user, range(5))))
    writer, state = fetch(engine, list(map(user, range(4))))
    assert writer.deleted == 1
    assert sorted(u.remote_id for u in state.users) == ["0", "1", "2", "3"]


def test_a_fetch_that_broke_off_keeps_the_rows_of_parts_it_did_not_read_whole(
    engine: Engine,
) -> None:
    fetch(engine, [*map(user, range(5)), enrollment(1), enrollment(2)])
    items = [*map(user, range(3)), PartRead(RemotePart.USERS), enrollment(1)]
    writer, state = fetch(engine, items, complete=False)
    assert writer.deleted == 2  # users 3 and 4: the users were read whole
    assert sorted(u.remote_id for u in state.users) == ["0", "1", "2"]
    assert len(state.enrollments) == 2  # enrollments were not: user 2's stays
    assert state.parts_read == {RemotePart.USERS}
    assert not state.complete


def test_a_repeated_key_keeps_its_first_row_across_flushes(engine: Engine) -> None:
    filler = [user(n) for n in range(10, 10 + FLUSH_EVERY)]
    items = [user(1, "first@example.com"), *filler, user(1, "second@example.com")]
    _, state = fetch(engine, [user(1, "first@example.com"), user(1, "again@example.com")])
    assert {u.email for u in state.users} == {"first@example.com"}
    _, state = fetch(engine, items)
    assert {u.email for u in state.users if u.remote_id == "1"} == {"first@example.com"}


def test_statements_grow_with_flushes_not_rows(engine: Engine) -> None:
    rows = 3 * FLUSH_EVERY
    fetch(engine, [user(n) for n in range(rows)])
    with statements(engine) as seen:
        writer, state = fetch(engine, [user(n) for n in range(rows)])
    assert writer.written == 0
    assert len(state.users) == rows
    assert len(seen) < 60  # a few per flush and per table, never one per row


def test_each_row_carries_a_digest_of_its_values_but_its_key(engine: Engine) -> None:
    fetch(
        engine,
        [user(1), RemoteUser(RemoteId("2"), "u1", "u1@example.com", "F", "L", True), user(3)],
    )
    with session_factory(engine)() as session:
        stored = session.scalars(
            select(ShadowUserRow.content_hash).order_by(ShadowUserRow.remote_id)
        )
        one, two, three = stored.all()
    assert one == two  # the same values under another key
    assert three != one
    assert one is not None


def test_a_fetch_cut_short_by_a_rollback_leaves_the_next_one_whole(engine: Engine) -> None:
    fetch(engine, list(map(user, range(3))))
    with session_factory(engine)() as session:
        writer = ShadowWriter(session, "lms", NOW)
        writer.add(user(7))
        writer.flush()
        session.rollback()  # a stop or a refusal: the shadow stays as it was
        writer = ShadowWriter(session, "lms", NOW)
        for n in range(2):
            writer.add(user(n))
        writer.finish(NOW, complete=True)
        session.commit()
        state = load_remote_state(session, "lms")
    assert (writer.written, writer.deleted) == (0, 1)
    assert sorted(u.remote_id for u in state.users) == ["0", "1"]
