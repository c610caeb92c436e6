"""The Litmos OpenAPI document the simulator validates requests against.

`document()` parses the vendored `spec/litmos-openapi.yml` (byte for byte the public
file, see spec/SOURCES.md) once per process; `patched()` is a copy with the documented
deviations applied and `openapi()` the openapi-core model of that copy. All cached:
callers must not mutate what they get. `user_properties()` lists the User schema's
properties in the document's order (the order Litmos says its body fields must keep).
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI

from syncd.sandbox.litmos.deviations import apply_deviations

SPEC_FILE = Path(__file__).parent / "spec" / "litmos-openapi.yml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def document() -> dict[str, Any]:
    """The vendored document as parsed, untouched (response codes stay YAML ints)."""
    with SPEC_FILE.open(encoding="utf-8") as stream:
        parsed: dict[str, Any] = yaml.load(stream, Loader=_LOADER)  # noqa: S506 - a safe loader
    return parsed


@cache
def patched() -> dict[str, Any]:
    """A deep copy of `document()` with every request-side deviation applied."""
    spec = copy.deepcopy(document())
    apply_deviations(spec)
    return spec


@cache
def openapi() -> OpenAPI:
    """The openapi-core model of `patched()`. The document is not checked against the
    OpenAPI meta-schema here: it fails only on YAML integer response codes and on
    `maximum: 1E+2` in schemas the simulator never uses (test_litmos_spec.py shows it)."""
    return OpenAPI.from_dict(patched(), config=Config(spec_validator_cls=None))


def operation(method: str, template: str) -> dict[str, Any]:
    """The patched document's operation object for `method` on the path `template`."""
    found: dict[str, Any] = patched()["paths"][template][method.lower()]
    return found


def schema(name: str) -> dict[str, Any]:
    """A component schema of the patched document."""
    found: dict[str, Any] = patched()["components"]["schemas"][name]
    return found


@cache
def user_properties() -> tuple[str, ...]:
    """The User schema's properties in the document's order."""
    return tuple(schema("User")["properties"])
