"""A fifth LMS is one registration: a toy kind, built from Docebo's connector and simulator
under another name, is validated, served, listed in the default config and synced in
process, with no product file changed. `with register(TOY)` is all it takes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from syncd.errors import ConfigError
from syncd.kinds import demo_targets, load_config, register, registered, serve_all
from syncd.reconcile.stages import TargetReport
from syncd.runtime import Runtime
from syncd.sandbox.docebo.demo import DEMO as DOCEBO_DEMO
from tests.kinds.toy import TOY, ToyTarget

REPO = Path(__file__).parents[2]


TOY_ENTRY = {**TOY.demo_entry(), "base_url": "https://toy.sandbox.invalid"}


def _config(folder: Path, target: dict[str, object]) -> Path:
    """A config over the example HR export, the default config's rules and one target."""
    text = (REPO / "config" / "syncd.toml").read_text(encoding="utf-8")
    rules = text[text.index("[[groups]]") : text.index("[[targets]]")]
    entry = "\n".join(f"{key} = {json.dumps(value)}" for key, value in target.items())
    path = folder / "syncd.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{folder / "syncd.db"}"\n'
        f'[hr]\npath = "{REPO / "config" / "example-hr"}"\nexport_path = "{folder / "export"}"\n'
        f"{rules}[[targets]]\n{entry}\n"
        f'sandbox_state = "{folder / "toy.json"}"\n',
        encoding="utf-8",
    )
    return path


def test_the_config_validator_takes_a_registered_kind(tmp_path: Path) -> None:
    path = _config(tmp_path, TOY_ENTRY)
    with register(TOY):
        target = load_config(path, {}).targets[0]
    assert isinstance(target, ToyTarget)
    assert (target.kind, target.client_id) == ("toy", "syncd-sandbox")


def test_an_unknown_kind_s_error_lists_the_registered_ones(tmp_path: Path) -> None:
    path = _config(tmp_path, {**TOY_ENTRY, "kind": "nope"})
    with register(TOY), pytest.raises(ConfigError) as caught:
        load_config(path, {})
    known = "this version knows: docebo, dokeos, coursepath, litmos, toy"
    assert f"targets[0] (toy-sandbox).kind: unknown kind 'nope'; {known}" in str(caught.value)


def test_once_the_block_ends_the_kind_is_unknown_again(tmp_path: Path) -> None:
    with register(TOY):
        assert registered()[-1] is TOY
    assert TOY not in registered()
    with pytest.raises(ConfigError, match="unknown kind 'toy'"):
        load_config(_config(tmp_path, TOY_ENTRY), {})


def test_syncd_sandbox_serves_it_after_the_others() -> None:
    with register(TOY):
        served = serve_all("127.0.0.1", 0)
    try:
        assert [s.kind for s in served] == ["docebo", "dokeos", "litmos", "coursepath", "toy"]
        token = httpx.post(
            f"{served[-1].server.url}/oauth2/token",
            data={"grant_type": "password", "scope": "api", **_credentials()},
        )
        assert token.status_code == 200
    finally:
        for server in served:
            server.shutdown()


def _credentials() -> dict[str, str]:
    keys = ("client_id", "client_secret", "username", "password")
    return {key: DOCEBO_DEMO.target[key] for key in keys}


def test_the_default_config_lists_its_demo_target() -> None:
    with register(TOY):
        targets = demo_targets()
    assert targets[-1] == {
        "name": "toy-sandbox",
        "kind": "toy",
        "sandbox": True,
        **DOCEBO_DEMO.target,
    }


def test_the_runtime_runs_its_in_process_sandbox_until_nothing_is_left_to_do(
    tmp_path: Path,
) -> None:
    path = _config(tmp_path, TOY_ENTRY)
    with register(TOY):
        first, second = _run_once(path), _run_once(path)
    assert (first.status, first.kind, second.status) == ("ok", "toy", "ok")
    assert len(first.operations) > 100
    assert second.operations == ()


def _run_once(path: Path) -> TargetReport:
    runtime = Runtime(load_config(path, {}))
    try:
        runtime.upgrade()
        return runtime.run_once(dry_run=False, force=False).targets[0]
    finally:
        runtime.close()


def _suites_with_the_toy(*paths: str) -> str:
    """Run test suites with the toy registered for the session (tests.kinds.toy_plugin),
    only the toy's cases; their summary line."""
    args = ["-m", "pytest", *paths, "-p", "tests.kinds.toy_plugin", "-k", "toy"]
    done = subprocess.run(
        [sys.executable, *args, "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_the_connector_contract_runs_against_it() -> None:
    summary = _suites_with_the_toy("tests/contract")
    assert re.match(r"\d+ passed", summary)
    assert int(summary.split()[0]) >= 15, summary
    assert "failed" not in summary


@pytest.mark.slow
@pytest.mark.postgres
def test_the_end_to_end_scenarios_run_against_it() -> None:
    summary = _suites_with_the_toy("tests/e2e/test_hr_scenarios.py")
    assert re.match(r"\d+ passed", summary)
    assert int(summary.split()[0]) >= 32, summary  # 16 scenarios on each database
    assert "failed" not in summary
