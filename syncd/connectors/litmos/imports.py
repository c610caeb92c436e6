"""Litmos user imports: a batch of people's rows, with what they carry, as `POST /bulkimports`.

`Importer.apply` takes the rows people.py made (one per person: Username, Email,
FirstName, LastName, and Active where it changes, for a new account or an existing one;
each with the indexes of the user writes it carries), places the carried memberships and
enrollments in them (the teams by their `TeamCodeForBulkImport` in Team1..5, the courses
by their `CourseCodeForBulkImport` in Course1..3), sends them in as few imports as the
2,000 KB limit allows (measured on the JSON exactly as it is sent), and answers each
operation `Pending` on its import's id, named by its row's username (`Pending.item`). The
polls are `polls.py`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from syncd.connectors.http import OutcomeUnknownError, Params
from syncd.connectors.litmos.client import COURSES, TEAMS, LitmosClient
from syncd.connectors.outcomes import Outcomes, refusal
from syncd.errors import SkippableError
from syncd.operations import AddMember, Enroll, Outcome, Pending, Unconfirmed
from syncd.records import EmployeeId, RemoteId

IMPORTS = "/bulkimports"
MAX_BYTES = 2_000_000  # spec: "2000 KB can be processed in a single import" (1000-byte KB)
ENVELOPE = len('{"UserImport":[]}')
Carried = AddMember | Enroll


def encoded_size(value: object) -> int:
    """Bytes of `value` as the HTTP client sends JSON (compact, UTF-8)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return len(text.encode("utf-8"))


@dataclass(slots=True)
class BulkCodes:
    """Team and course ids -> their bulk-import codes, learned from the lists that carry
    them (`GET /teams`, `GET /teams/{id}/teams`, `GET /courses`) and read again on a miss."""

    teams: dict[RemoteId, str] = field(default_factory=dict)
    courses: dict[RemoteId, str] = field(default_factory=dict)

    def learn_team(self, item: dict[str, Any]) -> None:
        _learn(self.teams, item, "TeamCodeForBulkImport")

    def learn_course(self, item: dict[str, Any]) -> None:
        _learn(self.courses, item, "CourseCodeForBulkImport")


def _learn(codes: dict[RemoteId, str], item: dict[str, Any], key: str) -> None:
    if item.get("Id") and item.get(key):
        codes[RemoteId(str(item["Id"]))] = str(item[key])


@dataclass(slots=True)
class Row:
    """One person's import row and the indexes (in the batch) of the operations it carries."""

    fields: dict[str, object]
    indexes: list[int]
    new: bool = False  # whether it makes an account (else it updates one)
    teams: int = 0
    courses: int = 0


class Importer:
    """The imports of one batch of people."""

    def __init__(
        self,
        client: LitmosClient,
        codes: BulkCodes,
        where: Callable[[Carried], RemoteId],
        query: Params,
    ) -> None:
        self._client, self._codes, self._where, self._query = client, codes, where, query
        self._refreshed: set[str] = set()

    def apply(
        self,
        outcomes: Outcomes,
        rows: Mapping[EmployeeId, Row],
        riders: Sequence[tuple[int, Carried]],
    ) -> list[str]:
        """Fill `outcomes` for every operation the rows carry and for `riders` (each placed
        in its person's row); the ids of the imports sent."""
        for index, op in riders:
            try:
                self._place(rows[op.employee_id], op, index)
            except SkippableError as err:
                outcomes.reject([index], refusal(err))
        return [
            job for chunk in _chunks(list(rows.values())) if (job := self._send(outcomes, chunk))
        ]

    def _place(self, row: Row, op: Carried, index: int) -> None:
        if isinstance(op, AddMember):
            row.teams += 1
            row.fields[f"Team{row.teams}"] = self._code(TEAMS, self._where(op))
        else:
            row.courses += 1
            row.fields[f"Course{row.courses}"] = self._code(COURSES, self._where(op))
        row.indexes.append(index)

    def _code(self, path: str, remote_id: RemoteId) -> str:
        """The bulk-import code of a team or course; on a miss its list is read again once
        (a team created this cycle), then a still unknown id rejects the operation."""
        codes = self._codes.teams if path == TEAMS else self._codes.courses
        if remote_id not in codes and path not in self._refreshed:
            self._refreshed.add(path)
            learn = self._codes.learn_team if path == TEAMS else self._codes.learn_course
            for item in self._client.pages(path):
                learn(item)
        if remote_id not in codes:
            raise SkippableError(f"Litmos lists no bulk-import code for {path[1:-1]} {remote_id}")
        return codes[remote_id]

    def _send(self, outcomes: Outcomes, chunk: list[Row]) -> str | None:
        body = {"UserImport": [row.fields for row in chunk]}
        try:
            answer = self._client.send("POST", IMPORTS, body, params=self._query)
        except SkippableError as err:
            outcomes.reject([i for row in chunk for i in row.indexes], refusal(err))
            return None
        except OutcomeUnknownError as err:
            lost = Unconfirmed(f"{err}; the next read settles it")
            _each(outcomes, chunk, lambda _: lost)
            return None
        job_id = str(answer.get("Id", "")) if isinstance(answer, dict) else ""
        if not job_id:
            _each(outcomes, chunk, lambda _: Unconfirmed("Litmos answered no import id"))
            return None
        _each(outcomes, chunk, lambda row: Pending(job_id, item=item(row.fields)))
        return job_id


def _each(outcomes: Outcomes, chunk: list[Row], outcome: Callable[[Row], Outcome]) -> None:
    """Every operation of the chunk's rows, but those already rejected, gets `outcome`."""
    for row in chunk:
        for index in row.indexes:
            if outcomes.get(index) is None:
                outcomes.set(index, outcome(row))


def item(fields: Mapping[str, object]) -> str:
    """How `usererrors` names a row: its username (compared ignoring case, as Litmos does)."""
    return str(fields["Username"]).casefold()


def imports_for(rows: Sequence[Row]) -> int:
    """How many imports the rows take (as they stand: before their teams and courses)."""
    return len(_chunks(list(rows)))


def _chunks(rows: list[Row]) -> list[list[Row]]:
    """Rows in imports of at most MAX_BYTES each, in order."""
    chunks: list[list[Row]] = []
    size = MAX_BYTES
    for row in rows:
        extra = encoded_size(row.fields) + 1  # and its comma
        if size + extra > MAX_BYTES:
            chunks.append([])
            size = ENVELOPE
        chunks[-1].append(row)
        size += extra
    return chunks
