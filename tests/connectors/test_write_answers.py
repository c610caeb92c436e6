"""How every connector reads a 2xx answer to a write (`outcomes.answer_outcome`): done,
refused with the LMS's words, or unconfirmed for the next read to settle."""

from __future__ import annotations

import pytest

from syncd.connectors.outcomes import UNREAD, WriteAnswer, answer_outcome
from syncd.operations import Applied, Outcome, Rejected, Unconfirmed

MISSING, AUTOMATIC = "User 7 does not exist", "the group is automatic"
GONE = "Course not found: 404"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (WriteAnswer(done=frozenset({"7", "8"})), Applied()),
        (WriteAnswer(success=True), Applied()),  # `{"success": true}`: the write is done
        (WriteAnswer(done=frozenset({"8"}), errors=(MISSING,)), Rejected(MISSING)),
        (WriteAnswer(success=False, errors=(AUTOMATIC,)), Rejected(AUTOMATIC)),
        (WriteAnswer(success=False), Rejected("the LMS said the write failed")),
        (WriteAnswer(), Unconfirmed(UNREAD)),  # a shape syncd does not read
        (WriteAnswer(done=frozenset({"8"})), Unconfirmed(UNREAD)),  # left out without a word
        (WriteAnswer(errors=("user 17 is locked",)), Unconfirmed(UNREAD)),  # 17 is not 7
        (WriteAnswer(done=frozenset(), errors=(GONE,)), Rejected(GONE)),  # the course is gone
    ],
    ids=[
        "listed",
        "success",
        "named",
        "failed",
        "failed-silent",
        "unread",
        "left-out",
        "other",
        "left-out-with-errors",
    ],
)  # fmt: skip
def test_a_2xx_answer_is_done_refused_or_unconfirmed(
    answer: WriteAnswer, expected: Outcome
) -> None:
    assert answer_outcome(answer, "7") == expected
