"""Executemany without SQLAlchemy's per-row work, for the store's bulk writes.

`executemany(session, statement, rows)` compiles `statement` once per dialect and set of
columns, binds each row's values with the columns' own processors (UTC times, JSON,
SQLite's booleans and date text), and hands every row to the driver in one call: what
`session.execute(statement, rows)` does, less the per-row bookkeeping that made the
journal, the links and the training records cost more CPU than the SQL itself.
Column defaults are not applied: rows carry every column the statement writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Prepared:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order a positional driver wants them
    positional: bool
    active: tuple[tuple[int, Callable[[Any], Any]], ...]  # the parameters to process, and how

    def bound(self, row: Mapping[str, Any]) -> Any:
        """The driver's parameters for one row."""
        values = [row[name] for name in self.names]
        for at, process in self.active:
            if values[at] is not None:
                values[at] = process(values[at])
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))


_PREPARED: dict[tuple[int, str, tuple[str, ...]], tuple[Executable, _Prepared]] = {}
_KEPT = 256  # statements made per call (not module constants) must not pile up here


def executemany(session: Session, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run `statement` once for each of `rows` (every row with the same keys), in one call."""
    if not rows:
        return
    connection = session.connection()
    prepared = _prepare(statement, connection.dialect, tuple(rows[0]))
    params = [prepared.bound(row) for row in rows]
    connection.exec_driver_sql(prepared.sql, params)


def _prepare(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Prepared:
    """Compiled once per statement, dialect and keys (statements are module constants; the
    statement is kept with its entry, so its id is never another's)."""
    cache_key = (id(statement), dialect.name, keys)
    if (hit := _PREPARED.get(cache_key)) is not None:
        return hit[1]
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))  # type: ignore[attr-defined]
    positional = bool(compiled.positional)
    names = tuple(compiled.positiontup) if positional else tuple(compiled.binds)
    processors = tuple(bind_processor(compiled.binds[name].type, dialect) for name in names)
    if missing := set(names) - set(keys):
        raise ValueError(f"rows lack the statement's parameters {sorted(missing)}")
    active = tuple((at, p) for at, p in enumerate(processors) if p is not None)
    prepared = _Prepared(compiled.string, names, positional, active)
    if len(_PREPARED) >= _KEPT:
        _PREPARED.clear()
    _PREPARED[cache_key] = (statement, prepared)
    return prepared


def bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor:
    """What the dialect's own variant of `type_` does to a value before the driver gets it."""
    return type_.dialect_impl(dialect).bind_processor(dialect)
