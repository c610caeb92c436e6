"""Dokeos list answers and query reading: pages, response_attributes, id filters.

`page_of` checks `page` (1-based) and `per_page` (1..100) and answers
`{"data": [...], "meta": {page, per_page, total, total_pages}}`. The readers
answer 400 for an unknown attribute, a malformed id or an id list over its
limit, and 404 for an unknown path id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from syncd.sandbox.dokeos.state import DokeosState
from syncd.sandbox.dokeos.wire import not_found
from syncd.sandbox.fields import as_id, int_arg
from syncd.sandbox.messages import HttpError, Request, Response, json_response

T = TypeVar("T")

MAX_PER_PAGE = 100
MAX_FILTER_IDS = 5


def page_of(
    state: DokeosState,
    request: Request,
    items: Sequence[T],
    render: Callable[[T], dict[str, object]],
) -> Response:
    """One page of `items` (already in ascending id order) in the list envelope."""
    per_page = int_arg(request, "per_page", state.default_per_page, 1, MAX_PER_PAGE)
    page = int_arg(request, "page", 1, 1)
    chosen = items[(page - 1) * per_page : page * per_page]
    meta = {
        "page": page,
        "per_page": per_page,
        "total": len(items),
        "total_pages": -(-len(items) // per_page),
    }
    return json_response({"data": [render(item) for item in chosen], "meta": meta})


def response_attributes(request: Request, allowed: Sequence[str]) -> frozenset[str]:
    """The optional attributes asked for (comma-separated); 400 for an unknown one."""
    raw = ",".join(request.query.get("response_attributes", ()))
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise HttpError(
            400,
            f"Unknown response_attributes: {', '.join(unknown)}; allowed: {', '.join(allowed)}",
        )
    return frozenset(names)


def id_filter(request: Request, name: str, most: int = MAX_FILTER_IDS) -> frozenset[int] | None:
    """A comma-separated id filter of at most `most` ids (None when absent)."""
    values = request.query.get(name)
    if not values:
        return None
    parts = [part.strip() for value in values for part in value.split(",")]
    ids = [as_id(part) for part in parts]
    if any(found is None for found in ids):
        raise HttpError(400, f"'{name}' must be comma-separated integer ids")
    if len(parts) > most:
        raise HttpError(400, f"'{name}' can contain no more than {most} elements")
    return frozenset(found for found in ids if found is not None)


def path_record(table: Mapping[int, T], request: Request, kind: str, param: str = "id") -> T:
    """The record a path id names: 400 when it is not an integer, 404 when unknown."""
    raw = request.params[param]
    record_id = as_id(raw)
    if record_id is None:
        raise HttpError(400, f"{kind} id must be an integer: {raw}")
    record = table.get(record_id)
    if record is None:
        raise not_found(kind, raw)
    return record


def path_id(request: Request, param: str = "id") -> int:
    """An integer path id (400 otherwise), for resources the simulator does not keep."""
    raw = request.params[param]
    found = as_id(raw)
    if found is None:
        raise HttpError(400, f"id must be an integer: {raw}")
    return found
