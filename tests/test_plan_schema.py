"""The plan's JSON and the saved plan file validate against docs/plan.schema.json, whose
lists of kinds, statuses and effects are syncd's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from syncd.operations import OpKind
from syncd.side_effects import Effect
from syncd.statuses import RunStatus
from syncd.store.journal import OpStatus

REPO = Path(__file__).parents[1]
SCHEMA: dict[str, Any] = json.loads((REPO / "docs" / "plan.schema.json").read_text("utf-8"))


def _validator(definition: str) -> Draft202012Validator:
    """The schema, held to one of its definitions."""
    return Draft202012Validator({**SCHEMA, "anyOf": [{"$ref": f"#/$defs/{definition}"}]})


def test_the_schema_is_valid_and_names_syncd_s_own_values() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    defs = SCHEMA["$defs"]
    assert defs["kind"]["enum"] == [k.value for k in OpKind]
    assert defs["effect"]["enum"] == [e.value for e in Effect]
    assert defs["operation"]["properties"]["status"]["enum"] == [s.value for s in OpStatus]
    assert defs["target"]["properties"]["status"]["enum"] == [s.value for s in RunStatus]


@pytest.mark.parametrize("name", ["first-plan.json", "second-plan.json"])
def test_the_golden_plans_are_runs_of_the_schema(name: str) -> None:
    doc = json.loads((REPO / "tests" / "golden" / name).read_text("utf-8"))
    _validator("run").validate(doc)


def test_a_plan_with_an_unknown_field_or_kind_is_not() -> None:
    doc = json.loads((REPO / "tests" / "golden" / "second-plan.json").read_text("utf-8"))
    op = doc["targets"][0]["operations"][0]
    for broken in ({**op, "kind": "rename_user"}, {**op, "extra": 1}):
        doc["targets"][0]["operations"][0] = broken
        assert not _validator("run").is_valid(doc)
