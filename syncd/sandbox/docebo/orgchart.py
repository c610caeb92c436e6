"""Docebo branch (orgchart) endpoints: list, read, create, update, move,
delete, the users of a branch, and assign_users.

`{branch_id}` in a path is an id, or a branch code with
`use_secondary_identifier=true` (400 if that code is not unique, 404 if
unknown). Root (id 0) is never listed nor addressable; every change
renumbers the nested set. A branch renders with its era's keys: 2017 the
SDK's `id, code, title, lev, i_left, i_right` (+ `id_parent`), modern
ingestr's `id_org, id_parent, lft, rgt, code, translation, external_id`. In
the modern era `flattened=true` lists every branch under the node, at any
depth (without it, only its children); the 2017 era ignores the flag.
"""

from __future__ import annotations

from syncd.sandbox.docebo.limits import at_most
from syncd.sandbox.docebo.paging import ListSpec, list_page, resolve
from syncd.sandbox.docebo.records import ROOT_ID, Branch, User
from syncd.sandbox.docebo.state import DoceboState
from syncd.sandbox.fields import (
    as_id,
    body_object,
    flag_arg,
    id_field,
    int_arg,
    object_field,
    text_field,
)
from syncd.sandbox.messages import HttpError, Request, Response, json_response

SUCCESS = {"data": {"success": True}}

MEMBERS: ListSpec[User] = ListSpec(
    name="branch_users",
    default_sort="user_id",
    sorts={"user_id": lambda u: u.user_id, "username": lambda u: u.username.casefold()},
    render=lambda u: {"user_id": u.user_id, "username": u.username},
)


def branch_item(state: DoceboState, branch: Branch) -> dict[str, object]:
    if state.era == "modern":
        return modern_branch_item(state, branch)
    bounds = state.bounds[branch.id]
    return {
        "id": branch.id,
        "code": branch.code,
        "title": branch.title,
        "id_parent": branch.parent_id or None,
        "lev": bounds.lev,
        "i_left": bounds.i_left,
        "i_right": bounds.i_right,
    }


def modern_branch_item(state: DoceboState, branch: Branch) -> dict[str, object]:
    """ingestr's branch columns; a top-level branch's parent is the root, id 0."""
    bounds = state.bounds[branch.id]
    return {
        "id_org": branch.id,
        "id_parent": branch.parent_id,
        "lft": bounds.i_left,
        "rgt": bounds.i_right,
        "code": branch.code,
        "translation": dict(branch.translations),
        "external_id": None,
    }


def branch_spec(state: DoceboState) -> ListSpec[Branch]:
    return ListSpec(
        name="branches",
        default_sort="id",
        sorts={
            "id": lambda b: b.id,
            "code": lambda b: b.code.casefold(),
            "title": lambda b: b.title.casefold(),
            "i_left": lambda b: state.bounds[b.id].i_left,
        },
        render=lambda b: branch_item(state, b),
    )


def path_branch(state: DoceboState, request: Request) -> Branch:
    """The branch named by `{branch_id}` (an id, or a code in secondary mode)."""
    raw = request.params["branch_id"]
    if flag_arg(request, "use_secondary_identifier"):
        found = state.branches_by_code(raw)
        if len(found) > 1:
            raise HttpError(400, f"Branch code '{raw}' is not unique")
        if not found:
            raise HttpError(404, f"Branch not found: {raw}")
        return found[0]
    branch_id = as_id(raw)
    if branch_id is None:
        raise HttpError(400, f"Invalid branch id: {raw}")
    if branch_id not in state.branches:
        raise HttpError(404, f"Branch not found: {raw}")
    return state.branches[branch_id]


def list_children(state: DoceboState, request: Request) -> Response:
    """GET /manage/v1/orgchart?node_id=<id>[&flattened=true]: the children of a branch,
    or (modern era, flattened) every branch under it."""
    request = resolve(state, request)
    node = int_arg(request, "node_id", ROOT_ID, 0)
    if node != ROOT_ID and node not in state.branches:
        raise HttpError(404, f"Branch not found: {node}")
    flat = state.era == "modern" and flag_arg(request, "flattened")
    source = state.descendants if flat else state.children
    spec = branch_spec(state)
    return list_page(state, request, spec, (node, flat), lambda: source(node))


def get_branch(state: DoceboState, request: Request) -> Response:
    """GET /manage/v1/orgchart/{branch_id}."""
    return json_response({"data": branch_item(state, path_branch(state, request))})


def create_branch(state: DoceboState, request: Request) -> Response:
    """POST /manage/v1/orgchart: {"code", "translations", "id_parent"}."""
    body = body_object(request)
    code = free_code(state, text_field(body, "code", required=True) or "", None)
    names = translations(object_field(body, "translations"), required=True)
    parent = parent_id(state, body.get("id_parent"), "id_parent")
    branch = state.add_branch(code, tuple(names.items()), parent)
    return json_response({"data": {"id": branch.id}})


