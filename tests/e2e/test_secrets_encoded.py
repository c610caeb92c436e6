"""A Dokeos that echoes the API token back encoded (URL-encoded, JSON-escaped, base64 alone
or inside a Basic `user:token` value) in its error bodies and job errors: no form of the
token reaches stdout, the logs, sync_runs.message, operations.error or async_jobs.error."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from sqlalchemy import text

from syncd.store import Database
from tests.e2e.dokeos_world import DokeosWorld

TOKEN = 'dk"Tok/en+7731&key=v~?'
TABLES = ("sync_runs", "operations", "async_jobs")


def _b64(value: str, *, urlsafe: bool = False) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return encode(value.encode()).decode()


FORMS = {
    "quote": quote(TOKEN),
    "quote-all": quote(TOKEN, safe=""),
    "quote_plus": quote_plus(TOKEN),
    "json": json.dumps(TOKEN)[1:-1],
    "json-php": json.dumps(TOKEN)[1:-1].replace("/", "\\/"),
    "base64": _b64(TOKEN),
    "base64-urlsafe-unpadded": _b64(TOKEN, urlsafe=True).rstrip("="),
    "basic": _b64(f"syncd:{TOKEN}"),
    "basic-urlsafe": _b64(f"api-user:{TOKEN}", urlsafe=True),
}


class EncodedTokenWorld(DokeosWorld):
    """The Dokeos world with a token that no encoding leaves unchanged."""

    token = TOKEN


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[EncodedTokenWorld]:
    world = EncodedTokenWorld(tmp_path, database_url)
    assert TOKEN in world.config_path.read_text(encoding="utf-8").replace('\\"', '"')
    assert world.run().targets[0].status == "ok"
    server = world.serve()
    yield world
    server.shutdown()


def _database_text(url: str) -> str:
    db = Database(url)
    with db.session() as session:
        rows = [session.execute(text(f"SELECT * FROM {t}")).all() for t in TABLES]
    db.dispose()
    return repr(rows)


def test_a_token_echoed_encoded_reaches_no_output_log_or_status_row(
    world: EncodedTokenWorld,
) -> None:
    world.sim.fail_next_jobs(1, f"job refused token {FORMS['quote-all']} ({FORMS['basic']})")
    echo = f'token "{FORMS["json-php"]}" {FORMS["json"]} {FORMS["base64-urlsafe-unpadded"]}'
    world.sim.fail_next(1, 422, path_prefix="/users/", body={"message": echo})
    world.hr.enrollments.append({"employee_id": "E1026", "course_code": "LEAD-401", "due_date": ""})
    world.hr.person("E1012")["last_name"] = "Dubois-Martin"
    world.hr.write()
    writes = world.cli("run", "--once", "--format", "json")
    fatal = f"{FORMS['quote']} {FORMS['quote_plus']} {FORMS['base64']} {FORMS['basic-urlsafe']}"
    world.sim.fail_next(1, 403, path_prefix="/trainings", body={"message": fatal})
    read = world.cli("run", "--once")
    captured = [writes, read, world.cli("status", "--format", "json"), world.cli("status")]
    everything = "\n".join(out + err for _, out, err in captured)
    everything += _database_text(world.database_url)
    assert "job refused token ***" in everything  # the echoes were recorded, masked
    assert 'token "***" *** ***' in everything
    assert "*** *** *** ***" in everything
    assert "http_request" in everything  # the logs were captured
    leaked = [name for name, form in FORMS.items() if form in everything]
    assert leaked == []
    assert TOKEN not in everything
