"""Docebo's branch tree from its listings: items into nodes, nodes into placed branches.

The connector lists `GET /manage/v1/orgchart?flattened=true` from the root: a modern
tenant answers every branch at once, a 2017 one (which has no such flag) only the
root's children. `place` gives each listed branch its parent: the one the item states
(`id_parent`), else the innermost listed branch whose nested-set bounds enclose it
(2017 items); a parent the listing does not show (the root, whatever its id) is the
node the listing was asked for. A tenant that lists the root itself has it left out.
`unexpanded` names the branches that may have children the listing did not show, for
the connector to list next. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from syncd.connectors.docebo.mapping import BRANCH, ROOT, JsonObject
from syncd.records import GroupKind, RemoteGroup, RemoteId

NAME_LANGUAGES = ("english", "en", "all")


@dataclass(frozen=True, slots=True)
class BranchNode:
    """A branch item as read: `parent` and the nested-set bounds only when the item has them."""

    remote_id: RemoteId
    code: str | None
    name: str
    parent: RemoteId | None
    bounds: tuple[int, int] | None
    level: int | None

    @property
    def is_leaf(self) -> bool:
        """Bounds one apart: no children (unknown bounds: maybe some)."""
        return self.bounds is not None and self.bounds[1] - self.bounds[0] == 1

    @property
    def is_root(self) -> bool:
        """The tree's root itself (left bound 1, or level 0), should a tenant list it."""
        return (self.bounds is not None and self.bounds[0] == 1) or self.level == 0


def branch_node(item: JsonObject) -> BranchNode:
    parent = BRANCH.read(item, "parent")
    return BranchNode(
        remote_id=RemoteId(BRANCH.ident(item, "id")),
        code=BRANCH.text(item, "code") or None,
        name=branch_name(BRANCH.read(item, "name")),
        parent=None if parent is None else parent_id(parent),
        bounds=_bounds(BRANCH.read(item, "left"), BRANCH.read(item, "right")),
        level=_int(BRANCH.read(item, "level")),
    )


def branch_id(item: JsonObject) -> RemoteId:
    """The id of a branch answer (`GET /manage/v1/orgchart/{id}`), in either era."""
    return RemoteId(BRANCH.ident(item, "id"))


def parent_id(value: object) -> RemoteId:
    """A stated parent; 0 or empty is the root."""
    return ROOT if value in (0, "0", "") else RemoteId(str(value))


def branch_name(value: object) -> str:
    """A branch name: text as is; names by language give English, else "all", else the first."""
    if not isinstance(value, Mapping):
        return "" if value is None else str(value)
    names = {str(lang): str(name) for lang, name in value.items() if name}
    preferred = (names[lang] for lang in NAME_LANGUAGES if lang in names)
    return next(preferred, next(iter(names.values()), ""))


def place(nodes: Sequence[BranchNode], under: RemoteId) -> list[RemoteGroup]:
    """The branches listed under `under` (a listed root left out), each under its parent."""
    kept = [node for node in nodes if not node.is_root]
    listed = {node.remote_id for node in kept}
    enclosing = _enclosing(nodes)
    placed = []
    for node in kept:
        parent = node.parent or enclosing.get(node.remote_id)
        placed.append(_group(node, parent if parent in listed else under))
    return placed


def unexpanded(nodes: Iterable[BranchNode], placed: Sequence[RemoteGroup]) -> list[RemoteId]:
    """Listed branches that may have children and have none in the listing: to list next."""
    parents = {group.parent_remote_id for group in placed}
    return [
        node.remote_id
        for node in nodes
        if not (node.is_root or node.is_leaf or node.remote_id in parents)
    ]


def _group(node: BranchNode, parent: RemoteId) -> RemoteGroup:
    return RemoteGroup(
        remote_id=node.remote_id,
        kind=GroupKind.ORG_UNIT,
        name=node.name,
        code=node.code,
        parent_remote_id=None if parent == ROOT else parent,
    )


def _enclosing(nodes: Iterable[BranchNode]) -> dict[RemoteId, RemoteId]:
    """Each bounded node's innermost enclosing bounded node: one pass in left-bound order."""
    bounded = sorted((n.bounds, n.remote_id) for n in nodes if n.bounds is not None)
    parents: dict[RemoteId, RemoteId] = {}
    open_: list[tuple[int, RemoteId]] = []  # (right bound, id) of the branches we are inside
    for (left, right), remote_id in bounded:
        while open_ and open_[-1][0] < left:
            open_.pop()
        if open_:
            parents[remote_id] = open_[-1][1]
        open_.append((right, remote_id))
    return parents


def _bounds(left: object, right: object) -> tuple[int, int] | None:
    low, high = _int(left), _int(right)
    return None if low is None or high is None else (low, high)


def _int(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None
