"""Set-based shadow writes: one fetch's rows staged in a temporary table, merged by content hash.

`ShadowWriter` (shadow.py) hands each flush's rows to `Stage.load`, which stages them
(SQLite: one executemany; PostgreSQL: COPY, then one INSERT … SELECT) and merges them into
the shadow in one statement per table: a new key is inserted, a row whose `content_hash`
differs is updated, an unchanged row is not written. The stage keeps every key the fetch
read (the first of a key wins, as an LMS may list a record twice when its pages shift),
so `Stage.sweep` deletes, in one statement, the target's rows the fetch did not see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Column,
    CursorResult,
    Delete,
    Dialect,
    Index,
    Insert,
    Integer,
    MetaData,
    Table,
    bindparam,
    delete,
    exists,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from syncd.store.bulk import bind_processor
from syncd.store.schema import Base, table_of

Row = tuple[Any, ...]  # a shadow row's values in `Staged.columns` order, without the target
BATCH = "batch"


def digest(values: tuple[Any, ...]) -> int:
    """A stable 64-bit digest of a row's values other than its key, as the driver gets
    them (the same in every process, unlike `hash`): what `content_hash` holds."""
    raw = hashlib.blake2b(repr(values).encode(), digest_size=8).digest()
    return int.from_bytes(raw, "big", signed=True)


@dataclass(frozen=True, slots=True)
class Staged:
    """One shadow table, its stage, and the statements that merge and sweep it."""

    shadow: Table
    stage: Table
    columns: tuple[str, ...]  # the shadow's columns but the target and the hash
    key: tuple[str, ...]  # the primary key but the target
    merge: Insert
    sweep: Delete
    encode: Callable[[Row], list[Any]]
    content: Callable[[Sequence[Any]], tuple[Any, ...]]  # the values but the key's

    def staged(self, row: Row, batch: int) -> Row:
        """The stage's row: the driver's values, the content hash, the batch."""
        values = self.encode(row)
        return (*values, digest(self.content(values)), batch)

    def first_of_each_key(self, rows: Sequence[Row]) -> list[Row]:
        at = [self.columns.index(name) for name in self.key]
        first: dict[Row, Row] = {}
        for row in rows:
            first.setdefault(tuple(row[i] for i in at), row)
        return list(first.values())


class Stage:
    """The temporary tables of one fetch of one target, on the session's connection."""

    def __init__(self, session: Session, target: str, models: Sequence[type[Base]]) -> None:
        self._session, self._target = session, target
        self._dialect = session.get_bind().dialect
        self._staged = {model: _staged(table_of(model), target, self._dialect) for model in models}
        self._batch = 0
        connection = session.connection()
        for staged in self._staged.values():
            for name in self._tables(staged):
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
            staged.stage.create(connection)
            if self._dialect.name == "postgresql":
                like = f"(LIKE {staged.stage.name})"
                connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {_incoming(staged)} {like}")

    def _tables(self, staged: Staged) -> tuple[str, ...]:
        """The temporary tables of `staged`, named in the temporary schema (never another)."""
        if self._dialect.name == "postgresql":
            return (f"pg_temp.{staged.stage.name}", f"pg_temp.{_incoming(staged)}")
        return (f"temp.{staged.stage.name}",)

    def load(self, model: type[Base], rows: Sequence[Row]) -> int:
        """Stage `rows` (keys already staged are ignored) and merge them into the shadow;
        the number of shadow rows written (inserted or changed)."""
        staged, self._batch = self._staged[model], self._batch + 1
        values = [staged.staged(row, self._batch) for row in rows]
        if self._dialect.name == "postgresql":
            _copy_into(self._session, staged, staged.first_of_each_key(values))
        else:
            _insert_into(self._session, staged, values)
        merged = self._session.execute(staged.merge, {BATCH: self._batch})
        return _count(merged)

    def sweep(self, model: type[Base]) -> int:
        """Delete the target's rows of `model` the fetch did not read; how many."""
        return _count(self._session.execute(self._staged[model].sweep))

    def drop(self) -> None:
        connection = self._session.connection()
        for staged in self._staged.values():
            for name in self._tables(staged):
                connection.exec_driver_sql(f"DROP TABLE {name}")


