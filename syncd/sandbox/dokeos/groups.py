"""Dokeos group endpoints: flat groups with learners and managers.

Creating, renaming and deleting a group are synchronous; a `code`, when set,
is unique ignoring case (422). The membership keys (`add_learner_ids`,
`remove_learner_ids`, `add_manager_ids`, `remove_manager_ids`) on POST or
PUT start a job; unknown user ids fail the job, not the request.
"""

from __future__ import annotations

from dataclasses import replace

from syncd.sandbox.dokeos.forms import TAKEN, Form
from syncd.sandbox.dokeos.jobs import start
from syncd.sandbox.dokeos.lists import page_of, path_record
from syncd.sandbox.dokeos.records import ChangeMembers, Group
from syncd.sandbox.dokeos.state import DokeosState
from syncd.sandbox.messages import Request, Response, json_response

GROUP_FIELDS = ("name", "code", "description")
MEMBER_KEYS = ("add_learner_ids", "remove_learner_ids", "add_manager_ids", "remove_manager_ids")


def render_group(group: Group) -> dict[str, object]:
    return {
        "id": group.id,
        "name": group.name,
        "code": group.code,
        "description": group.description,
        "learner_ids": sorted(group.learner_ids),
        "manager_ids": sorted(group.manager_ids),
    }


def list_groups(state: DokeosState, request: Request) -> Response:
    """GET /groups."""
    return page_of(state, request, list(state.groups.values()), render_group)


def get_group(state: DokeosState, request: Request) -> Response:
    """GET /groups/{id}."""
    return json_response({"data": render_group(path_record(state.groups, request, "Group"))})


def create_group(state: DokeosState, request: Request) -> Response:
    """POST /groups: {"name", "code"?, "description"?} (+ membership keys: a job too)."""
    form = Form(request, GROUP_FIELDS + MEMBER_KEYS)
    name, code = form.required_text("name"), form.nullable_text("code")
    group = Group(0, name, code, form.free_text("description") or "")
    members = _members(form)
    _check_code(state, form, group)
    form.check()
    group = replace(group, id=state.next_id("group"))
    state.put_group(group)
    body: dict[str, object] = {"data": render_group(group)}
    if members is not None:
        body["job_id"] = start(state, replace(members, group_id=group.id)).id
    return json_response(body, 201)


def update_group(state: DokeosState, request: Request) -> Response:
    """PUT /groups/{id}: name/code/description now (200); membership keys: a job (202)."""
    group = path_record(state.groups, request, "Group")
    form = Form(request, GROUP_FIELDS + MEMBER_KEYS)
    changed = _changed(group, form)
    members = _members(form)
    _check_code(state, form, changed)
    form.check()
    state.put_group(changed)
    if members is None:
        return json_response({"data": render_group(changed)})
    body: dict[str, object] = {"job_id": start(state, replace(members, group_id=group.id)).id}
    if any(form.has(key) for key in GROUP_FIELDS):
        body["data"] = render_group(changed)
    return json_response(body, 202)


def delete_group(state: DokeosState, request: Request) -> Response:
    """DELETE /groups/{id}: 200 with the group as it was."""
    group = path_record(state.groups, request, "Group")
    state.remove_group(group.id)
    return json_response({"data": render_group(group)})


def _changed(group: Group, form: Form) -> Group:
    code = form.nullable_text("code") if form.has("code") else group.code
    description = form.free_text("description")
    return replace(
        group,
        name=form.text("name") or group.name,
        code=code,
        description=group.description if description is None else description,
    )


def _members(form: Form) -> ChangeMembers | None:
    """The membership change a body asks for (its group id set later), or None."""
    if not any(form.has(key) for key in MEMBER_KEYS):
        return None
    lists = {key: form.ids(key) for key in MEMBER_KEYS}
    for role in ("learner", "manager"):
        clash = set(lists[f"add_{role}_ids"]) & set(lists[f"remove_{role}_ids"])
        if clash:
            named = ", ".join(map(str, sorted(clash)))
            form.problems[f"remove_{role}_ids"] = f"names ids also added: {named}"
    return ChangeMembers(
        group_id=0,
        add_learner_ids=lists["add_learner_ids"],
        remove_learner_ids=lists["remove_learner_ids"],
        add_manager_ids=lists["add_manager_ids"],
        remove_manager_ids=lists["remove_manager_ids"],
    )


def _check_code(state: DokeosState, form: Form, group: Group) -> None:
    holder = None if group.code is None else state.group_with_code(group.code)
    if holder is not None and holder.id != group.id and "code" not in form.problems:
        form.problems["code"] = TAKEN
