"""Docebo's list answers: paging, sorting and cursor links, strictly checked.

`resolve` merges the query a `cursor` stands for into the request (so a
followed `next` link keeps its filters); `list_page` validates `page`,
`page_size`, `sort_attr`/`sort_dir` (default desc) and `get_cursor`, then
answers the envelope `{"data": {...}, "version": "1.0.0"}`. A `page_size`
outside 1..200 "will not be considered valid" (the seed): it is ignored and the
default applies, as a real tenant answers a read client sending 1000 (ingestr's
`learn/v1/courses`); a value that is not an integer is 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from syncd.sandbox.docebo.state import CursorQuery, DoceboState
from syncd.sandbox.fields import flag_arg, int_arg
from syncd.sandbox.messages import HttpError, Request, Response, json_response

T = TypeVar("T")

MAX_PAGE_SIZE = 200
API_VERSION = "1.0.0"
SORT_DIRS = frozenset({"asc", "desc"})
_NOT_STORED = frozenset({"page", "cursor"})
_INTEGER = re.compile(r"^-?[0-9]+$")


@dataclass(frozen=True, slots=True)
class ListSpec(Generic[T]):
    """How one endpoint lists: its sortable attributes (the default one must
    be unique per item: it breaks ties) and how an item is rendered."""

    name: str
    default_sort: str
    sorts: Mapping[str, Callable[[T], Any]]
    render: Callable[[T], dict[str, object]]


@dataclass(frozen=True, slots=True)
class _Window:
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return -(-self.total // self.size)


def resolve(state: DoceboState, request: Request) -> Request:
    """`request` with the query of its `cursor` merged in; 400 for an unknown one."""
    token = request.arg("cursor")
    if token is None:
        return request
    stored = state.cursors.get(token)
    if stored is None or stored[0] != request.path:
        raise HttpError(400, "Unknown cursor")
    query: dict[str, tuple[str, ...]] = {}
    for key, value in stored[1]:
        query[key] = (*query.get(key, ()), value)
    query.update({k: v for k, v in request.query.items() if k != "cursor"})
    return request.with_query(query)


def list_page(
    state: DoceboState,
    request: Request,
    spec: ListSpec[T],
    scope: tuple[object, ...],
    source: Callable[[], Iterable[T]],
) -> Response:
    """One page of `source()` (a list scoped by `scope`), as Docebo answers it."""
    size = page_size(request, state.default_page_size)
    window_number = int_arg(request, "page", 1, 1)
    attr, descending = _sort(request, spec)
    links = flag_arg(request, "get_cursor")
    ordered = state.cached(
        (spec.name, scope, attr, descending), lambda: _ordered(source(), spec, attr, descending)
    )
    window = _Window(window_number, size, len(ordered))
    chosen = ordered[(window.number - 1) * size : window.number * size]
    data = _data(window, [spec.render(item) for item in chosen])
    body: dict[str, object] = {"data": data, "version": API_VERSION}
    if links:
        token = state.cursor_for(request.path, _stored_query(request))
        data["cursor"] = token
        body["_links"] = _links(request, token, window)
    return json_response(body)


def page_size(request: Request, default: int) -> int:
    """The asked page size when within 1..200, else `default`; 400 if not an integer."""
    raw = request.arg("page_size")
    if raw is None:
        return default
    if not _INTEGER.match(raw):
        raise HttpError(400, "'page_size' must be an integer")
    return int(raw) if 1 <= int(raw) <= MAX_PAGE_SIZE else default


def _sort(request: Request, spec: ListSpec[T]) -> tuple[str, bool]:
    attr = request.arg("sort_attr") or spec.default_sort
    if attr not in spec.sorts:
        allowed = ", ".join(sorted(spec.sorts))
        raise HttpError(400, f"Invalid sort_attr '{attr}'; allowed: {allowed}")
    direction = request.arg("sort_dir") or "desc"
    if direction not in SORT_DIRS:
        raise HttpError(400, f"Invalid sort_dir '{direction}'; allowed: asc, desc")
    return attr, direction == "desc"


def _ordered(items: Iterable[T], spec: ListSpec[T], attr: str, descending: bool) -> list[T]:
    key, tie = spec.sorts[attr], spec.sorts[spec.default_sort]
    return sorted(items, key=lambda item: (key(item), tie(item)), reverse=descending)


def _data(window: _Window, items: list[dict[str, object]]) -> dict[str, object]:
    return {
        "items": items,
        "count": len(items),
        "has_more_data": window.number < window.pages,
        "total_page_count": window.pages,
        "current_page": window.number,
        "current_page_size": window.size,
        "total_count": window.total,
    }


def _stored_query(request: Request) -> CursorQuery:
    pairs = (
        (key, value)
        for key, values in request.query.items()
        if key not in _NOT_STORED
        for value in values
    )
    return tuple(sorted(pairs))


def _links(request: Request, token: str, window: _Window) -> dict[str, dict[str, str]]:
    base = f"{request.origin}{quote(request.path)}?cursor={token}&page="
    links = {
        "self": {"href": f"{base}{window.number}"},
        "goto": {"href": f"{base}__page__"},
        "first": {"href": f"{base}1"},
        "last": {"href": f"{base}{max(1, window.pages)}"},
    }
    if window.number < window.pages:
        links["next"] = {"href": f"{base}{window.number + 1}"}
    return links
