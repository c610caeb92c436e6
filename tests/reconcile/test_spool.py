"""A spool gives back every operation in the order it took them, past its memory chunk too."""

from __future__ import annotations

from syncd.operations import DeactivateUser, Operation
from syncd.reconcile.spool import Spool
from syncd.records import EmployeeId


def _ops(n: int) -> list[Operation]:
    return [DeactivateUser(EmployeeId(f"E{i}")) for i in range(n)]


def test_a_spool_within_its_chunk_gives_back_what_it_took() -> None:
    spool = Spool(chunk=10)
    for op in _ops(7):
        spool.append(op)

    assert list(spool) == _ops(7)
    assert spool.count == 7


def test_a_spool_past_its_chunk_writes_on_and_reads_back_in_order() -> None:
    spool = Spool(chunk=3)
    for op in _ops(11):
        spool.append(op)

    assert list(spool) == _ops(11)
    assert spool.count == 11