def update_branch(state: DoceboState, request: Request) -> Response:
    """PUT /manage/v1/orgchart/{branch_id}: {"code"?, "translations"?}."""
    branch = path_branch(state, request)
    body = body_object(request)
    code = text_field(body, "code")
    if code is not None:
        code = free_code(state, code, branch.id)
    names = dict(branch.translations)
    names.update(translations(object_field(body, "translations"), required=False))
    state.put_branch(Branch(branch.id, code or branch.code, tuple(names.items()), branch.parent_id))
    return json_response(SUCCESS)


def move_branch(state: DoceboState, request: Request) -> Response:
    """POST /manage/v1/orgchart/{branch_id}/move: {"id_new_parent": n}."""
    branch = path_branch(state, request)
    body = body_object(request)
    if body.get("id_new_parent") is None:
        raise HttpError(400, "'id_new_parent' is required")
    parent = parent_id(state, body["id_new_parent"], "id_new_parent")
    check_move(state, branch, parent)
    state.put_branch(Branch(branch.id, branch.code, branch.translations, parent))
    return json_response(SUCCESS)


def delete_branch(state: DoceboState, request: Request) -> Response:
    """DELETE /manage/v1/orgchart/{branch_id}: only a branch without children."""
    branch = path_branch(state, request)
    check_delete(state, branch)
    state.remove_branch(branch.id)
    return json_response(SUCCESS)


def branch_users(state: DoceboState, request: Request) -> Response:
    """GET /manage/v1/orgchart/{branch_id}/users: the users of the branch and of every branch
    under it; with `only_first_level=1` only those directly in it (the 2017 SDK: "If this
    parameter is not provided then api will get also users in child branches")."""
    request = resolve(state, request)
    branch_id = path_branch(state, request).id
    direct = flag_arg(request, "only_first_level")
    scope = (branch_id, direct)
    if direct:
        return list_page(state, request, MEMBERS, scope, lambda: state.users_in_branch(branch_id))
    return list_page(state, request, MEMBERS, scope, lambda: _users_under(state, branch_id))


def _users_under(state: DoceboState, branch_id: int) -> list[User]:
    ids = set(state.branch_users.get(branch_id, ()))
    for branch in state.descendants(branch_id):
        ids |= state.branch_users.get(branch.id, set())
    return [state.users[i] for i in sorted(ids)]


def assign_users(state: DoceboState, request: Request) -> Response:
    """POST /manage/v1/orgchart/assign_users: {"id_org": n, "id_users": "1,2,3"}."""
    body = body_object(request)
    org = id_field(body, "id_org")
    if org not in state.branches:
        raise HttpError(400, f"Branch not found: {org}")
    raw = body.get("id_users")
    if not isinstance(raw, str) or not raw.strip():
        raise HttpError(400, "'id_users' must be a comma-separated string of ids")
    tokens = [part.strip() for part in raw.split(",")]
    at_most(tokens, "users")
    outcome: dict[str, list[object]] = {
        "success": [],
        "already_assigned_users": [],
        "users_not_exist": [],
        "errors": [],
    }
    for token in tokens:
        key, value = _assign_one(state, org, token)
        outcome[key].append(value)
    return json_response({"data": outcome})


def _assign_one(state: DoceboState, org: int, token: str) -> tuple[str, object]:
    user_id = as_id(token)
    if user_id is None:
        return "errors", token
    if user_id not in state.users:
        return "users_not_exist", user_id
    if user_id in state.branch_users.get(org, set()):
        return "already_assigned_users", user_id
    state.set_member(state.branch_users, org, user_id, on=True)
    return "success", user_id


def free_code(state: DoceboState, code: str, owner: int | None) -> str:
    """`code`, if no branch other than `owner` uses it; else 400."""
    if not code.strip():
        raise HttpError(400, "'code' must be a non-empty string")
    if any(b.id != owner for b in state.branches_by_code(code)):
        raise HttpError(400, f"Branch code already in use: {code}")
    return code


def translations(raw: dict[str, object], *, required: bool) -> dict[str, str]:
    """Branch names by language; at least one when `required`."""
    names = {lang: name for lang, name in raw.items() if isinstance(name, str) and name.strip()}
    if len(names) != len(raw) or (required and not names):
        raise HttpError(400, "'translations' must map languages to non-empty names")
    return names


def parent_id(state: DoceboState, raw: object, key: str) -> int:
    """A parent branch id from a body field: absent or 0 is the root."""
    if raw is None:
        return ROOT_ID
    parent = as_id(raw)
    if parent is None:
        raise HttpError(400, f"'{key}' must be an integer id")
    if parent != ROOT_ID and parent not in state.branches:
        raise HttpError(400, f"Parent branch not found: {parent}")
    return parent


def check_move(state: DoceboState, branch: Branch, parent: int) -> None:
    if parent != ROOT_ID and state.is_within(parent, branch.id):
        raise HttpError(400, "A branch cannot be moved under itself or a descendant")


def check_delete(state: DoceboState, branch: Branch) -> None:
    if state.children(branch.id):
        raise HttpError(400, f"Branch {branch.id} has children; delete or move them first")
