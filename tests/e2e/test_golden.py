"""The default config's outputs, byte for byte: what users and their scripts read stays put.

Two cycles over `config/syncd.toml` and its example HR export (the second after a rename,
a move, a leaver and a dropped enrollment): the dry-run plan's JSON, the `run` and
`status` output, and the contract columns of the status tables (CONTRACT.md) are
compared with the files in tests/golden/. Times, durations and dates computed from
today are masked. After a deliberate change of output, regenerate with
`SYNCD_REGOLD=1 .venv/bin/pytest tests/e2e/test_golden.py` and review the diff.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import sqlalchemy as sa

from syncd.cli import main

REPO = Path(__file__).parents[2]
GOLDEN = REPO / "tests" / "golden"

# The columns CONTRACT.md promises (and a few users read beside them), in a stable order.
TABLES = {
    "sync_runs": "target, dry_run, status, counts, message, drift",
    "operations": "run_id, target, seq, kind, object_key, payload, status, attempts, error, "
    "remote_id",
    "async_jobs": "target, job_id, operation, object_key, remote_id, status, error",
    "links": "target, kind, hr_key, remote_id, origin",
    "hr_imports": "status, people_count, quarantined_count, message",
    "quarantine": "source_file, line, reason, row",
    "training_records": "target, employee_id, course_code, status, score, raw_status",
}

_TIME = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
_MASKS = (
    (re.compile(_TIME), "<time>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "<date>"),
    (re.compile(r"\b\d+(\.\d+)? ?(s|ms)\b"), "<duration>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
)


def _masked(text: str) -> str:
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text


class _Home:
    """A copy of the default config and its HR export in a scratch folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copy(REPO / "config" / "syncd.toml", root / "syncd.toml")
        shutil.copytree(REPO / "config" / "example-hr", root / "config" / "example-hr")

    def cli(self, *args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["-c", str(self.root / "syncd.toml"), *args])
        assert code == 0, err.getvalue()
        return out.getvalue()

    def edit_hr(self, name: str, change: dict[str, dict[str, str]], drop: set[str]) -> None:
        """Rows of `name` keyed by their first column: `change` some values, `drop` some rows."""
        path = self.root / "config" / "example-hr" / name
        with path.open(encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
        fields = list(rows[0])
        key = fields[0]
        kept = [{**row, **change.get(row[key], {})} for row in rows if _row_id(row) not in drop]
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.DictWriter(file, fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(kept)

    def tables(self) -> str:
        engine = sa.create_engine(f"sqlite:///{self.root / 'var' / 'syncd.db'}")
        lines = []
        with engine.connect() as connection:
            for table, columns in TABLES.items():
                lines.append(f"## {table}")
                query = sa.text(f"SELECT {columns} FROM {table}")
                rows = [repr(tuple(row)) for row in connection.execute(query)]
                lines.extend(sorted(rows))
        engine.dispose()
        return "\n".join(lines) + "\n"


def _row_id(row: dict[str, str]) -> str:
    return "/".join(value for value in list(row.values())[:2])


def _check(name: str, text: str) -> None:
    path, text = GOLDEN / name, _masked(text)
    if os.environ.get("SYNCD_REGOLD"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from tests/golden/{name}"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> _Home:
    monkeypatch.chdir(tmp_path)  # the default config's relative paths: var/, config/example-hr
    return _Home(tmp_path)


def test_the_default_configs_outputs_are_unchanged(home: _Home) -> None:
    _check("first-plan.json", home.cli("run", "--once", "--dry-run", "--format", "json"))
    _check("first-run.txt", home.cli("run", "--once"))
    home.edit_hr(
        "people.csv",
        {
            "E1002": {"last_name": "Laurent-Dubois"},
            "E1003": {"org_unit": "SUP-EU", "department": "Support"},
            "E1006": {"status": "inactive"},
        },
        drop=set(),
    )
    home.edit_hr("enrollments.csv", {}, drop={"E1005/SALES-301"})
    _check("second-plan.json", home.cli("run", "--once", "--dry-run", "--format", "json"))
    _check("second-run.txt", home.cli("run", "--once"))
    _check("status.txt", home.cli("status"))
    _check("status.json", home.cli("status", "--format", "json"))
    _check("tables.txt", home.tables())
