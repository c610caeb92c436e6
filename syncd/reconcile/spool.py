"""A spool: the operations of one plan phase, kept in order until the phases before it are out.

The streaming diff (`stream.py`) makes a phase's operations long before it gives them
out (an adoption found among memberships goes first of all). A spool keeps a bounded
buffer in memory and writes the rest on, in pickled chunks, to an anonymous temporary
file that the operating system removes when it is closed: memory stays at one chunk
whatever the number of changes.
"""

from __future__ import annotations

import dataclasses
import pickle
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from syncd.operations import Operation

CHUNK = 10_000


class Spool:
    """Append operations, then iterate them once, in the order they came."""

    def __init__(self, chunk: int = CHUNK) -> None:
        self._chunk, self._buffer = chunk, list[Operation]()
        self._file: IO[bytes] | None = None
        self.count = 0

    def append(self, op: Operation) -> None:
        self._buffer.append(op)
        self.count += 1
        if len(self._buffer) >= self._chunk:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed when read out
        _Pickler(self._file, protocol=pickle.HIGHEST_PROTOCOL).dump(self._buffer)
        self._buffer = []

    def __iter__(self) -> Iterator[Operation]:
        if self._file is not None:
            yield from self._read_back(self._file)
        yield from self._buffer
        self._buffer = []

    def _read_back(self, file: IO[bytes]) -> Iterator[Operation]:
        end, _ = file.tell(), file.seek(0)
        while file.tell() < end:
            chunk: list[Operation] = pickle.load(file)  # noqa: S301 - our own file
            yield from chunk
        file.close()
        self._file = None


class _Pickler(pickle.Pickler):
    """Records and operations as their class and field values, made again by calling the
    class: pickle's own way for slotted dataclasses (`__getstate__` over `fields()`) costs
    several times as much."""

    def reducer_override(self, obj: object) -> Any:  # a reduce tuple, or NotImplemented
        cls = type(obj)
        names = _FIELDS.get(cls)
        if names is None:
            if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
                return NotImplemented
            names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(obj) if f.init)
        return cls, tuple(getattr(obj, name) for name in names)


_FIELDS: dict[type, tuple[str, ...]] = {}
