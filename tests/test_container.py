"""What can be checked of the container without a Docker engine: its steps and entry point."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from syncd.cli import main

REPO = Path(__file__).parents[1]


def _instructions() -> dict[str, list[str]]:
    steps: dict[str, list[str]] = {}
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, rest = line.strip().partition(" ")
            steps.setdefault(word.upper(), []).append(rest.strip())
    return steps


def test_image_runs_syncd_as_a_non_root_user() -> None:
    steps = _instructions()
    assert steps["FROM"][0].startswith("python:3.11-slim")
    assert steps["USER"] == ["syncd"]
    assert steps["ENTRYPOINT"] == ['["syncd"]']
    assert steps["CMD"] == ['["run"]']
    assert any("SYNCD_CONFIG=/etc/syncd/syncd.toml" in env for env in steps["ENV"])


def test_healthcheck_calls_a_real_subcommand() -> None:
    (check,) = _instructions()["HEALTHCHECK"]
    assert '"syncd", "healthcheck"' in check
    with pytest.raises(SystemExit) as exit_info:
        main(["healthcheck", "--help"])
    assert exit_info.value.code == 0


def test_healthcheck_asks_the_daemons_health_endpoint() -> None:
    """With metrics on, `syncd healthcheck` asks the endpoint named here of the daemon's
    metrics server (tests/test_metrics.py runs it against a served one)."""
    (check,) = _instructions()["HEALTHCHECK"]
    assert check.endswith(
        'CMD ["syncd", "healthcheck", "--max-age", "120", "--endpoint", "/healthz"]'
    )


def test_copied_paths_exist() -> None:
    for copy in _instructions()["COPY"]:
        *sources, _ = copy.split()
        for source in sources:
            assert (REPO / source).exists(), source


@pytest.mark.slow
def test_install_step_builds_a_wheel_with_the_migrations(tmp_path: Path) -> None:
    """The image's `pip install /src` step: the wheel carries syncd, its migrations, the script."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("syncd-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "syncd/migrations/env.py" in names
    assert any(n.startswith("syncd/migrations/versions/0001_") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "syncd = syncd.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
