"""The Litmos simulator's validation comes from the vendored OpenAPI document.

The words it refuses with are the document's, verbatim; each deviation changes the
document and names real evidence; the user it keeps covers the User schema exactly;
its cached per-operation checks agree with openapi-core's own request validators on
every captured request and on requests the spec refuses; the document is parsed once.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from openapi_core.testing import MockRequest
from openapi_core.validation.request.validators import (
    V30RequestBodyValidator,
    V30RequestParametersValidator,
)
from openapi_spec_validator import OpenAPIV30SpecValidator

from syncd.sandbox import LitmosSimulator
from syncd.sandbox.litmos import profile, spec, validation, words
from syncd.sandbox.litmos.app import BASE, ROUTES
from syncd.sandbox.litmos.deviations import DEVIATIONS
from syncd.sandbox.messages import HttpError, Request
from tests.evidence.litmos_cassettes import cassette_files, interactions, response_json
from tests.sandbox.conftest import json_client
from tests.sandbox.test_litmos_replay import out_of_scope

QUOTES: list[tuple[str, str, str, int]] = [
    (words.SPEC_RATE_LIMITED, "GET", "/achievements", 503),
    (words.SPEC_BAD_REQUEST, "GET", "/courses", 400),
    (words.SPEC_TOO_MANY, "GET", "/results/details", 406),
    (words.SPEC_BAD_SINCE, "GET", "/results/details", 406),
    (words.CREATE_USER_BAD_BODY, "POST", "/users", 400),
    (words.UPDATE_USER_BAD_BODY, "PUT", "/users/{userId}", 400),
    (words.MOBILE_REQUIRED, "POST", "/users", 400),
    (words.MOBILE_REQUIRED, "PUT", "/users/{userId}", 400),
    (words.BAD_MOBILE, "POST", "/users", 400),
    (words.BAD_MOBILE, "PUT", "/users/{userId}", 400),
    (words.CAPTURED_USERNAME_TAKEN, "POST", "/users", 409),
    (words.CAPTURED_USERNAME_TAKEN, "PUT", "/users/{userId}", 409),
    (words.SHORT_USERNAME, "POST", "/users", 409),
    (words.BAD_USERNAME, "POST", "/users", 409),
    (words.BAD_USERNAME, "PUT", "/users/{userId}", 409),
    (words.CREATE_BAD_EMAIL, "POST", "/users", 409),
    (words.UPDATE_BAD_EMAIL, "PUT", "/users/{userId}", 409),
    (words.BAD_CULTURE, "POST", "/users", 409),
    (words.BAD_CULTURE, "PUT", "/users/{userId}", 409),
    (words.BAD_JOB_ROLE, "POST", "/users", 409),
    (words.BAD_JOB_ROLE, "PUT", "/users/{userId}", 409),
    (words.IDS_DIFFER, "PUT", "/users/{userId}", 404),
    (words.BAD_MANAGER, "PUT", "/users/{userId}", 404),
    (words.NO_USER, "GET", "/users/{userId}", 404),
    (words.NO_USER_TO_DELETE, "DELETE", "/users/{userId}", 404),
    (words.TEAM_BAD_BODY, "POST", "/teams", 400),
    (words.TEAM_BAD_BODY, "POST", "/teams/{teamId}/teams", 400),
    (words.TEAM_NAME_TAKEN, "POST", "/teams", 409),
    (words.NO_TEAM, "GET", "/teams/{teamId}", 404),
    (words.NO_TEAM_OR_USERS, "POST", "/teams/{teamId}/users", 404),
    (words.NO_TEAM_OR_USER, "DELETE", "/teams/{teamId}/users/{userId}", 404),
    (words.NO_COURSE, "GET", "/courses/{courseId}", 404),
    (words.NO_BULK_IMPORT, "GET", "/bulkimports/{bulkImportId}", 400),
    (words.NO_BULK_IMPORT, "GET", "/bulkimports/{bulkImportId}/usererrors", 400),
    (words.SPEC_BAD_REQUEST, "POST", "/bulkimports", 400),
]


def _described(method: str, template: str, status: int) -> str:
    response = spec.document()["paths"][template][method.lower()]["responses"][status]
    return " ".join(str(response["description"]).split())


@pytest.mark.parametrize(("quote", "method", "template", "status"), QUOTES)
def test_each_quote_is_the_spec_s_words_for_its_operation(
    quote: str, method: str, template: str, status: int
) -> None:
    described = _described(method, template, status)
    alternative = rf"(^|OR |or |Service Unavailable\. ){re.escape(quote)}($| OR | or |\.$)"
    assert re.search(alternative, described), described


def test_the_captured_conflict_body_is_the_quote() -> None:
    (conflict,) = [i for i in interactions() if i.status == 409]
    assert response_json(conflict) == {"Detail": words.CAPTURED_USERNAME_TAKEN}


@pytest.mark.parametrize("deviation", DEVIATIONS, ids=lambda d: d.name)
def test_each_deviation_names_real_evidence_and_changes_the_document(deviation: Any) -> None:
    cassettes = {path.name for path in cassette_files()}
    assert set(deviation.evidence) <= cassettes | {"seed", "spec"}
    if deviation.patch is not None:
        document = copy.deepcopy(spec.document())
        deviation.patch(document)
        assert document != spec.document()


def test_the_user_kept_covers_the_user_schema_exactly() -> None:
    properties = spec.document()["components"]["schemas"]["User"]["properties"]
    parts = [set(profile.WRITABLE), *map(set, (profile.DERIVED, profile.WRITE_ONLY))]
    parts.append(set(profile.READ_ONLY))
    assert sum(len(part) for part in parts) == len(properties)
    assert set().union(*parts) == set(properties)
    read_only = {name for name, prop in properties.items() if prop.get("readOnly")}
    assert read_only == set(profile.READ_ONLY)
    kinds = {bool: "boolean", int: "integer", str: "string", type(None): "string"}
    for name, default in profile.WRITABLE.items():
        assert kinds[type(default)] == properties[name]["type"], name


def test_every_served_route_is_an_operation_of_the_document() -> None:
    for method, template, _ in ROUTES:
        assert method.lower() in spec.document()["paths"][template]
        assert validation.rules_for(method, template) is validation.rules_for(method, template)


def _mock(method: str, path: str, query: dict[str, str], body: Any) -> MockRequest:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    return MockRequest(
        "https://api.litmos.com", method.lower(), path, args=dict(query), headers=headers, data=data
    )


def _openapi_core_errors(request: MockRequest) -> list[Exception]:
    root = spec.openapi().spec
    checks = (V30RequestParametersValidator, V30RequestBodyValidator)
    return [e for cls in checks for e in cls(root, spec_validator_cls=None).iter_errors(request)]


def _ours(method: str, template: str, query: dict[str, str], body: Any) -> int | None:
    request = Request(method, template, {k: (v,) for k, v in query.items()}, {}, body, "")
    try:
        validation.validate(request, method, template)
    except HttpError as refused:
        return refused.status
    return None


def _template(method: str, path: str) -> str:
    for route_method, template, _ in ROUTES:
        pattern = "^" + re.sub(r"\{\w+\}", "[^/]+", BASE + template) + "$"
        if route_method == method and re.match(pattern, path):
            return template
    raise AssertionError(f"no route for {method} {path}")


def test_every_captured_request_passes_both_validators() -> None:
    checked = 0
    for recorded in (i for i in interactions() if not out_of_scope(i)):
        template = _template(recorded.method, recorded.path)
        path = recorded.path.removeprefix(BASE)
        mock = _mock(recorded.method, path, recorded.query, recorded.request_body)
        assert _openapi_core_errors(mock) == [], (recorded.file, recorded.index)
        assert _ours(recorded.method, template, recorded.query, recorded.request_body) is None
        checked += 1
    assert checked == 55


USER = {
    "Id": "", "UserName": "ann.archer", "LastName": "Archer", "Email": "ann@acme.test",
    "AccessLevel": "Learner", "DisableMessages": True, "Active": True,
    "IsCustomUsername": False, "SkipFirstLogin": False, "TimeZone": "UTC",
}  # fmt: skip
SOURCE = {"source": "syncd", "format": "json"}
REFUSED = [
    ("POST", "/users", "/users", SOURCE, {k: v for k, v in USER.items() if k != "LastName"}),
    ("POST", "/users", "/users", SOURCE, {**USER, "Active": "yes"}),
    ("POST", "/users", "/users", SOURCE, {**USER, "OriginalId": "1"}),
    ("POST", "/users", "/users", {**SOURCE, "sendmessage": "maybe"}, USER),
    ("GET", "/users", "/users", {**SOURCE, "limit": "x"}, None),
    ("GET", "/results/details", "/results/details", {**SOURCE, "since": "2024-01-01"}, None),
    ("POST", "/users/{userId}/courses", "/users/u1/courses", SOURCE, [{"Id": "c1"}]),
    ("POST", "/teams", "/teams", SOURCE, {"Name": "Sales"}),
    ("POST", "/teams/{teamId}/users", "/teams/t1/users", SOURCE, [{"Id": 7}]),
]


@pytest.mark.parametrize(("method", "template", "path", "query", "body"), REFUSED)
def test_what_openapi_core_refuses_the_simulator_refuses(
    method: str, template: str, path: str, query: dict[str, str], body: Any
) -> None:
    assert _openapi_core_errors(_mock(method, path, query, body)) != []
    assert _ours(method, template, query, body) in {400, 406}


def test_the_document_is_parsed_once_and_the_rules_built_once_per_operation() -> None:
    spec.openapi()
    for _ in range(3):
        _ours("GET", "/users", {"source": "s", "format": "json"}, None)
    assert spec.document.cache_info().misses == 1
    assert validation.rules_for.cache_info().misses <= len(ROUTES)


def test_the_document_fails_the_meta_schema_only_where_the_simulator_does_not_look() -> None:
    """Why spec.openapi() skips openapi-core's document check: YAML reads the response
    codes as integers (made strings here) and `maximum: 1E+2` as a string, in three
    schemas no served operation takes as a request body."""
    document = json.loads(json.dumps(spec.document(), default=str))  # integer keys: strings
    errors = list(OpenAPIV30SpecValidator(document).iter_errors())
    assert len(errors) == 6
    assert all("1E+2" in str(error) for error in errors)
    titles = {e.instance["title"] for e in errors if isinstance(e.instance, dict)}
    assert titles == {"Achievement", "Course Import", "Mark an ILT Session Complete & Add Score"}


JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}


def _typed_as_the_spec_says(body: dict[str, Any], schema_name: str) -> None:
    properties = spec.schema(schema_name)["properties"]
    assert set(body) == set(properties)
    for key, value in body.items():
        kind = properties[key]["type"]
        assert value is None or isinstance(value, JSON_TYPES[kind]), (key, value, kind)


def test_answers_no_capture_shows_follow_the_spec_schemas() -> None:
    """/results/details and /achievements have no capture: their items are the spec's
    inline_response_200_3 and Achievement, typed as it types them."""
    sim = LitmosSimulator()
    user = sim.seed_user("ann.archer", "Ann", "Archer", "ann@acme.test")
    sim.complete_course(user, sim.seed_course("SEC-101", "Security"), score=90.0)
    with json_client(sim) as client:
        window = {"since": "2000-01-01", "to": "2100-01-01"}
        (detail,) = client.get("/v1.svc/results/details", params=window).json()
        (achievement,) = client.get("/v1.svc/achievements").json()
    _typed_as_the_spec_says(detail, "inline_response_200_3")
    _typed_as_the_spec_says(achievement, "Achievement")


def test_the_whole_user_is_typed_as_the_spec_types_it() -> None:
    """Every key of `GET /users/{userId}` is a User property of the spec's type (or null),
    but OriginalId, a number as create-new-user.yml answers it (the spec: string)."""
    sim = LitmosSimulator()
    boss = sim.seed_user("boss.user", "Boss", "User", "boss@acme.test")
    user = sim.seed_user("ann.archer", "Ann", "A", "ann@acme.test", ManagerId=boss, Brand="B")
    record = sim.user_record(user)
    properties = spec.schema("User")["properties"]
    assert set(record) <= set(properties)
    assert isinstance(record.pop("OriginalId"), int)
    for key, value in record.items():
        kind = properties[key]["type"]
        assert value is None or isinstance(value, JSON_TYPES[kind]), (key, value, kind)