def _staged(shadow: Table, target: str, dialect: Dialect) -> Staged:
    columns = tuple(c.name for c in shadow.columns if c.name not in ("target", "content_hash"))
    key = tuple(c.name for c in shadow.primary_key.columns if c.name != "target")
    stage = Table(
        f"stage_{shadow.name}",
        MetaData(),
        *(Column(name, shadow.c[name].type, primary_key=name in key) for name in columns),
        Column("content_hash", BigInteger),
        Column(BATCH, Integer, nullable=False),
        Index(f"ix_stage_{shadow.name}_batch", BATCH),
        prefixes=["TEMPORARY"],
    )
    merge = _merge(shadow, stage, key, target, dialect)
    sweep = delete(shadow).where(
        shadow.c.target == target,
        ~exists().where(*(stage.c[name] == shadow.c[name] for name in key)),
    )
    encode = _encoder([shadow.c[name] for name in columns], dialect)
    content_at = [at for at, name in enumerate(columns) if name not in key]
    return Staged(shadow, stage, columns, key, merge, sweep, encode, _picker(content_at))


def _picker(positions: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    def pick(values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(values[at] for at in positions)

    if len(positions) > 1:
        return itemgetter(*positions)  # a tuple, for two or more
    return pick


def _merge(
    shadow: Table, stage: Table, key: tuple[str, ...], target: str, dialect: Dialect
) -> Insert:
    """Insert the batch's new keys, update its changed rows, leave its unchanged ones."""
    names = ("target", *(c.name for c in stage.columns if c.name != BATCH))
    source = select(literal(target, shadow.c.target.type), *(stage.c[n] for n in names[1:])).where(
        stage.c[BATCH] == bindparam(BATCH)
    )
    dialect_insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(shadow).from_select(names, source)
    changed = [n for n in names[1:] if n not in key]
    upsert = statement.on_conflict_do_update(
        index_elements=["target", *key],
        set_={n: statement.excluded[n] for n in changed},
        where=shadow.c.content_hash.is_distinct_from(statement.excluded.content_hash),
    )
    return upsert.execution_options(preserve_rowcount=True)  # an INSERT's count is not kept


def _encoder(columns: Sequence[Column[Any]], dialect: Dialect) -> Callable[[Row], list[Any]]:
    """The driver's values of a row: each column's bind processing (UTC times, SQLite's
    date text) done once per value, as SQLAlchemy would, without its per-row overhead."""
    processors = [bind_processor(column.type, dialect) for column in columns]
    active = [(at, p) for at, p in enumerate(processors) if p is not None]

    def encode(row: Row) -> list[Any]:
        values = list(row)
        for at, process in active:
            if values[at] is not None:
                values[at] = process(values[at])
        return values

    return encode


# The SQL below is put together from the names of syncd's own tables and columns only.


def _insert_into(session: Session, staged: Staged, values: list[Row]) -> None:
    """SQLite: one executemany; OR IGNORE keeps the first row of a key."""
    names = [c.name for c in staged.stage.columns]
    marks = ", ".join("?" * len(names))
    into = f"{staged.stage.name} ({', '.join(names)})"
    session.connection().exec_driver_sql(f"INSERT OR IGNORE INTO {into} VALUES ({marks})", values)  # noqa: S608


def _copy_into(session: Session, staged: Staged, values: list[Row]) -> None:
    """PostgreSQL: COPY into the stage, past keys it already holds (the first one wins):
    the batch's own repeats dropped here, earlier batches' keys skipped by the database."""
    names = ", ".join(c.name for c in staged.stage.columns)
    stage, incoming = staged.stage.name, _incoming(staged)
    connection = session.connection()
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {incoming} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in values:
            copy.write_row(row)
    keep = f"INSERT INTO {stage} SELECT * FROM {incoming} ON CONFLICT DO NOTHING"  # noqa: S608
    connection.exec_driver_sql(keep)
    connection.exec_driver_sql(f"DELETE FROM {incoming}")  # noqa: S608


def _incoming(staged: Staged) -> str:
    """PostgreSQL's COPY cannot skip a key the stage holds: it loads this bare copy first."""
    return f"incoming_{staged.shadow.name}"


def _count(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)
