"""Request validation of the Litmos simulator against the OpenAPI document.

`validate(request, method, template)` checks a routed request's query parameters
(names the operation does not list, repeated or missing required ones, types, schemas)
and its JSON body against the operation in the patched document (spec.py). The rules
of an operation are built once per process with openapi-core's schema validators and
cached, so a request costs a few dictionary looks and one compiled schema check. A
refusal is an `HttpError` with the status and words the spec gives for the operation
(words.py). Called by the app's `authorize` hook, under the app lock.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema_path import SchemaPath
from openapi_core.validation.schemas import oas30_write_schema_validators_factory
from openapi_core.validation.schemas.exceptions import ValidateError
from openapi_core.validation.schemas.validators import SchemaValidator

from syncd.sandbox.litmos import spec, words
from syncd.sandbox.messages import HttpError, Request

# The seed puts the key in the query (`apikey`); the spec's header form needs no name here.
ALWAYS_ALLOWED = frozenset({"apikey"})
_INTEGER = re.compile(r"^-?\d+$")
_BOOLEANS = {"true": True, "false": False}
MAX_LIMIT = 1000
LOWEST = {"start": 0, "limit": 1}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
DIRECTIONS = frozenset({"ASC", "DESC"})

# Operations whose 400 the spec words for a bad body (the others have none: the seed's).
BODY_WORDS: Mapping[tuple[str, str], str] = {
    ("POST", "/users"): words.CREATE_USER_BAD_BODY,
    ("PUT", "/users/{userId}"): words.UPDATE_USER_BAD_BODY,
    ("POST", "/teams"): words.TEAM_BAD_BODY,
    ("POST", "/teams/{teamId}/teams"): words.TEAM_BAD_BODY,
}
# Query parameters the spec refuses with its 406 sentence rather than a 400.
# `since` on /achievements takes the same formats and 406 (decided: the spec types it
# only as "Date-time").
DATE_PARAMS: Mapping[tuple[str, str], frozenset[str]] = {
    ("GET", "/results/details"): frozenset({"since", "to"}),
    ("GET", "/achievements"): frozenset({"since"}),
}

# `sort` values: the seed's list (FirstName, LastName, UserName, Active, Email) where the
# operation lists `sort`, less the fields its items do not carry (decided).
SORTABLE: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/users"): ("FirstName", "LastName", "UserName", "Active", "Email"),
    ("GET", "/achievements"): ("FirstName", "LastName"),
}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str  # the schema's type: string, integer, boolean or number
    required: bool
    check: SchemaValidator


@dataclass(frozen=True, slots=True)
class Rules:
    """What one operation admits, and the words it refuses with."""

    params: Mapping[str, Param]
    body: SchemaValidator | None
    body_required: bool
    param_words: str
    body_words: str
    dates: frozenset[str]
    sortable: tuple[str, ...]


def validate(request: Request, method: str, template: str) -> None:
    """Refuse `request` (an `HttpError`) unless the operation admits it."""
    rules = rules_for(method, template)
    _check_query(rules, request.query)
    _check_body(rules, request)


@cache
def rules_for(method: str, template: str) -> Rules:
    """The cached rules of the operation `method` `template` (e.g. "GET", "/users")."""
    root = spec.openapi().spec
    operation = root / "paths" / template / method.lower()
    raw = spec.operation(method, template)
    params = {p.name: p for p in _params(root, operation, raw)}
    body, required = _body(root, operation, raw)
    param_words = _param_words(raw)
    return Rules(
        params=params,
        body=body,
        body_required=required,
        param_words=param_words,
        body_words=BODY_WORDS.get((method, template), param_words),
        dates=DATE_PARAMS.get((method, template), frozenset()),
        sortable=SORTABLE.get((method, template), ()),
    )


def _params(root: SchemaPath, operation: SchemaPath, raw: dict[str, Any]) -> list[Param]:
    """The query parameters; header ones are all `Content-Type`, which OpenAPI says to
    ignore (the screen enforces it for every request, as the seed asks)."""
    found = []
    for index, param in enumerate(raw.get("parameters", [])):
        if param["in"] != "query":
            continue
        schema_path = operation / "parameters" / index / "schema"
        check = oas30_write_schema_validators_factory.create(root, schema_path)
        kind = str(param["schema"].get("type", "string"))
        found.append(Param(param["name"], kind, bool(param.get("required")), check))
    return found


def _body(
    root: SchemaPath, operation: SchemaPath, raw: dict[str, Any]
) -> tuple[SchemaValidator | None, bool]:
    if "requestBody" not in raw:
        return None, False
    schema_path = operation / "requestBody" / "content" / "application/json" / "schema"
    check = oas30_write_schema_validators_factory.create(root, schema_path)
    return check, bool(raw["requestBody"].get("required"))


def _param_words(raw: dict[str, Any]) -> str:
    """The operation's own 400 words when the spec gives the generic ones, else the seed's."""
    described = " ".join(str(raw["responses"].get(400, {}).get("description", "")).split())
    return words.SPEC_BAD_REQUEST if described == words.SPEC_BAD_REQUEST else words.SEED_BAD_REQUEST


def _check_query(rules: Rules, query: Mapping[str, tuple[str, ...]]) -> None:
    for name, values in query.items():
        param = rules.params.get(name)
        if param is None:
            if name not in ALWAYS_ALLOWED:
                raise HttpError(400, rules.param_words)
            continue
        if len(values) != 1:
            raise _refusal(rules, name)
        _check_value(rules, param, values[0])
    for param in rules.params.values():
        if param.required and param.name not in query:
            raise _refusal(rules, param.name)


def _check_value(rules: Rules, param: Param, text: str) -> None:
    """The schema's check, then the value rules the spec and seed give in words: paging
    bounds (seed: start 0+, limit 1..1000; spec: 406 past 1000) and date formats."""
    try:
        value = _cast(param.kind, text)
        param.check.validate(value)
    except (KeyError, ValueError, ValidateError):
        raise _refusal(rules, param.name) from None
    if param.name == "limit" and isinstance(value, int) and value > MAX_LIMIT:
        raise HttpError(406, words.SPEC_TOO_MANY)
    if param.name in LOWEST and isinstance(value, int) and value < LOWEST[param.name]:
        raise HttpError(400, rules.param_words)
    if param.name in rules.dates and parse_moment(text) is None:
        raise _refusal(rules, param.name)
    if param.name == "sort" and text not in rules.sortable:
        raise HttpError(400, rules.param_words)
    if param.name == "dir" and text.upper() not in DIRECTIONS:
        raise HttpError(400, rules.param_words)


def _cast(kind: str, text: str) -> object:
    """A query string as the schema's type; booleans only as true/false (any case)."""
    if kind == "integer":
        if not _INTEGER.match(text):
            raise ValueError(text)
        return int(text)
    if kind == "boolean":
        return _BOOLEANS[text.lower()]  # KeyError for anything else
    if kind == "number":
        return float(text)
    return text


def _refusal(rules: Rules, name: str) -> HttpError:
    if name in rules.dates:
        return HttpError(406, date_words(name))
    return HttpError(400, rules.param_words)


def date_words(name: str) -> str:
    """The spec's 406 sentence for `since`, naming `name` (`to` shares it: decided)."""
    return words.SPEC_BAD_SINCE.replace("'since='", f"'{name}='")


def parse_moment(text: str) -> float | None:
    """A UTC moment in one of the spec's three date formats, or None."""
    for fmt in DATE_FORMATS:
        try:
            return float(calendar.timegm(time.strptime(text, fmt)))
        except ValueError:
            continue
    return None


def _check_body(rules: Rules, request: Request) -> None:
    if request.body is None and not request.malformed:
        if rules.body_required:
            raise HttpError(400, rules.body_words)
        return
    if rules.body is None or request.malformed:
        raise HttpError(400, rules.body_words)
    try:
        rules.body.validate(request.body)
    except ValidateError:
        raise HttpError(400, rules.body_words) from None
