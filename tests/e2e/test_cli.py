"""The command line as users meet it: quarantine in status, config errors, the README's demo."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import httpx
import pytest

from syncd.cli import main
from tests.e2e.conftest import Spawn
from tests.e2e.harness import World
from tests.lms_fixtures import DOCEBO_PASSWORD_GRANT

REPO = Path(__file__).parents[2]


def test_bad_hr_rows_are_quarantined_listed_and_the_rest_synced(served: World) -> None:
    good = {**served.hr.person("E1002"), "employee_id": "E2003", "email": "good.hire@example.com"}
    bad = [
        {**good, "employee_id": "", "email": "no.id@example.com"},
        {**good, "employee_id": "E1001", "email": "dup.id@example.com"},
        {**good, "employee_id": "E2004", "email": "LUKAS.BECKER@example.com"},
        {**good, "employee_id": "E2005", "email": "unit@example.com", "org_unit": "NOPE"},
        {**good, "employee_id": "E2006", "email": "not-an-email"},
    ]
    served.hr.people += [good, *bad]
    served.hr.enrollments.append(
        {"employee_id": "E1001", "course_code": "SEC-101", "due_date": "31/12/2026"}
    )
    served.hr.write()
    code, out, _ = served.cli("run", "--once")
    assert code == 0
    assert "6 quarantined" in out
    assert "+ create_user      E2003" in out
    code, status, _ = served.cli("status")
    assert code == 0
    for line in (39, 40, 41, 42, 43):
        assert f"people.csv:{line}:" in status
    assert "enrollments.csv:8:" in status
    assert "E2003" not in status
    doc = json.loads(served.cli("status", "--format", "json")[1])
    assert len(doc["hr"]["quarantine"]) == 6
    assert "good.hire@example.com" in served.sim.snapshot().users


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda t: t.replace("[safety]", "[safety]\nmax_deactivat = 3"), "safety.max_deactivat"),
        (lambda t: t.replace('password = "', 'passwrd = "'), "password"),
        (lambda t: t.replace('base_url = "https://', 'base_url = "http://'), "base_url"),
        (
            lambda t: t.replace('client_id = "syncd-sandbox"', 'client_id = "${NO_SUCH_VAR}"'),
            "NO_SUCH_VAR",
        ),
    ],
)
def test_config_errors_exit_2_naming_the_key(fresh: World, edit: object, named: str) -> None:
    text = fresh.config_path.read_text(encoding="utf-8")
    fresh.config_path.write_text(edit(text), encoding="utf-8")  # type: ignore[operator]
    code, out, err = fresh.cli("run", "--once")
    assert code == 2
    assert named in err
    assert str(fresh.config_path) in err
    assert out == ""


def test_unknown_target_is_a_usage_error(fresh: World) -> None:
    code, _, err = fresh.cli("run", "--once", "--target", "nope")
    assert code == 2
    assert "nope" in err


def test_readme_demo_runs_one_cycle_then_finds_nothing_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SYNCD_CONFIG", raising=False)
    first, second = _syncd("run", "--once"), _syncd("run", "--once")
    assert first[0] == 0
    assert "docebo-sandbox (docebo): ok, 184 operations planned" in first[1]
    assert "result: 184 done" in first[1]
    assert "dokeos-sandbox (dokeos): ok, 197 operations planned" in first[1]
    assert "result: 197 done" in first[1]
    assert "litmos-sandbox (litmos): ok, 184 operations planned" in first[1]
    assert "coursepath-sandbox (coursepath): ok, 184 operations planned" in first[1]
    assert second[0] == 0
    for target in ("docebo", "dokeos", "litmos", "coursepath"):
        assert f"{target}-sandbox ({target}): ok, 0 operations planned" in second[1]
    status = _syncd("status")[1]  # one config, four LMSs, all shown
    for target in ("docebo", "dokeos", "litmos", "coursepath"):
        assert f"{target}-sandbox ({target})\n  training records: enrolled 50 (" in status
    assert (tmp_path / "var" / "sandbox" / "docebo-sandbox.json").exists()
    with (tmp_path / "var" / "export" / "completions.csv").open(encoding="utf-8") as f:
        assert sum(1 for _ in f) == 1 + 4 * 50  # the header, 50 enrollments in each LMS


def _syncd(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue()


@pytest.mark.slow
def test_sandbox_command_serves_docebo_on_loopback(spawn: Spawn) -> None:
    proc = spawn([sys.executable, "-m", "syncd", "sandbox", "--port", "0"], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split()[1]
        assert line.startswith("docebo: http://127.0.0.1:")
        token = httpx.post(
            f"{url}/oauth2/token",
            data=DOCEBO_PASSWORD_GRANT,
        )
        assert token.status_code == 200
        courses = httpx.get(
            f"{url}/learn/v1/courses",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert courses.json()["data"]["total_count"] == 6
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_help_and_usage_errors_load_none_of_the_engine() -> None:
    """`syncd --help` starts at once: the parser alone imports no runtime, store, connector,
    sandbox or HTTP library (a command imports its handler when it runs)."""
    probe = (
        "import sys\n"
        "from syncd.cli import main\n"
        "for argv in (['--help'], ['run', '--help'], ['nope']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('syncd.runtime', 'syncd.store', 'syncd.kinds', 'syncd.sandbox', 'httpx',"
        " 'sqlalchemy', 'structlog')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "usage: syncd" in done.stdout + done.stderr


def test_status_loads_no_connector_simulator_or_engine(tmp_path: Path) -> None:
    """`syncd status` reads the status database only: it loads no simulator (nor the
    OpenAPI validator Litmos's needs), reconcile engine, runtime or scheduler."""
    config = tmp_path / "syncd.toml"
    config.write_text(
        (REPO / "config" / "syncd.toml")
        .read_text()
        .replace('url = "sqlite:///var/syncd.db"', f'url = "sqlite:///{tmp_path}/s.db"')
    )
    probe = (
        "import sys\n"
        "from syncd.cli import main\n"
        f"assert main(['-c', {str(config)!r}, 'status']) == 0\n"
        "heavy = ('syncd.runtime', 'syncd.reconcile', 'syncd.sandbox', 'syncd.scheduler',"
        " 'openapi_core', 'apscheduler')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "no runs yet" in done.stdout or "target" in done.stdout
