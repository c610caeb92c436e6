"""Litmos user imports: a batch of user creates, with what they carry, as `POST /bulkimports`.

`Importer.apply` turns `[CreateUser…, carried AddMember/Enroll…]` into import rows (one
per person: Username, Email, FirstName, LastName, Active, the teams by their
`TeamCodeForBulkImport` in Team1..5 and the courses by their `CourseCodeForBulkImport` in
Course1..3), sends them in as few imports as the 2,000 KB limit allows (measured on the
JSON exactly as it is sent), and answers each operation `Pending` on its import's id,
named by its row's username (`Pending.item`). The polls are `polls.py`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from syncd.connectors.http import OutcomeUnknownError, Params
from syncd.connectors.litmos.client import COURSES, TEAMS, LitmosClient
from syncd.connectors.outcomes import Outcomes, refusal
from syncd.errors import SkippableError
from syncd.operations import AddMember, CreateUser, Enroll, Outcome, Pending, Unconfirmed
from syncd.records import RemoteId

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
class _Row:
    """One person's import row and the indexes of the operations it carries."""

    fields: dict[str, object]
    indexes: list[int]
    teams: int = 0
    courses: int = 0


class Importer:
    """The imports of one batch of user creates."""

    def __init__(
        self,
        client: LitmosClient,
        codes: BulkCodes,
        where: Callable[[Carried], RemoteId],
        query: Params,
    ) -> None:
        self._client, self._codes, self._where, self._query = client, codes, where, query
        self._refreshed: set[str] = set()

    def apply(self, creates: Sequence[CreateUser], riders: Sequence[Carried]) -> list[Outcome]:
        outcomes = Outcomes(len(creates) + len(riders))
        rows = {op.person.employee_id: _row(op, index) for index, op in enumerate(creates)}
        for index, op in enumerate(riders, start=len(creates)):
            try:
                self._place(rows[op.employee_id], op, index)
            except SkippableError as err:
                outcomes.reject([index], refusal(err))
        for chunk in _chunks(list(rows.values())):
            self._send(outcomes, chunk)
        return outcomes.done()

    def _place(self, row: _Row, op: Carried, index: int) -> None:
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

    def _send(self, outcomes: Outcomes, chunk: list[_Row]) -> None:
        body = {"UserImport": [row.fields for row in chunk]}
        try:
            answer = self._client.send("POST", IMPORTS, body, params=self._query)
        except SkippableError as err:
            outcomes.reject([i for row in chunk for i in row.indexes], refusal(err))
            return
        except OutcomeUnknownError as err:
            lost = Unconfirmed(f"{err}; the next read settles it")
            _each(outcomes, chunk, lambda _: lost)
            return
        job_id = str(answer.get("Id", "")) if isinstance(answer, dict) else ""
        if not job_id:
            _each(outcomes, chunk, lambda _: Unconfirmed("Litmos answered no import id"))
            return
        _each(outcomes, chunk, lambda row: Pending(job_id, item=_item(row.fields)))


def _each(outcomes: Outcomes, chunk: list[_Row], outcome: Callable[[_Row], Outcome]) -> None:
    """Every operation of the chunk's rows, but those already rejected, gets `outcome`."""
    for row in chunk:
        for index in row.indexes:
            if outcomes.get(index) is None:
                outcomes.set(index, outcome(row))


def _row(op: CreateUser, index: int) -> _Row:
    person = op.person
    fields: dict[str, object] = {
        "Username": person.username,
        "Email": person.email,
        "FirstName": person.first_name,
        "LastName": person.last_name,
        "Active": person.active,
    }
    return _Row(fields, [index])


def _item(fields: dict[str, object]) -> str:
    """How `usererrors` names a row: its username (compared ignoring case, as Litmos does)."""
    return str(fields["Username"]).casefold()


def _chunks(rows: list[_Row]) -> list[list[_Row]]:
    """Rows in imports of at most MAX_BYTES each, in order."""
    chunks: list[list[_Row]] = []
    size = MAX_BYTES
    for row in rows:
        extra = encoded_size(row.fields) + 1  # and its comma
        if size + extra > MAX_BYTES:
            chunks.append([])
            size = ENVELOPE
        chunks[-1].append(row)
        size += extra
    return chunks
