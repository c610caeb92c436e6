"""`POST|DELETE /manage/v1/orgchart/batch`: branches in bulk, one result per row.

POST items are `{"code", "name": {lang: name}, "parent_code"?}` (an empty
parent code is the root); an existing code is skipped unless
`options.update` is true. DELETE takes `{"ids": [..]}`. Rows run in order;
a failed row changes nothing. Both calls belong to Docebo's serial set.

Whether a row sees the branches earlier rows of the same call made or removed, no
public source says (the importer definition, lms-apis.md 1.4, lists the fields only).
The strictest reading: every row is checked against the tree as it stood before the
call. A `parent_code` must name a branch that existed then, and a branch that had
children then cannot be deleted, whatever earlier rows did.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from syncd.sandbox.docebo.orgchart import check_delete, check_move, translations
from syncd.sandbox.docebo.records import ROOT_ID, Branch
from syncd.sandbox.docebo.state import DoceboState
from syncd.sandbox.docebo.user_batch import MAX_ITEMS
from syncd.sandbox.fields import body_object, bool_field, id_list, item_list, object_field
from syncd.sandbox.messages import HttpError, Request, Response, json_response

Row = dict[str, object]


def import_branches(state: DoceboState, request: Request) -> Response:
    """POST /manage/v1/orgchart/batch."""
    body = body_object(request)
    items = item_list(body, "items", MAX_ITEMS)
    update = bool_field(object_field(body, "options"), "update", False)
    before = frozenset(state.branches)
    rows = [
        _row(i, {"id": None, "code": _code_of(item)}, partial(_import, state, item, update, before))
        for i, item in enumerate(items)
    ]
    return json_response({"data": rows})


def delete_branches(state: DoceboState, request: Request) -> Response:
    """DELETE /manage/v1/orgchart/batch: {"ids": [..]}."""
    ids = id_list(body_object(request), "ids")
    parents = frozenset(branch.parent_id for branch in state.branches.values())
    rows = [
        _row(i, {"id": branch_id, "code": None}, partial(_delete, state, branch_id, parents))
        for i, branch_id in enumerate(ids)
    ]
    return json_response({"data": rows})


def _row(index: int, subject: Row, run: Callable[[], tuple[str, Branch]]) -> Row:
    try:
        message, branch = run()
    except HttpError as err:
        output = {**subject, "error": err.message}
        return {"row_index": index, "success": False, "message": err.message, "output": output}
    output = {"id": branch.id, "code": branch.code}
    return {"row_index": index, "success": True, "message": message, "output": output}


def _import(
    state: DoceboState, item: object, update: bool, before: frozenset[int]
) -> tuple[str, Branch]:
    if not isinstance(item, dict):
        raise HttpError(400, "Item must be an object")
    fields = {str(k): v for k, v in item.items()}
    code = _code_of(fields)
    if not isinstance(code, str) or not code.strip():
        raise HttpError(400, "'code' must be a non-empty string")
    names = translations(_names(fields), required=True)
    parent = _parent(state, fields.get("parent_code"), before)
    existing = _unique(state, code, "Branch code")
    if existing is None:
        return "Branch created", state.add_branch(code, tuple(names.items()), parent)
    if not update:
        return "Branch already exists, skipped", existing
    check_move(state, existing, parent)
    state.put_branch(Branch(existing.id, code, tuple(names.items()), parent))
    return "Branch updated", state.branches[existing.id]


def _delete(state: DoceboState, branch_id: int, parents: frozenset[int]) -> tuple[str, Branch]:
    branch = state.branches.get(branch_id)
    if branch is None:
        raise HttpError(404, f"Branch not found: {branch_id}")
    if branch_id in parents:  # children before the call, even if earlier rows removed them
        raise HttpError(400, f"Branch {branch_id} has children; delete or move them first")
    check_delete(state, branch)
    state.remove_branch(branch_id)
    return "Branch deleted", branch


def _names(fields: dict[str, object]) -> dict[str, object]:
    raw = fields.get("name", fields.get("translations"))
    if not isinstance(raw, dict):
        raise HttpError(400, "'name' must map languages to names")
    return {str(k): v for k, v in raw.items()}


def _parent(state: DoceboState, raw: object, before: frozenset[int]) -> int:
    """The parent's id; a branch made by an earlier row of this call is not one yet."""
    if raw is None or raw == "":
        return ROOT_ID
    if not isinstance(raw, str):
        raise HttpError(400, "'parent_code' must be a string")
    parent = _unique(state, raw, "Parent branch code")
    if parent is None or parent.id not in before:
        raise HttpError(400, f"Parent branch not found: {raw}")
    return parent.id


def _unique(state: DoceboState, code: str, what: str) -> Branch | None:
    found = state.branches_by_code(code)
    if len(found) > 1:
        raise HttpError(400, f"{what} is not unique: {code}")
    return found[0] if found else None


def _code_of(item: object) -> object:
    return item.get("code") if isinstance(item, dict) else None
