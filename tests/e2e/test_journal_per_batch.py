"""The journal's cost per batch, on SQLite and PostgreSQL: a first sync's apply sends a fixed
number of SQL statements between two write requests, whatever the batch's size, and the
batch is journaled `sent`, durably, before its request goes out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import Engine, event

from tests.e2e.harness import World

Events = list[tuple[str, str]]  # ("sql", statement) or ("http", "METHOD path")


class Noted(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, events: Events) -> None:
        self.inner, self.events = inner, events

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET" and "oauth" not in request.url.path:
            self.events.append(("http", f"{request.method} {request.url.path}"))
        return self.inner.handle_request(request)


@contextmanager
def noted_sql(events: Events) -> Iterator[None]:
    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        events.append(("sql", " ".join(statement.split())))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", note)


MARK = "attempts=(operations.attempts +"  # a batch marked sent


def between_writes(events: Events) -> list[list[str]]:
    """The statements between one write request and the next."""
    gaps: list[list[str]] = []
    for kind, text in events:
        if kind == "http":
            gaps.append([])
        elif gaps:
            gaps[-1].append(text)
    return gaps[:-1]  # after the last write come the read back and the run's end


def test_a_batch_costs_the_same_few_statements_whatever_its_size(fresh: World) -> None:
    events: Events = []
    fresh.wire = Noted(fresh.sim.transport(), events)
    with noted_sql(events):
        report = fresh.run()
    assert report.targets[0].status == "ok"
    # the requests of one batch (Docebo's branch batch creates, then places) follow each
    # other with at most the lane's lock checked between them: the bookkeeping sits
    # between batches, where the next batch is marked sent
    gaps = between_writes(events)
    within = [gap for gap in gaps if not any(MARK in statement for statement in gap)]
    gaps = [gap for gap in gaps if gap not in within]
    assert len(gaps) >= 5
    assert all(len(gap) <= 1 for gap in within)
    # outcomes, links, the next batch marked sent, and on SQLite the pragma that makes the
    # mark durable (on PostgreSQL: the lane's lock checked): a fixed few, never one per row
    assert {len(gap) for gap in gaps} == {4}
    for gap in gaps:  # the batch is marked sent before its request
        assert any(MARK in statement for statement in gap)
    if fresh.database_url.startswith("sqlite"):  # and that mark is on disk when it goes out
        assert all(gap[-2] == "PRAGMA synchronous=FULL" for gap in gaps)
