"""Typed reads of JSON bodies and query values, for simulator handlers.

Each helper either returns a value of the promised type or raises
`HttpError(400)` naming the field, so handlers stay short and strict.
Ids may come as integers or as decimal strings (LMSs send them as both).
"""

from __future__ import annotations

import re

from syncd.sandbox.messages import HttpError, Request

_DIGITS = re.compile(r"^[0-9]+$")

TRUE_WORDS = frozenset({"1", "true"})
FALSE_WORDS = frozenset({"0", "false"})


def body_object(request: Request) -> dict[str, object]:
    """The body as a JSON object (or form fields); 400 otherwise."""
    if not isinstance(request.body, dict):
        raise HttpError(400, "The request body must be a JSON object")
    return {str(key): value for key, value in request.body.items()}


def item_list(body: dict[str, object], key: str, most: int) -> list[object]:
    """A batch endpoint's list of items: a list, of at most `most` entries."""
    items = body.get(key)
    if not isinstance(items, list):
        raise HttpError(400, f"'{key}' must be a list")
    if len(items) > most:
        raise HttpError(400, f"At most {most} items per call")
    return items


def as_id(value: object) -> int | None:
    """A non-negative integer from an int or a decimal string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and _DIGITS.match(value):
        return int(value)
    return None


def id_field(body: dict[str, object], key: str) -> int:
    """A required id field."""
    value = as_id(body.get(key))
    if value is None:
        raise HttpError(400, f"'{key}' must be an integer id")
    return value


def id_list(body: dict[str, object], key: str) -> list[int]:
    """A required, non-empty list of ids (order kept, duplicates dropped)."""
    raw = body.get(key)
    if not isinstance(raw, list) or not raw:
        raise HttpError(400, f"'{key}' must be a non-empty list of ids")
    ids = [as_id(item) for item in raw]
    if any(item is None for item in ids):
        raise HttpError(400, f"'{key}' must contain only integer ids")
    return list(dict.fromkeys(item for item in ids if item is not None))


def text_field(body: dict[str, object], key: str, *, required: bool = False) -> str | None:
    """An optional (or required, non-blank) string field."""
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise HttpError(400, f"'{key}' must be a non-empty string")
    return value


def bool_field(body: dict[str, object], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise HttpError(400, f"'{key}' must be a boolean")
    return value


def object_field(body: dict[str, object], key: str) -> dict[str, object]:
    """An optional JSON object field ({} when absent)."""
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise HttpError(400, f"'{key}' must be an object")
    return {str(k): v for k, v in value.items()}


def flag_arg(request: Request, name: str) -> bool:
    """A boolean query flag: 1/true or 0/false (absent: false); else 400."""
    value = request.arg(name)
    if value is None or value.lower() in FALSE_WORDS:
        return False
    if value.lower() in TRUE_WORDS:
        return True
    raise HttpError(400, f"'{name}' must be 1, 0, true or false")


def int_arg(request: Request, name: str, default: int, low: int, high: int | None = None) -> int:
    """An integer query value within [low, high]; 400 when outside or malformed."""
    value = request.arg(name)
    if value is None:
        return default
    if not _DIGITS.match(value) or int(value) < low or (high is not None and int(value) > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise HttpError(400, f"'{name}' must be an integer in {bounds}")
    return int(value)
