"""Dokeos jobs: creating them, settling them on the clock, and `GET /jobs/:job_id`.

A job is `queued` until the clock moves past its creation, `running` until
`created + job duration`, then settles: `settle_due` (run before every
request and by `run_jobs()`) does its work in due order, `done` or `failed`.
A job older than a week is gone (404 `job_not_found`) and purged.
"""

from __future__ import annotations

from dataclasses import replace

from syncd.sandbox.dokeos.lists import path_id
from syncd.sandbox.dokeos.records import Job, JobWork, Unmodelled
from syncd.sandbox.dokeos.state import DokeosState
from syncd.sandbox.dokeos.wire import error
from syncd.sandbox.dokeos.work import perform
from syncd.sandbox.messages import Request, Response, json_response

JOB_LIFETIME = 7 * 24 * 3600.0


def start(state: DokeosState, work: JobWork) -> Job:
    """Create a job for `work`, due after the job duration set now."""
    now = state.clock()
    seq = state.next_id("job")
    job = Job(
        id=f"job-{seq}",
        seq=seq,
        work=work,
        created_at=now,
        due_at=now + state.job_seconds,
        forced_error=state.take_failure(),
    )
    state.add_job(job)
    return job


def accepted(state: DokeosState, work: JobWork) -> Response:
    """202 `{"job_id"}` for a new job doing `work`."""
    return json_response({"job_id": start(state, work).id}, 202)


def settle_due(state: DokeosState) -> int:
    """Settle every job due by now, in due order; purge expired ones. The count settled."""
    now = state.clock()
    settled = 0
    while (job := state.next_due(now)) is not None:
        state.jobs[job.id] = _settle(state, job)
        settled += 1
    _purge(state, now)
    return settled


def pending(state: DokeosState) -> int:
    return len(state.due)


def get_job(state: DokeosState, request: Request) -> Response:
    """GET /jobs/{job_id}."""
    job_id = request.params["job_id"]
    job = state.jobs.get(job_id)
    now = state.clock()
    if job is None or _expired(job, now):
        raise error(404, "job_not_found", f"Job {job_id} not found (job ids live one week)")
    return json_response(_render(state, job, now))


def unmodelled(state: DokeosState, request: Request) -> Response:
    """The training gate and session syncs: a 202 job that changes nothing modelled."""
    for name in request.params:
        path_id(request, name)
    return accepted(state, Unmodelled(request.path))


def status_of(job: Job, now: float) -> str:
    if job.outcome is not None:
        return job.outcome
    return "queued" if now <= job.created_at else "running"


def _settle(state: DokeosState, job: Job) -> Job:
    failure = job.forced_error or perform(state, job.work, job.due_at)
    outcome = "failed" if failure else "done"
    return replace(job, outcome=outcome, error=failure, finished_at=job.due_at)


def _purge(state: DokeosState, now: float) -> None:
    """Forget settled jobs older than a week (oldest first; an unsettled one waits)."""
    while state.job_order:
        oldest = state.jobs[state.job_order[0]]
        if oldest.outcome is None or not _expired(oldest, now):
            return
        del state.jobs[state.job_order.popleft()]


def _expired(job: Job, now: float) -> bool:
    return now - job.created_at > JOB_LIFETIME


def _render(state: DokeosState, job: Job, now: float) -> dict[str, object]:
    finished = None if job.finished_at is None else state.text_at(job.finished_at)
    return {
        "job_id": job.id,
        "status": status_of(job, now),
        "created_at": state.text_at(job.created_at),
        "finished_at": finished,
        "error": job.error,
    }
