"""The streaming diff makes exactly the plan `diff()` makes of the same state held whole.

Random mirrors, shadows and links (adoptable accounts, stale and unseen links, broken-off
reads, codes whose text order is not their column order, managers, leavers, on_leave
"delete", unsupported kinds, jobs in flight) are written to a real database and planned
both ways: the operations and their order, `held` and `unsupported` must be equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from syncd.keys import EnrollmentKey, GroupKey, Links, MembershipKey, ObjectKey, UserKey
from syncd.operations import OpKind
from syncd.reconcile.courses import CourseCodes
from syncd.reconcile.diff import DiffPolicy, diff
from syncd.reconcile.stream import diff_stored
from syncd.records import (
    CourseCode,
    DesiredState,
    EmployeeId,
    Enrollment,
    EnrollmentStatus,
    FetchItem,
    Group,
    GroupKind,
    GroupRef,
    MemberRole,
    Membership,
    PartRead,
    Person,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemotePart,
    RemoteState,
    RemoteUser,
)
from syncd.store import Database, unit_of_work
from syncd.store.links import LinkChanges, write_links
from syncd.store.mirror import replace_mirror
from syncd.store.schema import LinkRow
from syncd.store.shadow import SHADOW_MODELS, ShadowWriter

TARGET = "lms"
NOW = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
EMPLOYEES = ["E1", "E10", "E1-a", "E2", "e3", "E4"]
UNITS = ["A", "A-1", "AB", "A.B"]  # "A-1/…" sorts before "A/…": text order, not column order
CONFIG = ["all", "all-x"]
COURSES = (
    RemoteCourse(RemoteId("c1"), "SEC", "Security"),
    RemoteCourse(RemoteId("c2"), "GDPR", "Privacy"),
    RemoteCourse(RemoteId("c3"), "SEC", "Security again"),  # two ids, one code
)
NAMES = st.sampled_from(["Ada", "ada", "Grace"])
REFS = [GroupRef(GroupKind.ORG_UNIT, u) for u in UNITS] + [
    GroupRef(GroupKind.GROUP, g) for g in CONFIG
]


def _person(draw: st.DrawFn, emp: str) -> Person:
    name, active = draw(NAMES), draw(st.booleans())
    on_leave = not active and draw(st.booleans())
    person = Person(EmployeeId(emp), f"{name}@x", name, draw(NAMES), f"{name}@x", active)
    return replace(person, on_leave=on_leave)


@st.composite
def desired_states(draw: st.DrawFn) -> DesiredState:
    people = {EmployeeId(e): _person(draw, e) for e in draw(st.sets(st.sampled_from(EMPLOYEES)))}
    refs = draw(st.sets(st.sampled_from(REFS)))
    groups = {r: Group(r, draw(NAMES), _parent(draw, r, refs)) for r in refs}
    roles = st.sampled_from(list(MemberRole))
    memberships = frozenset(
        Membership(r, e, draw(roles)) for r in refs for e in people if draw(st.booleans())
    )
    enrollments = {
        (e, CourseCode(c)): Enrollment(e, CourseCode(c), draw(st.none() | st.just(NOW.date())))
        for e in people
        for c in ("SEC", "GDPR")
        if draw(st.booleans())
    }
    return DesiredState(people, groups, memberships, enrollments)


def _parent(draw: st.DrawFn, ref: GroupRef, refs: set[GroupRef]) -> GroupRef | None:
    if ref.kind is not GroupKind.ORG_UNIT:
        return None
    return draw(st.sampled_from([None, *sorted(r for r in refs if r.kind is ref.kind)]))


@st.composite
def remote_states(draw: st.DrawFn) -> tuple[RemoteState, Links]:
    uids = sorted(draw(st.sets(st.integers(1, 8))))
    users = tuple(_remote_user(draw, i) for i in uids)
    gids = {ref: RemoteId(f"g{i}") for i, ref in enumerate(REFS) if draw(st.booleans())}
    groups = tuple(_remote_group(draw, ref, rid, gids) for ref, rid in gids.items())
    members = tuple(
        RemoteMembership(ref.kind, rid, u.remote_id, draw(st.sampled_from(list(MemberRole))))
        for ref, rid in gids.items()
        for u in users
        if draw(st.booleans())
    )
    statuses = st.sampled_from([EnrollmentStatus.ENROLLED, *EnrollmentStatus])
    enrollments = tuple(
        RemoteEnrollment(c.remote_id, u.remote_id, draw(statuses))
        for c in COURSES
        for u in users
        if draw(st.booleans())
    )
    complete = draw(st.booleans())
    parts = frozenset() if complete else draw(st.frozensets(st.sampled_from(list(RemotePart))))
    state = RemoteState(users, groups, members, COURSES, enrollments, complete, parts)
    return state, draw(_links(uids, gids))


def _remote_user(draw: st.DrawFn, i: int) -> RemoteUser:
    name = draw(NAMES)
    external = draw(st.none() | st.sampled_from(EMPLOYEES))
    return RemoteUser(
        RemoteId(f"u{i}"), f"{name}@x", f"{name}@x", name, "Ada", draw(st.booleans()), external
    )


def _remote_group(
    draw: st.DrawFn, ref: GroupRef, rid: RemoteId, gids: dict[GroupRef, RemoteId]
) -> RemoteGroup:
    parent = draw(st.sampled_from([None, *sorted(gids.values())]))
    code = ref.code if ref.kind is GroupKind.ORG_UNIT else None
    return RemoteGroup(rid, ref.kind, draw(NAMES), code, parent if parent != rid else None)


@st.composite
def _links(draw: st.DrawFn, uids: list[int], gids: dict[GroupRef, RemoteId]) -> Links:
    rids = [RemoteId(f"u{i}") for i in [*uids, 99]]  # u99: a link the read never saw
    ids: dict[ObjectKey, RemoteId] = {}
    linked = draw(st.lists(st.sampled_from(EMPLOYEES), unique=True, max_size=len(rids)))
    order = draw(st.permutations(rids))
    ids.update({UserKey(EmployeeId(emp)): rid for emp, rid in zip(linked, order, strict=False)})
    for ref in draw(st.sets(st.sampled_from(REFS))):
        ids[GroupKey(ref)] = gids.get(ref, RemoteId("g99"))
    for ref in draw(st.sets(st.sampled_from(REFS))):
        for emp in draw(st.sets(st.sampled_from(EMPLOYEES))):
            role = draw(st.sampled_from(list(MemberRole)))
            ids[MembershipKey(ref, EmployeeId(emp), role)] = RemoteId("m")
    for emp in draw(st.sets(st.sampled_from(EMPLOYEES))):
        for code in draw(st.sets(st.sampled_from(["SEC", "GDPR", "LEAD"]))):
            ids[EnrollmentKey(EmployeeId(emp), CourseCode(code))] = RemoteId("")
    adopted = frozenset(k for k in ids if draw(st.booleans()))
    return Links(ids, adopted)


@st.composite
def policies(draw: st.DrawFn) -> DiffPolicy:
    keys = draw(st.sampled_from([("external_id", "username", "email"), ("email",), ()]))
    supports = frozenset(OpKind) - draw(st.sets(st.sampled_from(list(OpKind)), max_size=2))
    busy = draw(st.sets(st.sampled_from([UserKey(EmployeeId("E1")), GroupKey(REFS[0])])))
    return DiffPolicy(
        natural_keys=keys,
        groups_have_codes=draw(st.booleans()),
        supports=supports,
        nested_groups=draw(st.booleans()),
        courses=draw(st.none() | st.just(CourseCodes.of(COURSES[:2], {"LEAD": "c3"}))),
        on_leave=draw(st.sampled_from(["deactivate", "delete"])),
        member_roles=draw(
            st.sampled_from([frozenset({MemberRole.LEARNER}), frozenset(MemberRole)])
        ),
        busy=frozenset(busy),
    )


@st.composite
def synced_states(draw: st.DrawFn) -> tuple[RemoteState, Links]:
    """The LMS as a converged cycle leaves it for some HR state (every object linked), for
    plans of another: removals and re-additions, not only first contact."""
    before: DesiredState = draw(desired_states())
    uid = {emp: RemoteId(f"u{i}") for i, emp in enumerate(sorted(before.people))}
    gid = {ref: RemoteId(f"g{i}") for i, ref in enumerate(sorted(before.groups))}
    users = tuple(
        RemoteUser(uid[p.employee_id], p.username, p.email, p.first_name, p.last_name, p.active)
        for p in before.people.values()
    )
    groups = tuple(_remote_group(draw, ref, rid, gid) for ref, rid in gid.items())
    members = tuple(
        RemoteMembership(m.group.kind, gid[m.group], uid[m.employee_id], m.role)
        for m in before.memberships
    )
    statuses = st.sampled_from([EnrollmentStatus.ENROLLED, *EnrollmentStatus])
    enrollments = tuple(
        RemoteEnrollment(RemoteId("c1" if c == "SEC" else "c2"), uid[e], draw(statuses))
        for e, c in before.enrollments
    )
    ids: dict[ObjectKey, RemoteId] = {UserKey(e): rid for e, rid in uid.items()}
    ids |= {GroupKey(ref): rid for ref, rid in gid.items()}
    ids |= {MembershipKey.of(m): RemoteId("m") for m in before.memberships}
    ids |= {EnrollmentKey(e, c): RemoteId("") for e, c in before.enrollments}
    adopted = frozenset(k for k in ids if draw(st.booleans()))
    return RemoteState(users, groups, members, COURSES, enrollments), Links(ids, adopted)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(desired_states(), remote_states() | synced_states(), policies())
def test_the_streaming_diff_plans_what_the_diff_plans(
    database: Database,
    desired: DesiredState,
    remote_and_links: tuple[RemoteState, Links],
    policy: DiffPolicy,
) -> None:
    remote, links = remote_and_links
    with database.session() as session, unit_of_work(session):
        _store(session, desired, remote, links)
    with database.session() as session, unit_of_work(session):
        got = diff_stored(session, TARGET, policy)
    want = diff(desired, remote, links, policy)
    assert list(got) == list(want)
    assert got.held == want.held
    assert sorted(map(repr, got.unsupported)) == sorted(map(repr, want.unsupported))


def _store(session: object, desired: DesiredState, remote: RemoteState, links: Links) -> None:
    replace_mirror(
        session,  # type: ignore[arg-type]
        people=desired.people.values(),
        org_units=[],
        groups=desired.groups.values(),
        memberships=desired.memberships,
        enrollments=desired.enrollments.values(),
        now=NOW,
    )
    for model in SHADOW_MODELS.values():  # a broken-off fetch keeps the last one's rows
        session.execute(delete(model))  # type: ignore[attr-defined]
    writer = ShadowWriter(session, TARGET, NOW)  # type: ignore[arg-type]
    for item in _fetched(remote):
        writer.add(item)
    writer.finish(NOW, complete=remote.complete)
    session.execute(delete(LinkRow))  # type: ignore[attr-defined]
    changes = LinkChanges()
    for key, rid in links.ids.items():
        changes.put(key, rid, origin="adopted" if key in links.adopted else "created")
    write_links(session, TARGET, changes, NOW)  # type: ignore[arg-type]


def _fetched(remote: RemoteState) -> Iterator[FetchItem]:
    yield from remote.users
    yield from remote.groups
    yield from remote.memberships
    yield from remote.courses
    yield from remote.enrollments
    yield from (PartRead(p) for p in remote.parts_read)
