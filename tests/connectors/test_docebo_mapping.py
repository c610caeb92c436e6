"""The Docebo connector's tolerant reader, table-driven: each documented variant of each item
parses to the same record; an item with none of a field's spellings fails loudly, naming
its keys and none of its values; the branch tree is placed from stated parents, from
nested-set bounds, or from the node listed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from syncd.connectors.docebo import mapping, tree
from syncd.connectors.docebo.spelling import Table
from syncd.errors import FatalError
from syncd.records import (
    EnrollmentStatus,
    GroupKind,
    Progress,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemoteUser,
)

Json = dict[str, Any]
R = RemoteId
WHEN = dt.datetime(2024, 3, 1, 8, 30, 5, tzinfo=dt.UTC)

ANN = RemoteUser(R("12"), "ann", "ann@acme.com", "Ann", "Lee", True)
USERS: list[tuple[str, Json, RemoteUser]] = [
    (
        "modern (ingestr users)",
        {
            "user_id": "12",
            "username": "ann",
            "email": "ann@acme.com",
            "first_name": "Ann",
            "last_name": "Lee",
            "status": "1",
            "uuid": "u-1",
            "fullname": "Ann Lee",
        },
        ANN,
    ),
    (
        "2017 SDK ManageUserIndexItems (firs_tname, integer status)",
        {
            "user_id": 12,
            "username": "ann",
            "email": "ann@acme.com",
            "firs_tname": "Ann",
            "last_name": "Lee",
            "status": 1,
        },
        ANN,
    ),
    (
        "2017 create-schema spellings",
        {
            "user_id": 12,
            "username": "ann",
            "email": "ann@acme.com",
            "firstname": "Ann",
            "lastname": "Lee",
            "status": "1",
        },
        ANN,
    ),
    (
        "suspended, null names",
        {
            "user_id": "12",
            "username": "ann",
            "email": None,
            "first_name": None,
            "last_name": None,
            "status": "0",
        },
        RemoteUser(R("12"), "ann", "", "", "", False),
    ),
]

SALES = RemoteGroup(R("4"), GroupKind.GROUP, "Sales")
GROUPS: list[tuple[str, Json, RemoteGroup]] = [
    ("audience (ingestr groups)", {"group_id": 4, "name": "Sales", "total_members": 3}, SALES),
    ("legacy group list", {"group_id": "4", "name": "Sales", "description": ""}, SALES),
    ("audience_id (ingestr's fallback)", {"audience_id": 4, "name": "Sales"}, SALES),
    ("id (ingestr's last fallback)", {"id": 4, "name": "Sales"}, SALES),
]

SEC = RemoteCourse(R("7"), "SEC-101", "Security")
COURSES: list[tuple[str, Json, RemoteCourse]] = [
    ("id_course (SDK, live tenant)", {"id_course": 7, "code": "SEC-101", "name": "Security"}, SEC),
    ("course_id", {"course_id": "7", "code": "SEC-101", "name": "Security"}, SEC),
    ("id", {"id": 7, "code": "SEC-101", "name": "Security"}, SEC),
]

DONE = RemoteEnrollment(
    R("7"), R("12"), EnrollmentStatus.COMPLETED, Progress(WHEN, WHEN, 80.0, "completed")
)
ENROLLMENTS: list[tuple[str, Json, RemoteEnrollment]] = [
    (
        "learn/v1/enrollments (SDK LearnEnrollmentIndexItems)",
        {
            "id": 7,
            "user_id": 12,
            "status": "completed",
            "enroll_begin_date": "2024-03-01 08:30:05",
            "course_complete_date": "2024-03-01 08:30:05",
            "score": 80,
            "code": "SEC-101",
        },
        DONE,
    ),
    (
        "course/v1/courses/{id}/enrollments (ingestr course_enrollments)",
        {
            "course_id": 7,
            "user_id": "12",
            "status": "completed",
            "enrollment_date": "2024-03-01 08:30:05",
            "completion_date": "2024-03-01 08:30:05",
            "score_given": 80,
            "score_total": 100,
        },
        DONE,
    ),
    (
        "enrollment_status as an extra field",
        {
            "course_id": 7,
            "user_id": "12",
            "enrollment_status": "completed",
            "status": "active",
            "enrollment_date": "2024-03-01T08:30:05Z",
            "completion_date": "2024-03-01 08:30:05",
            "score_given": "80",
        },
        DONE,
    ),
]


@pytest.mark.parametrize(("variant", "item", "expected"), USERS, ids=[v[0] for v in USERS])
def test_user_variants(variant: str, item: Json, expected: RemoteUser) -> None:
    assert mapping.user(item) == expected


@pytest.mark.parametrize(("variant", "item", "expected"), GROUPS, ids=[v[0] for v in GROUPS])
def test_group_variants(variant: str, item: Json, expected: RemoteGroup) -> None:
    assert mapping.group(item) == expected


@pytest.mark.parametrize("item", [{"user_id": 12}, {"user_id": "12", "username": "ann"}])
def test_member_variants(item: Json) -> None:
    expected = RemoteMembership(GroupKind.GROUP, R("4"), R("12"))
    assert mapping.member(GroupKind.GROUP, R("4"), item) == expected


@pytest.mark.parametrize(("variant", "item", "expected"), COURSES, ids=[v[0] for v in COURSES])
def test_course_variants(variant: str, item: Json, expected: RemoteCourse) -> None:
    assert mapping.course(item) == expected


@pytest.mark.parametrize(
    ("variant", "item", "expected"), ENROLLMENTS, ids=[v[0] for v in ENROLLMENTS]
)
def test_enrollment_variants(variant: str, item: Json, expected: RemoteEnrollment) -> None:
    assert mapping.enrollment(item) == expected


def test_a_per_course_item_takes_its_course_from_the_path() -> None:
    item = {"user_id": "12", "status": "subscribed"}
    read = mapping.enrollment(item, R("7"))
    assert (read.course_remote_id, read.user_remote_id) == (R("7"), R("12"))


@pytest.mark.parametrize(
    ("kind", "in_a_course"),
    [
        (None, True),
        ("elearning", True),
        ("classroom", True),
        ("learning_plan", False),
        (" Learning_Plan ", False),
    ],
)
def test_the_one_lists_learning_plan_items_are_no_courses(
    kind: str | None, in_a_course: bool
) -> None:
    """lms-apis.md 1.6: `/learn/v1/enrollments` items have a `type`, `learning_plan` among
    them, whose `id` is the plan's; an item without `type` is a course's."""
    item: Json = {"id": 7, "user_id": 12, "status": "subscribed"}
    if kind is not None:
        item["type"] = kind
    assert mapping.in_a_course(item) is in_a_course


# --- failing loudly -------------------------------------------------------------------------

MISSING: list[tuple[str, Any, Json, str]] = [
    (
        "user id",
        mapping.user,
        {
            "username": "ann",
            "email": "a@x.io",
            "first_name": "Ann",
            "last_name": "Lee",
            "status": "1",
        },
        "user_id",
    ),
    (
        "first name",
        mapping.user,
        {"user_id": 1, "username": "ann", "email": "a@x.io", "last_name": "Lee", "status": "1"},
        "first_name / firs_tname / firstname",
    ),
    (
        "course id",
        mapping.course,
        {"code": "SEC-101", "name": "Security"},
        "id_course / course_id / id",
    ),
    ("course code", mapping.course, {"id_course": 7, "name": "Security"}, "code"),
    ("group id", mapping.group, {"name": "Sales"}, "group_id / audience_id / id"),
    ("enrollment status", mapping.enrollment, {"id": 7, "user_id": 12}, "enrollment_status"),
    ("branch id", tree.branch_node, {"code": "B", "title": "Beta"}, "id_org / id"),
    ("branch name", tree.branch_node, {"id_org": 3, "code": "B"}, "translation / title"),
]


@pytest.mark.parametrize(("field", "read", "item", "keys"), MISSING, ids=[m[0] for m in MISSING])
def test_an_item_without_any_spelling_fails_naming_its_keys_only(
    field: str, read: Any, item: Json, keys: str
) -> None:
    with pytest.raises(FatalError) as caught:
        read(item)
    message = str(caught.value)
    assert keys in message
    assert f"its keys: {', '.join(sorted(item))}" in message
    assert not any(str(value) in message for value in item.values() if len(str(value)) > 2)


@pytest.mark.parametrize("value", [None, ""])
def test_a_null_id_is_as_bad_as_none(value: object) -> None:
    with pytest.raises(FatalError, match="without a value for its id"):
        mapping.course({"id_course": value, "code": "C", "name": "C"})


@pytest.mark.parametrize("table", mapping.TABLES, ids=lambda t: t.what)
def test_every_spelling_names_its_source(table: Table) -> None:
    for field in table.fields:
        assert field.spellings
        assert all(spelling.source.strip() for spelling in field.spellings)


# --- branches ------------------------------------------------------------------------------

BRANCHES: list[tuple[str, Json]] = [
    (
        "modern (ingestr branches)",
        {
            "id_org": 5,
            "id_parent": 3,
            "lft": 3,
            "rgt": 4,
            "code": "B1",
            "translation": {"italian": "Beta uno", "english": "Beta one"},
            "external_id": None,
        },
    ),
    (
        "2017 SDK with id_parent",
        {
            "id": 5,
            "id_parent": 3,
            "code": "B1",
            "title": "Beta one",
            "lev": 2,
            "i_left": 3,
            "i_right": 4,
        },
    ),
    (
        "translation as text",
        {"id_org": "5", "id_parent": "3", "code": "B1", "translation": "Beta one"},
    ),
    (
        "translations by language code",
        {
            "id": 5,
            "id_parent": 3,
            "code": "B1",
            "translations": {"de": "Beta eins", "en": "Beta one"},
        },
    ),
    ("orgchart batch name", {"id": 5, "id_parent": 3, "code": "B1", "name": {"all": "Beta one"}}),
]


PARENT = {"id_org": 3, "id_parent": 0, "code": "B", "translation": "Beta"}


@pytest.mark.parametrize(("variant", "item"), BRANCHES, ids=[b[0] for b in BRANCHES])
def test_branch_variants(variant: str, item: Json) -> None:
    nodes = [tree.branch_node(PARENT), tree.branch_node(item)]
    placed = tree.place(nodes, mapping.ROOT)
    assert placed[1] == RemoteGroup(R("5"), GroupKind.ORG_UNIT, "Beta one", "B1", R("3"))


def sdk_item(branch_id: int, code: str, left: int, right: int, lev: int) -> Json:
    """A 2017 SDK orgchart item: no id_parent, only the nested set."""
    return {
        "id": branch_id,
        "code": code,
        "title": code,
        "lev": lev,
        "i_left": left,
        "i_right": right,
    }


def parents(groups: list[RemoteGroup]) -> dict[str | None, str | None]:
    by_id = {g.remote_id: g.code for g in groups}
    return {g.code: by_id.get(g.parent_remote_id) if g.parent_remote_id else None for g in groups}


def test_a_flat_list_without_parents_is_placed_by_its_bounds() -> None:
    items = [
        sdk_item(1, "A", 2, 7, 1),
        sdk_item(2, "A1", 3, 6, 2),
        sdk_item(3, "A11", 4, 5, 3),
        sdk_item(4, "B", 8, 9, 1),
    ]
    nodes = [tree.branch_node(item) for item in reversed(items)]
    placed = tree.place(nodes, mapping.ROOT)
    assert parents(placed) == {"A": None, "A1": "A", "A11": "A1", "B": None}
    assert tree.unexpanded(nodes, placed) == []


def test_a_listed_root_is_left_out_and_its_children_are_top_level() -> None:
    items = [
        {"id_org": 1, "id_parent": None, "lft": 1, "rgt": 4, "code": "root", "translation": "Root"},
        {"id_org": 9, "id_parent": 1, "lft": 2, "rgt": 3, "code": "T", "translation": "T"},
    ]
    placed = tree.place([tree.branch_node(item) for item in items], mapping.ROOT)
    assert placed == [RemoteGroup(R("9"), GroupKind.ORG_UNIT, "T", "T", None)]


def test_a_parent_the_listing_does_not_show_is_the_node_listed() -> None:
    """Docebo's root may carry an id of its own (here 1) and not be listed."""
    items = [
        {"id_org": 9, "id_parent": 1, "lft": 2, "rgt": 5, "code": "T", "translation": "T"},
        {"id_org": 10, "id_parent": 9, "lft": 3, "rgt": 4, "code": "K", "translation": "K"},
    ]
    placed = tree.place([tree.branch_node(item) for item in items], mapping.ROOT)
    assert [(g.code, g.parent_remote_id) for g in placed] == [("T", None), ("K", R("9"))]


def test_children_listed_under_a_node_are_its_own() -> None:
    nodes = [tree.branch_node({"id": 8, "code": "K", "title": "Kid"})]
    assert tree.place(nodes, R("3"))[0].parent_remote_id == R("3")


def test_inner_branches_whose_children_are_not_listed_are_listed_next() -> None:
    items = [
        sdk_item(1, "A", 2, 5, 1),
        sdk_item(4, "B", 6, 7, 1),
        {"id": 6, "code": "C", "title": "C"},
    ]
    nodes = [tree.branch_node(item) for item in items]
    placed = tree.place(nodes, mapping.ROOT)
    assert tree.unexpanded(nodes, placed) == [R("1"), R("6")]  # C: bounds unknown


@pytest.mark.parametrize(("value", "root"), [(0, True), ("0", True), ("", True), (3, False)])
def test_a_parent_of_0_is_the_root(value: object, root: bool) -> None:
    assert (tree.parent_id(value) == mapping.ROOT) is root
