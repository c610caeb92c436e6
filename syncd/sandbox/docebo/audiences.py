"""`GET /audiences/v1/audience`: Docebo's groups as "audiences" (modern era only).

Since the new groups management (2020-10-27) a read client of today lists groups
here (bruin-data/ingestr `readGroups`), with the columns of ingestr's `groups`
resource. It answers from the same groups as `/manage/v1/group`; the simulator
keeps no rules, branch or default flag for a group, so those come as null/false.
"""

from __future__ import annotations

from syncd.sandbox.docebo.paging import ListSpec, list_page, resolve
from syncd.sandbox.docebo.records import Group
from syncd.sandbox.docebo.state import DoceboState
from syncd.sandbox.messages import Request, Response


def audience_spec(state: DoceboState) -> ListSpec[Group]:
    return ListSpec(
        name="audiences",
        default_sort="group_id",
        sorts={"group_id": lambda g: g.group_id, "name": lambda g: g.name.casefold()},
        render=lambda g: render_audience(state, g),
    )


def render_audience(state: DoceboState, group: Group) -> dict[str, object]:
    return {
        "group_id": group.group_id,
        "name": group.name,
        "description": group.description,
        "total_members": len(state.group_users.get(group.group_id, ())),
        "id_branch": None,
        "enrollment_rules": None,
        "is_default": False,
        "creation_date": group.creation_date,
        "last_update": group.last_update,
    }


def list_audiences(state: DoceboState, request: Request) -> Response:
    """GET /audiences/v1/audience."""
    request = resolve(state, request)
    return list_page(state, request, audience_spec(state), (), state.groups.values)
