"""No client secret, password or token appears in any log line, error, plan or status row."""

from __future__ import annotations

from sqlalchemy import text

from syncd.store import Database
from tests.e2e.harness import PASSWORD, SECRET, World

TABLES = ("sync_runs", "operations", "quarantine", "links", "hr_imports", "fetch_state")


def _secrets(world: World) -> set[str]:
    state = world.sim.dump_state()
    return {SECRET, PASSWORD, *state["tokens"], *state["refresh_tokens"]}


def _database_text(url: str) -> str:
    db = Database(url)
    with db.session() as session:
        rows = [session.execute(text(f"SELECT * FROM {t}")).all() for t in TABLES]
    db.dispose()
    return repr(rows)


def test_secrets_stay_out_of_logs_errors_plans_and_status(served: World) -> None:
    served.hr.enrollments.append(
        {"employee_id": "E1001", "course_code": "NOPE-1", "due_date": ""}
    )  # an enrollment the LMS must refuse
    served.hr.person("E1012")["last_name"] = "Dubois-Martin"
    served.hr.write()
    served.sim.fail_next(2, 503)  # retries, logged
    served.sim.state.tokens.clear()  # every token revoked: a 401 and a fresh login
    captured = [
        served.cli("run", "--once", "--format", "json"),
        served.cli("run", "--once", "--dry-run"),
        served.cli("status", "--format", "json"),
        served.cli("status"),
        served.cli("check"),
    ]
    run_code, run_out, run_err = captured[0]
    assert run_code == 1  # one operation failed: the unknown course
    assert "unknown course code 'NOPE-1'" in run_out
    assert "http_request" in run_err  # the logs were captured
    everything = "\n".join(out + err for _, out, err in captured)
    everything += _database_text(served.database_url)
    leaked = [s for s in _secrets(served) if s in everything]
    assert leaked == []
    assert len(_secrets(served)) >= 4  # tokens were issued, so the check had something to find


def test_bad_credentials_error_names_no_secret(served: World) -> None:
    wrong = "wrong-client-secret-123"
    config = served.config_path.read_text(encoding="utf-8")
    served.config_path.write_text(config.replace(SECRET, wrong), encoding="utf-8")
    code, out, err = served.cli("run", "--once")
    assert code == 1
    assert "docebo-main (docebo): failed" in out
    assert wrong not in out + err
    assert PASSWORD not in out + err
