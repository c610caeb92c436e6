"""The Litmos simulator's shapes against the OpenAPI spec and the captured responses.

pyyaml is not installed, so `_schema` reads a component schema's property
types from the spec by indentation, and `_captures` reads the VCR cassettes'
response bodies (YAML single-quoted flow scalars) with a small line parser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from syncd.sandbox import LitmosSimulator

REFERENCE = Path("/work/shared/reference")
SPEC = REFERENCE / "litmos-openapi.yml"
FIXTURES = REFERENCE / "litmos-fixtures"
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}
# The capture (create-new-user.yml) answers OriginalId as a number; the spec says string.
CAPTURE_WINS = {"OriginalId"}

pytestmark = pytest.mark.skipif(not SPEC.exists(), reason="shared reference not available")


def _schema(name: str) -> dict[str, str]:
    """`{property: type}` of `components.schemas.<name>` in the spec."""
    lines = SPEC.read_text().splitlines()
    start = lines.index(f"    {name}:")
    types: dict[str, str] = {}
    current = ""
    for line in lines[start + 1 :]:
        if re.match(r"^ {0,4}\S", line):
            break
        if prop := re.match(r"^ {8}(\w+):\s*$", line):
            current = prop.group(1)
        elif (kind := re.match(r"^ {10}type:\s*(\w+)", line)) and current:
            types.setdefault(current, kind.group(1))
    return types


def _captures(name: str) -> list[tuple[str, str, object]]:
    """`(method, uri, JSON body)` of each captured response with a non-empty body."""
    found: list[tuple[str, str, object]] = []
    method = uri = ""
    lines = iter((FIXTURES / f"{name}.yml").read_text().splitlines())
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("method:"):
            method = stripped.split(":", 1)[1].strip()
        elif stripped.startswith("uri:"):
            uri = stripped.split(":", 1)[1].strip()
        elif stripped.startswith("body: {string: '"):
            text = stripped[len("body: {string: '") :]
            while not text.endswith("'}"):
                text += " " + next(lines).strip()
            body = text[:-2].replace("''", "'")
            if body.startswith(("{", "[")):
                found.append((method, uri, json.loads(body)))
    return found


def _capture(name: str, method: str, path_end: str) -> object:
    for got_method, uri, body in _captures(name):
        if got_method == method and uri.split("?")[0].endswith(path_end):
            return body
    raise AssertionError(f"no {method} …{path_end} in {name}")


def _keys(body: object) -> set[str]:
    item = body[0] if isinstance(body, list) else body
    assert isinstance(item, dict)
    return set(item)


def _check_types(body: dict[str, object], schema: dict[str, str]) -> None:
    for key, value in body.items():
        if value is None or key in CAPTURE_WINS:
            continue
        assert key in schema, f"{key} is not in the spec's schema"
        assert isinstance(value, JSON_TYPES[schema[key]]), f"{key}: {value!r} vs {schema[key]}"


@pytest.fixture
def world(litmos: LitmosSimulator) -> dict[str, str]:
    user = litmos.seed_user("ann@acme.test", "Ann", "Archer", "ann@acme.test")
    team = litmos.seed_team("Sales")
    course = litmos.seed_course("SEC-101", "Security Awareness")
    litmos.seed_team("EMEA", parent_id=team)
    litmos.complete_course(user, course, score=90.0)
    return {"user": user, "team": team, "course": course}


def test_the_parsers_read_the_reference_files() -> None:
    assert _schema("Team") == {
        "Id": "string",
        "Name": "string",
        "Description": "string",
        "TeamCodeForBulkImport": "string",
        "ParentTeamId": "string",
    }
    assert _capture("create-user-already-exists", "POST", "/users") == {
        "Detail": "UserName already exists"
    }


def test_created_user_has_the_captured_keys_and_spec_types(litmos_client: httpx.Client) -> None:
    captured = _capture("create-new-user", "POST", "/users")
    body = {"UserName": "x@a.test", "FirstName": "X", "LastName": "Y", "Email": "x@a.test"}
    created = litmos_client.post("/v1.svc/users", json=body).json()
    assert set(created) == _keys(captured)
    _check_types(created, _schema("User"))


def test_user_list_items_have_the_captured_keys(
    world: dict[str, str], litmos_client: httpx.Client
) -> None:
    listed = litmos_client.get("/v1.svc/users").json()
    assert _keys(listed) == _keys(_capture("search-users", "GET", "/users"))
    _check_types(listed[0], _schema("User"))


def test_duplicate_user_body_is_the_captured_one(litmos_client: httpx.Client) -> None:
    body = {"UserName": "x@a.test", "FirstName": "X", "LastName": "Y", "Email": "x@a.test"}
    litmos_client.post("/v1.svc/users", json=body)
    duplicate = litmos_client.post("/v1.svc/users", json=body).json()
    assert duplicate == _capture("create-user-already-exists", "POST", "/users")


def test_team_shapes_hold_the_captured_keys_within_the_spec(
    world: dict[str, str], litmos_client: httpx.Client
) -> None:
    spec = _schema("Team")
    single = litmos_client.get(f"/v1.svc/teams/{world['team']}").json()
    listed = litmos_client.get("/v1.svc/teams").json()
    subs = litmos_client.get(f"/v1.svc/teams/{world['team']}/teams").json()
    assert _keys(_capture("add-sub-team", "GET", "/teams/JyLa085jwVs1")) <= set(single) <= set(spec)
    assert _keys(_capture("teams-all-paginated", "GET", "/teams")) <= _keys(listed) <= set(spec)
    assert _keys(_capture("get-sub-teams", "GET", "/teams")) <= _keys(subs) <= set(spec)
    for body in (single, listed[0], subs[0]):
        _check_types(body, spec)


def test_course_has_the_captured_keys(world: dict[str, str], litmos_client: httpx.Client) -> None:
    course = litmos_client.get(f"/v1.svc/courses/{world['course']}").json()
    assert set(course) == _keys(_capture("mark-module-complete", "GET", "/courses/RuzXNaD42Sw1"))
    assert set(course) <= set(_schema("Course"))


def test_team_members_have_the_captured_keys(
    litmos: LitmosSimulator, world: dict[str, str], litmos_client: httpx.Client
) -> None:
    litmos.add_team_member(world["team"], world["user"])
    members = litmos_client.get(f"/v1.svc/teams/{world['team']}/users").json()
    assert _keys(members) == _keys(_capture("get-team-users", "GET", "/users"))


def test_result_details_match_the_spec_schema(
    world: dict[str, str], litmos_client: httpx.Client
) -> None:
    schema = _schema("inline_response_200_3")
    (detail,) = litmos_client.get("/v1.svc/results/details", params={"since": "2000-01-01"}).json()
    assert set(detail) == set(schema)
    _check_types(detail, schema)


def test_achievements_match_the_spec_schema(
    world: dict[str, str], litmos_client: httpx.Client
) -> None:
    schema = _schema("Achievement")
    (achievement,) = litmos_client.get(
        "/v1.svc/achievements", params={"since": "2000-01-01"}
    ).json()
    assert set(achievement) == set(schema)
    _check_types(achievement, schema)
