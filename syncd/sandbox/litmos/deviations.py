"""Where the simulator departs from the OpenAPI document, each with its evidence.

`DEVIATIONS` is the whole list. A request-side deviation carries a `patch` that
`apply_deviations` runs on an in-memory copy of the document before validators are
built (the vendored file is never edited); an answer-side one is documentation the
handlers follow. Each names the capture (tests/evidence/litmos/cassettes/) or seed that
justifies it; docs/lms/litmos.md repeats the list. Called once per process by spec.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Spec = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Deviation:
    name: str
    evidence: tuple[str, ...]  # cassette file names, "seed", or "spec" (its own words)
    rule: str
    patch: Callable[[Spec], None] | None = None


def _bare_user_array(spec: Spec) -> None:
    body = spec["paths"]["/teams/{teamId}/users"]["post"]["requestBody"]["content"]
    item = {"$ref": "#/components/schemas/inline_response_200_30_User"}
    wrapped = body["application/json"]["schema"]
    body["application/json"]["schema"] = {"oneOf": [wrapped, {"type": "array", "items": item}]}


def _blank_read_only_fields(spec: Spec) -> None:
    properties = spec["components"]["schemas"]["User"]["properties"]
    for name in ("LastLogin", "LoginKey"):
        properties[name] = {"type": "string", "enum": [""]}


def _dates_as_documented(spec: Spec) -> None:
    for parameter in spec["paths"]["/results/details"]["get"]["parameters"]:
        if parameter["name"] in {"since", "to"}:
            del parameter["schema"]["format"]


def _start_on_team_lists(spec: Spec) -> None:
    start = {"name": "start", "in": "query", "schema": {"type": "integer"}}
    for template in ("/teams/{teamId}/users", "/teams/{teamId}/teams"):
        spec["paths"][template]["get"]["parameters"].append(dict(start))


def _profile_type_values(spec: Spec) -> None:
    profile_type = spec["components"]["schemas"]["User"]["properties"]["ProfileType"]
    profile_type["pattern"] = "^(?i:internal|external)$"


def _import_emails_checked_per_row(spec: Spec) -> None:
    email = spec["components"]["schemas"]["UserImport"]["properties"]["Email"]
    del email["format"]


DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        "bare-array-of-team-users",
        (
            "add-users.yml",
            "end-to-end-integration-test.yml",
            "promote-and-demote-user.yml",
            "remove-user.yml",
        ),
        "POST /teams/{teamId}/users takes a bare JSON array of users as well as the spec's "
        '{"User": [...]} (Body_10).',
        _bare_user_array,
    ),
    Deviation(
        "blank-read-only-user-fields",
        (
            "create-new-user.yml",
            "users-create.yml",
            "deactivate-user.yml",
            "find-and-update-user.yml",
        ),
        "User bodies may carry the read-only LastLogin and LoginKey, as the empty string "
        "the captures send (ignored); any other value, or another read-only field "
        "(OriginalId, CreatedDate), is refused as the spec says.",
        _blank_read_only_fields,
    ),
    Deviation(
        "result-dates-as-documented",
        ("spec",),
        "/results/details since/to are typed date-time (RFC 3339) but the same operation's "
        "406 names yyyy-MM-dd HH:mm:ss, yyyy-MM-dd HH:mm and yyyy-MM-dd: the simulator "
        "takes those three (the seed's 'results since a date') and answers 406 otherwise.",
        _dates_as_documented,
    ),
    Deviation(
        "start-on-team-lists",
        ("get-team-users.yml", "get-sub-teams.yml"),
        "GET /teams/{teamId}/users and /teams/{teamId}/teams take `start` (the spec lists "
        "only limit and search; the captures page with start=200).",
        _start_on_team_lists,
    ),
    Deviation(
        "profile-type-values",
        ("spec",),
        "User.ProfileType's pattern is the literal 'internal, external', which no value "
        "matches (the spec's own example is 'Internal'): read as internal or external, "
        "any case.",
        _profile_type_values,
    ),
    Deviation(
        "api-key-in-query-or-header",
        ("seed", "add-sub-team.yml", "remove-user.yml"),
        "The key is the seed's `apikey` query parameter or the spec's header (the captures "
        "keep a placeholder `apikey` header where VCR left one); the spec's security "
        "scheme is checked by the simulator's screen, not by the validator.",
    ),
    Deviation(
        "json-bodies",
        ("seed",),
        "The spec and the seed allow XML; the simulator reads JSON bodies only "
        "(Content-Type application/json) and answers JSON only (format=json).",
    ),
    Deviation(
        "created-is-201",
        (
            "create-new-user.yml",
            "users-create.yml",
            "add-sub-team.yml",
            "end-to-end-integration-test.yml",
        ),
        "POST /users and POST /teams/{teamId}/teams answer 201 with the record; the spec "
        "says 200 (the seed says 201 on create).",
    ),
    Deviation(
        "bare-json-lists",
        ("users-all-paginated.yml", "teams-all-paginated.yml", "get-sub-teams.yml"),
        'Lists are bare JSON arrays; the spec\'s {"User": [...]} wrappers are the XML shape.',
    ),
    Deviation(
        "captured-answer-keys",
        (
            "create-new-user.yml",
            "find-user.yml",
            "mark-module-complete.yml",
            "add-sub-team.yml",
            "teams-all-paginated.yml",
        ),
        "Answers carry the captured keys: OriginalId a number (the spec: string); a team "
        "shows Id, Name, Description, a team list item Id, Name, TeamCodeForBulkImport, "
        "never ParentTeamId; a user's spec-only fields (Brand…) only when they hold a value.",
    ),
    Deviation(
        "content-type-on-every-request",
        ("seed", "find-user.yml", "users-all-paginated.yml"),
        "Every request must carry Content-Type application/json or text/xml (the seed: "
        "'With every request you must include a Content-Type header'); python-requests "
        "sent none on the captured GETs and was answered: the simulator takes the seed's "
        "strict reading and answers 400.",
    ),
    Deviation(
        "blank-culture-is-the-default",
        ("create-new-user.yml", "users-create.yml"),
        'A Culture of "" (the captures send it) stores the account default en-US, as the '
        "capture answers; any other value must be a culture code or 409 Culture is invalid.",
    ),
    Deviation(
        "create-takes-skipfirstlogin-from-the-query",
        ("create-new-user.yml",),
        "POST /users stores SkipFirstLogin from the `skipfirstlogin` query flag (default "
        "false), not from the body: the capture sent true and was answered false.",
    ),
    Deviation(
        "import-emails-checked-per-row",
        ("spec",),
        "UserImport.Email is typed format: email, but the import's own answer "
        "(UserBulkImport) counts InvalidEmail rows: a row with an invalid email is counted, "
        "listed by usererrors and not imported; the rest of the import goes on.",
        _import_emails_checked_per_row,
    ),
)


def apply_deviations(spec: Spec) -> None:
    """Run every request-side patch on `spec` (a copy of the document), in order."""
    for deviation in DEVIATIONS:
        if deviation.patch is not None:
            deviation.patch(spec)
