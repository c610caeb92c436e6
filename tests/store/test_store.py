"""The store on SQLite and PostgreSQL: mirror, shadow, links and journal round-trip."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, inspect

from syncd.keys import ObjectKey, UserKey
from syncd.operations import AddMember, CreateUser
from syncd.records import (
    CourseCode,
    EmployeeId,
    Enrollment,
    EnrollmentStatus,
    Group,
    GroupKind,
    GroupRef,
    LinkKind,
    Membership,
    OrgUnit,
    OrgUnitCode,
    PartRead,
    Person,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemotePart,
    RemoteUser,
)
from syncd.store import Session
from syncd.store.db import session_factory
from syncd.store.journal import (
    OpStatus,
    StatusChange,
    mark_sent,
    record_plan,
    record_statuses,
    run_operations,
    start_run,
)
from syncd.store.links import LinkChanges, count_links, load_links, write_links
from syncd.store.mirror import load_desired, replace_mirror
from syncd.store.shadow import ShadowWriter, load_remote_state

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
ADA = Person(
    EmployeeId("E1"),
    "ada@example.com",
    "Ada",
    "Lovelace",
    "ada@example.com",
    org_unit=OrgUnitCode("ENG"),
    attributes=(("country", "GB"),),
)
ENG = GroupRef(GroupKind.ORG_UNIT, "ENG")


E1 = UserKey(EmployeeId("E1"))


def put_link(
    session: Session, target: str, key: ObjectKey, remote_id: str, *, origin: str, now: dt.datetime
) -> None:
    changes = LinkChanges()
    changes.put(key, RemoteId(remote_id), origin=origin)
    write_links(session, target, changes, now)


def test_contract_tables_exist(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"sync_runs", "operations", "quarantine", "links"} <= tables


def test_mirror_round_trips(engine: Engine) -> None:
    sessions = session_factory(engine)
    enrollment = Enrollment(EmployeeId("E1"), CourseCode("SEC-101"), dt.date(2026, 4, 1))
    with sessions() as s:
        replace_mirror(
            s,
            people=[ADA],
            org_units=[OrgUnit(OrgUnitCode("ENG"), "Engineering")],
            groups=[Group(ENG, "Engineering")],
            memberships=[Membership(ENG, ADA.employee_id)],
            enrollments=[enrollment],
        )
        s.commit()
    with sessions() as s:
        desired = load_desired(s)
    assert desired.people == {ADA.employee_id: ADA}
    assert desired.groups[ENG].name == "Engineering"
    assert desired.memberships == {Membership(ENG, ADA.employee_id)}
    assert list(desired.enrollments.values()) == [enrollment]


def test_replacing_the_mirror_drops_what_hr_no_longer_has(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions() as s:
        replace_mirror(s, people=[ADA], org_units=[], groups=[], memberships=[], enrollments=[])
        s.commit()
        replace_mirror(s, people=[], org_units=[], groups=[], memberships=[], enrollments=[])
        s.commit()
        assert load_desired(s).people == {}


def test_shadow_keeps_the_fetch_and_its_completeness(engine: Engine) -> None:
    records = [
        RemoteUser(RemoteId("7"), "ada", "ada@example.com", "Ada", "L", True),
        RemoteUser(RemoteId("7"), "ada", "ada@example.com", "Ada", "L", True),  # a repeated page
        PartRead(RemotePart.USERS),
        RemoteGroup(RemoteId("3"), GroupKind.ORG_UNIT, "Eng", "ENG"),
        RemoteMembership(GroupKind.ORG_UNIT, RemoteId("3"), RemoteId("7")),
        RemoteCourse(RemoteId("11"), "SEC-101", "Security"),
        PartRead(RemotePart.COURSES),
        RemoteEnrollment(RemoteId("11"), RemoteId("7"), EnrollmentStatus.ENROLLED),
    ]
    sessions = session_factory(engine)
    with sessions() as s:
        writer = ShadowWriter(s, "lms", NOW)
        for record in records:
            writer.add(record)
        writer.finish(NOW, complete=False, error="page 3 failed")
        s.commit()
    with sessions() as s:
        state = load_remote_state(s, "lms")
    assert len(state.users) == 1
    assert state.groups[0].code == "ENG"
    assert len(state.memberships) == len(state.courses) == len(state.enrollments) == 1
    assert state.complete is False
    assert state.parts_read == {RemotePart.USERS, RemotePart.COURSES}
    assert state.read_whole(RemotePart.USERS)
    assert not state.read_whole(RemotePart.ENROLLMENTS)


def test_links_are_per_target(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions() as s:
        put_link(s, "a", E1, "7", origin="created", now=NOW)
        put_link(s, "b", E1, "99", origin="adopted", now=NOW)
        put_link(s, "a", E1, "8", origin="created", now=NOW)
        s.commit()
        assert load_links(s, "a").get(E1) == "8"
        assert count_links(s, "b", LinkKind.USER) == 1
        gone = LinkChanges()
        gone.drop(E1)
        write_links(s, "a", gone, NOW)
        s.commit()
        assert load_links(s, "a").get(E1) is None


def test_journal_records_each_step(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions() as s:
        run = start_run(s, "lms", dry_run=False, now=NOW)
        planned = record_plan(
            s, run, "lms", [CreateUser(ADA), AddMember(ENG, ADA.employee_id)], NOW
        )
        mark_sent(s, run, [0], NOW)
        record_statuses(
            s,
            run,
            [
                StatusChange(0, OpStatus.DONE, NOW, remote_id="7"),
                StatusChange(1, OpStatus.FAILED, NOW, error="LMS said no"),
            ],
        )
        s.commit()
        rows = run_operations(s, run)
    assert planned == 2
    assert [(r.kind, r.status, r.attempts) for r in rows] == [
        ("create_user", "done", 1),
        ("add_member", "failed", 0),
    ]
    assert rows[0].payload["email"] == "ada@example.com"
    assert rows[1].error == "LMS said no"
