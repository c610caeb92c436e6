"""Reading one Docebo platform into records, through the lists its API era serves.

`Reader.records()` is the connector's `fetch`: users, the branch tree (one flattened
listing on a modern tenant; the root and each inner branch on a 2017 one) with each
branch's users, the groups with their members, the courses and the enrollments.
Groups come from audiences where the tenant serves them (a 404 means it predates them:
`/manage/v1/group`), enrollments from the one `/learn/v1/enrollments` list, the cheaper
walk, where served (else each course's list). Each choice is made on the first answer
and kept for the reader's life (one connector, one cycle): a 2017 tenant costs one
refused request (audiences), a modern one none.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import TypeVar
from urllib.parse import quote

from syncd.connectors.docebo import mapping, tree
from syncd.connectors.docebo.client import (
    AUDIENCES,
    COURSE_ENROLLMENTS,
    COURSES,
    ENROLLMENTS,
    GROUPS,
    ORGCHART,
    USERS,
    DoceboClient,
    JsonObject,
)
from syncd.connectors.docebo.moves import BranchCounts
from syncd.connectors.http import LoopGuard, Params, RequestRefusedError
from syncd.records import (
    FetchItem,
    GroupKind,
    PartRead,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemotePart,
    RemoteRecord,
)

T = TypeVar("T")

FLATTENED = {"flattened": "true"}
DIRECT = {"only_first_level": "1"}  # the SDK: without it, child branches' users come too
WITH_STATUS = {"extra_fields[]": "enrollment_status"}  # as ingestr asks each course's list


class Reader:
    """The read side of one connector; remembers which group and enrollment lists are served."""

    def __init__(self, client: DoceboClient) -> None:
        self._client = client
        self.groups_path: str | None = None
        self.per_course: bool | None = None
        self.branch_counts = BranchCounts()  # how many branches each user is in, as read

    def records(self) -> Iterator[FetchItem]:
        """Every record, each part followed by its `PartRead` (branches and groups, with
        their members, make the groups and memberships parts)."""
        self.branch_counts.reset()
        yield from map(mapping.user, self._client.pages(USERS, sort_attr="user_id"))
        yield PartRead(RemotePart.USERS)
        yield from self._branches()
        yield from self._groups()
        yield from (PartRead(RemotePart.GROUPS), PartRead(RemotePart.MEMBERSHIPS))
        courses: list[RemoteId] = []
        for item in self._client.pages(COURSES, sort_attr="id"):
            course = mapping.course(item)
            courses.append(course.remote_id)
            yield course
        yield PartRead(RemotePart.COURSES)
        yield from self._enrollments(courses)
        yield PartRead(RemotePart.ENROLLMENTS)

    # --- branches ------------------------------------------------------------------------

    def _branches(self) -> Iterator[RemoteRecord]:
        for branch in self._tree():
            yield branch
            users = f"{ORGCHART}/{quote(branch.remote_id)}/users"
            for member in self._members(users, GroupKind.ORG_UNIT, branch.remote_id, DIRECT):
                self.branch_counts.see(member.user_remote_id)
                yield member

    def branch_ids(self) -> dict[str, RemoteId]:
        """Every branch's id by its code, from one walk of the tree (no users read)."""
        return {branch.code: branch.remote_id for branch in self._tree() if branch.code}

    def _tree(self) -> Iterator[RemoteGroup]:
        """Every branch, listing by listing (the root's, then each one left unexpanded)."""
        guard = LoopGuard("the branch tree")
        pending = [mapping.ROOT]
        while pending:
            node = pending.pop()
            nodes = [tree.branch_node(item) for item in self._listing(node)]
            placed = tree.place(nodes, node)
            for branch in placed:
                guard.see(branch.remote_id)
                yield branch
            pending.extend(tree.unexpanded(nodes, placed))

    def _listing(self, node: RemoteId) -> Iterator[JsonObject]:
        params = FLATTENED if node == mapping.ROOT else {**FLATTENED, "node_id": node}
        return self._client.pages(ORGCHART, sort_attr="id", params=params)

    # --- groups and members --------------------------------------------------------------

    def _groups(self) -> Iterator[RemoteRecord]:
        for item in self._group_items():
            group = mapping.group(item)
            yield group
            members = f"{GROUPS}/{quote(group.remote_id)}/members"
            yield from self._members(members, GroupKind.GROUP, group.remote_id)

    def _group_items(self) -> Iterator[JsonObject]:
        if self.groups_path is None:
            audiences = served(self._client.pages(AUDIENCES, sort_attr="group_id"))
            self.groups_path = GROUPS if audiences is None else AUDIENCES
            if audiences is not None:
                return audiences
        return self._client.pages(self.groups_path, sort_attr="group_id")

    def _members(
        self, path: str, kind: GroupKind, group_id: RemoteId, params: Params | None = None
    ) -> Iterator[RemoteMembership]:
        for item in self._client.pages(path, sort_attr="user_id", params=params):
            yield mapping.member(kind, group_id, item)

    # --- enrollments ---------------------------------------------------------------------

    def _enrollments(self, courses: Sequence[RemoteId]) -> Iterator[RemoteEnrollment]:
        """The one `/learn/v1/enrollments` list where served, else each course's list; no
        course, no request. The one list never takes more pages than the per-course lists
        together (their page counts sum to at least the page count of their union, and
        each course costs a request even when empty), so it is the cheaper walk wherever
        the tenant serves it (docs/lms/docebo.md Courses and enrollments). Its
        learning-plan items are no course's and are skipped."""
        if not courses:
            return
        if self.per_course is None:
            listed = served(self._client.pages(ENROLLMENTS, sort_attr="id"))
            self.per_course = listed is None
            if listed is not None:
                yield from _course_enrollments(listed)
                return
        if self.per_course:
            for course in courses:
                yield from self._course_list(course)
        else:
            yield from _course_enrollments(self._client.pages(ENROLLMENTS, sort_attr="id"))

    def _course_list(self, course: RemoteId) -> Iterator[RemoteEnrollment]:
        path = COURSE_ENROLLMENTS.format(course_id=quote(course))
        items = self._client.pages(path, sort_attr="user_id", params=WITH_STATUS)
        return (mapping.enrollment(item, course) for item in items)


def _course_enrollments(items: Iterator[JsonObject]) -> Iterator[RemoteEnrollment]:
    """The list's items as enrollments, less those of learning plans (lms-apis.md 1.6)."""
    return (mapping.enrollment(item) for item in items if mapping.in_a_course(item))


def served(items: Iterator[T]) -> Iterator[T] | None:
    """`items` when the first request for them was answered; None when it was 404 (a path
    the tenant does not serve). Other refusals stand."""
    try:
        first = next(items)
    except StopIteration:
        return iter(())
    except RequestRefusedError as err:
        if err.status != 404:
            raise
        return None
    return itertools.chain((first,), items)
