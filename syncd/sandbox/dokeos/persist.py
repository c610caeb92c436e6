"""The Dokeos state as JSON (to persist a sandbox between runs) and as a snapshot.

`dump_state` writes a JSON-serialisable dict of every record, job (with its
work and times) and id counter; `load_state` restores it exactly, so the
dump of a load equals the original. `snapshot` is the view tests assert on.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from syncd.sandbox.dokeos.jobs import pending
from syncd.sandbox.dokeos.records import (
    WORK_KINDS,
    DokeosSnapshot,
    Group,
    Job,
    JobWork,
    Participation,
    Training,
    User,
)
from syncd.sandbox.dokeos.state import ID_KINDS, DokeosState

FORMAT = 1
_WORK_BY_KIND = {kind.__name__: kind for kind in WORK_KINDS}


def dump_state(state: DokeosState) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "users": [asdict(user) for user in state.users.values()],
        "groups": [_dump_group(group) for group in state.groups.values()],
        "trainings": [asdict(training) for training in state.trainings.values()],
        "participations": [asdict(item) for item in state.participations.values()],
        "jobs": [_dump_job(job) for job in sorted(state.jobs.values(), key=lambda j: j.seq)],
        "counters": dict(state.counters),
    }


def load_state(state: DokeosState, data: dict[str, Any]) -> None:
    """Replace every record of `state` with those of a `dump_state` document."""
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown Dokeos sandbox state format: {data.get('format')!r}")
    state.reset()
    for row in _by_id(data["users"]):
        state.put_user(User(**row))
    for row in _by_id(data["groups"]):
        state.put_group(_load_group(row))
    for row in _by_id(data["trainings"]):
        state.put_training(Training(**row))
    for row in _by_id(data["participations"]):
        state.put_participation(Participation(**row))
    for row in sorted(data["jobs"], key=lambda r: int(r["seq"])):
        state.add_job(_load_job(row))
    counters = {str(kind): int(value) for kind, value in data["counters"].items()}
    state.counters = {**dict.fromkeys(ID_KINDS, 0), **counters}


def snapshot(state: DokeosState) -> DokeosSnapshot:
    users, groups = state.users, state.groups.values()
    return DokeosSnapshot(
        users={
            u.username: (u.email, u.firstname, u.lastname, u.active, u.external_id)
            for u in users.values()
        },
        groups={group.key: group.name for group in groups},
        learners=frozenset(
            (group.key, users[user_id].username)
            for group in groups
            for user_id in group.learner_ids
        ),
        managers=frozenset(
            (group.key, users[user_id].username)
            for group in groups
            for user_id in group.manager_ids
        ),
        participations=frozenset(
            (state.trainings[item.training_id].code, users[item.user_id].username)
            for item in state.participations.values()
        ),
        pending_jobs=pending(state),
    )


def _by_id(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: int(row["id"]))


def _dump_group(group: Group) -> dict[str, Any]:
    row = asdict(group)
    row["learner_ids"], row["manager_ids"] = sorted(group.learner_ids), sorted(group.manager_ids)
    return row


def _load_group(row: dict[str, Any]) -> Group:
    members = {key: frozenset(int(i) for i in row[key]) for key in ("learner_ids", "manager_ids")}
    return Group(int(row["id"]), str(row["name"]), row["code"], str(row["description"]), **members)


def _dump_job(job: Job) -> dict[str, Any]:
    row = asdict(job)
    row["work"] = _dump_work(job.work)
    return row


def _load_job(row: dict[str, Any]) -> Job:
    return Job(**{**row, "work": _load_work(row["work"])})


def _dump_work(work: JobWork) -> dict[str, Any]:
    fields = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(work).items()}
    return {"kind": type(work).__name__, **fields}


def _load_work(row: dict[str, Any]) -> JobWork:
    kind = _WORK_BY_KIND.get(str(row.get("kind")))
    if kind is None:
        raise ValueError(f"unknown Dokeos job kind: {row.get('kind')!r}")
    fields: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in row.items() if k != "kind"
    }
    return kind(**fields)
