"""How the apply stage cuts a plan into batches: by kind, by what one request carries
(one group or one course per call, or one person per call where the LMS enrolls a person
in many courses at once), and by the connector's batch size."""

from __future__ import annotations

from dataclasses import dataclass

from syncd.connectors.base import Capabilities, EnrollScope
from syncd.operations import Enroll, Operation, OpKind
from syncd.reconcile.batching import batches
from syncd.records import CourseCode, EmployeeId


@dataclass
class _Stub:
    capabilities: Capabilities


def _plan() -> list[tuple[int, Operation]]:
    """Enrollments as the plan orders them: course by course."""
    pairs = [("C1", "E1"), ("C1", "E2"), ("C2", "E1"), ("C2", "E2"), ("C3", "E1")]
    return [(seq, Enroll(EmployeeId(e), CourseCode(c))) for seq, (c, e) in enumerate(pairs)]


def _seqs(scope: EnrollScope, size: int) -> list[list[int]]:
    caps = Capabilities(batch_sizes={OpKind.ENROLL: size}, enroll_scope=scope)
    return [[seq for seq, _ in batch] for batch in batches(_plan(), _Stub(caps))]  # type: ignore[arg-type]


def test_enrollments_are_cut_per_course_by_default() -> None:
    assert _seqs(EnrollScope.COURSE, 100) == [[0, 1], [2, 3], [4]]


def test_a_per_person_lms_gets_one_batch_per_person_in_plan_order() -> None:
    assert _seqs(EnrollScope.PERSON, 100) == [[0, 2, 4], [1, 3]]


def test_a_person_s_batch_is_cut_to_the_batch_size() -> None:
    assert _seqs(EnrollScope.PERSON, 2) == [[0, 2], [4], [1, 3]]
