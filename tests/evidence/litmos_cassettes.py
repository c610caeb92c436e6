"""The recorded Litmos interactions of `tests/evidence/litmos/cassettes/`, as values.

`interactions()` reads the 22 VCR cassettes (pyyaml) into 67 frozen `Interaction`s, in
file then recording order; `response_json` parses a recorded answer. Paths are relative
to this file, so the evidence travels with the repository. See litmos/SOURCES.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

CASSETTES = Path(__file__).parent / "litmos" / "cassettes"


@dataclass(frozen=True, slots=True)
class Interaction:
    """One recorded request and its answer; `path` starts with `/v1.svc`, header values
    are the first recorded value, `request_body` is the parsed JSON (None without one)."""

    file: str
    index: int
    method: str
    path: str
    query: dict[str, str]
    request_headers: dict[str, str]
    request_body: Any
    status: int
    response_text: str


def interactions() -> list[Interaction]:
    return list(_all())


def response_json(interaction: Interaction) -> Any:
    """The recorded answer as JSON (None for an empty answer; ValueError for HTML)."""
    text = interaction.response_text
    return json.loads(text) if text else None


def cassette_files() -> list[Path]:
    return sorted(CASSETTES.glob("*.yml"))


@cache
def _all() -> tuple[Interaction, ...]:
    return tuple(item for path in cassette_files() for item in _read(path))


def _read(path: Path) -> list[Interaction]:
    recorded = yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]
    return [_interaction(path.name, index, item) for index, item in enumerate(recorded)]


def _interaction(file: str, index: int, item: dict[str, Any]) -> Interaction:
    request, response = item["request"], item["response"]
    url = urlsplit(request["uri"])
    body = request["body"]
    return Interaction(
        file=file,
        index=index,
        method=request["method"],
        path=url.path,
        query=dict(parse_qsl(url.query, keep_blank_values=True)),
        request_headers={name: _first(value) for name, value in request["headers"].items()},
        request_body=json.loads(body) if body else None,
        status=int(response["status"]["code"]),
        response_text=response["body"]["string"],
    )


def _first(value: Any) -> str:
    return str(value[0] if isinstance(value, list) else value)
