"""Litmos user imports, looked at: `ImportPolls.poll` is one look at an import.

An import `Completed` is DONE with its failed rows (`GET /bulkimports/{id}/usererrors`,
read only when it counts failures) named with Litmos's words, and the ids of the accounts
by username, from a walk of `GET /users`, so the new accounts are linked now rather than
adopted by the next plan (an import this connector sent with no new account, only updates,
is not walked for; one sent by an earlier process always is). One walk serves every import
Litmos had completed before it began: before walking for one import, the poll looks at the
other imports this connector sent and has not yet seen settle (the look each would take at
its own poll anyway), and keeps the answers of the completed ones for their polls, which
then send nothing. A status saying the import failed is FAILED; any other is PENDING (the
job's lifetime bounds it); an id Litmos no longer knows (400) is GONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from syncd.connectors.base import JobState, JobStatus
from syncd.connectors.http import RequestRefusedError
from syncd.connectors.litmos.client import USERS, LitmosClient
from syncd.connectors.litmos.imports import IMPORTS
from syncd.errors import RetriableError, SkippableError
from syncd.records import RemoteId

NOT_FOUND = 400  # spec: GET /bulkimports/{id} 400 "Bulk Import Id was not found."


class ImportPolls:
    """The polls of one connector: the imports it sent are remembered, so that one walk of
    the accounts serves all of them that completed before it."""

    def __init__(self, client: LitmosClient) -> None:
        self._client = client
        self._open: list[str] = []  # imports sent and not yet seen settle, oldest first
        self._ahead: dict[str, dict[str, Any]] = {}  # completed answers read ahead of their poll
        self._walk: dict[str, RemoteId] = {}
        self._covered: set[str] = set()  # the completed imports `_walk` holds the accounts of
        self._no_accounts: set[str] = set()  # imports sent here that make no account

    def sent(self, job_ids: Iterable[str], *, creating: bool = True) -> None:
        """Imports just sent: their polls may share a walk. An import `creating` no account
        (only updates) needs no walk: its poll learns no id."""
        jobs = list(dict.fromkeys(job_ids))
        self._open += [job for job in jobs if job not in self._open]
        if not creating:
            self._no_accounts.update(jobs)

    def poll(self, job_id: str) -> JobState:
        answer = self._ahead.pop(job_id, None)
        if answer is None:
            try:
                answer = _status(self._client, job_id)
            except RequestRefusedError as err:
                if err.status != NOT_FOUND:
                    raise
                self._settled(job_id)
                return JobState(JobStatus.GONE, f"{err.detail} (HTTP {err.status})")
        state = self._state(job_id, answer)
        if state.status is not JobStatus.PENDING:
            self._settled(job_id)
        return state

    def _state(self, job_id: str, answer: dict[str, Any]) -> JobState:
        status = str(answer.get("Status", ""))
        if status.casefold() == "completed":
            failed = answer.get("Failed")
            errors = row_errors(self._client, job_id) if failed != 0 else {}
            made = {} if job_id in self._no_accounts else self._accounts(job_id)
            return JobState(JobStatus.DONE, failed_items=errors, remote_ids=made)
        if "fail" in status.casefold():
            return JobState(JobStatus.FAILED, f"the Litmos import {job_id} says {status}")
        return JobState(JobStatus.PENDING)

    def _accounts(self, job_id: str) -> dict[str, RemoteId]:
        """The accounts by username, walked again unless the last walk began after this
        import had completed."""
        if job_id not in self._covered:
            self._covered = {job_id, *self._read_ahead(job_id)}
            self._walk = accounts(self._client)
        return self._walk

    def _read_ahead(self, job_id: str) -> list[str]:
        """The other open imports that have completed, their answers kept for their polls
        (one that cannot be read now is left to its own poll)."""
        done: list[str] = []
        for other in self._open:
            if other == job_id or other in self._ahead:
                continue
            try:
                answer = _status(self._client, other)
            except (RetriableError, SkippableError):  # its own poll will say
                continue
            if str(answer.get("Status", "")).casefold() == "completed":
                self._ahead[other] = answer
                done.append(other)
        return done

    def _settled(self, job_id: str) -> None:
        if job_id in self._open:
            self._open.remove(job_id)


def _status(client: LitmosClient, job_id: str) -> dict[str, Any]:
    answer = client.get(f"{IMPORTS}/{job_id}")
    return answer if isinstance(answer, dict) else {}


def accounts(client: LitmosClient) -> dict[str, RemoteId]:
    """Every account's id by its username (ignoring case), from one walk of `GET /users`."""
    return {
        str(item.get("UserName", "")).casefold(): RemoteId(str(item["Id"]))
        for item in client.pages(USERS)
        if item.get("Id")
    }


def row_errors(client: LitmosClient, job_id: str) -> dict[str, str]:
    """`GET /bulkimports/{id}/usererrors`, paged: username -> Litmos's words for the row
    (the spec spells the key `ImporStatus`, its example `ImportStatus`: either is read)."""
    errors: dict[str, str] = {}
    for item in client.pages(f"{IMPORTS}/{job_id}/usererrors"):
        words = item.get("ImportStatus") or item.get("ImporStatus") or "Failed"
        errors[str(item.get("Username", "")).casefold()] = str(words)
    return errors
