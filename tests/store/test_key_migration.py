"""Migrations 0007 and 0008 on SQLite and PostgreSQL: the object keys syncd stored as text
get typed columns, parsed once (a `/` inside an employee id or a course code splits where
the employee is a person HR has), and syncd reads them back as the keys they were; the
mirror's group refs likewise."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from syncd.keys import EnrollmentKey, GroupKey, MembershipKey, UserKey
from syncd.operations import OpKind
from syncd.records import (
    CourseCode,
    EmployeeId,
    Group,
    GroupKind,
    GroupRef,
    MemberRole,
    Membership,
    RemoteId,
)
from syncd.store.db import alembic_config, session_factory
from syncd.store.jobs import pending_rows
from syncd.store.journal import run_operations
from syncd.store.links import LinkChanges, load_links, write_links
from syncd.store.mirror import load_desired

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
EU_DE = GroupRef(GroupKind.ORG_UNIT, "EU/DE")
SLASHED = EmployeeId("A/B")  # a person of HR whose employee id holds a slash
OPERATIONS = [  # (kind, object_key as syncd wrote it, payload), in plan order
    ("create_user", "E1", {}),
    ("create_group", "org_unit:EU/DE", {"name": "Germany", "parent": None}),
    ("add_member", "manager@org_unit:EU/DE/A/B", {"role": "manager"}),
    ("enroll", "A/B/SEC/101", {"due_date": None}),
    ("adopt", "SAL", {"link": "org_unit", "remote_id": "9"}),
    ("adopt", "group:all/E1", {"link": "membership", "remote_id": "3/7"}),
    ("unenroll", "E9/X/1", {}),  # E9 is no one HR has: split at the first slash, as before
]
KEYS = [
    UserKey(EmployeeId("E1")),
    GroupKey(EU_DE),
    MembershipKey(EU_DE, SLASHED, MemberRole.MANAGER),
    EnrollmentKey(SLASHED, CourseCode("SEC/101")),
    GroupKey(GroupRef(GroupKind.ORG_UNIT, "SAL")),
    MembershipKey(GroupRef(GroupKind.GROUP, "all"), EmployeeId("E1")),
    EnrollmentKey(EmployeeId("E9"), CourseCode("X/1")),
]
LINKS = [  # (kind, hr_key as syncd wrote it, the key)
    ("user", "E1", UserKey(EmployeeId("E1"))),
    ("org_unit", "EU/DE", GroupKey(EU_DE)),
    ("group", "all", GroupKey(GroupRef(GroupKind.GROUP, "all"))),
    ("membership", "manager@org_unit:EU/DE/A/B", KEYS[2]),
    ("enrollment", "A/B/SEC/101", KEYS[3]),
]


MIRROR_GROUPS = [
    {"ref": "org_unit:EU", "name": "Europe", "parent_ref": None},
    {"ref": "org_unit:EU/DE", "name": "Germany", "parent_ref": "org_unit:EU"},
    {"ref": "group:all", "name": "All staff", "parent_ref": None},
]
MIRROR_MEMBERS = [
    {"group_ref": "org_unit:EU/DE", "employee_id": "A/B", "role": "manager"},
    {"group_ref": "group:all", "employee_id": "E1", "role": "learner"},
]


@pytest.fixture
def old(engine: Engine) -> Engine:
    """A database at migration 0006 holding rows in the old text form, run 1 of target `t`."""
    config = alembic_config(engine)
    command.downgrade(config, "0006")
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(meta.tables["people"]), [_person("E1"), _person(SLASHED)])
        conn.execute(
            sa.insert(meta.tables["sync_runs"]),
            {"target": "t", "started_at": NOW, "dry_run": False, "status": "ok", "counts": {}},
        )
        conn.execute(
            sa.insert(meta.tables["operations"]),
            [_operation(seq, *op) for seq, op in enumerate(OPERATIONS)],
        )
        conn.execute(sa.insert(meta.tables["async_jobs"]), _job(3, "enroll", "A/B/SEC/101"))
        conn.execute(sa.insert(meta.tables["links"]), [_link(k, text) for k, text, _ in LINKS])
        conn.execute(sa.insert(meta.tables["desired_groups"]), MIRROR_GROUPS)
        conn.execute(sa.insert(meta.tables["desired_memberships"]), MIRROR_MEMBERS)
    return engine


def _person(employee_id: str) -> dict[str, object]:
    mail = f"{employee_id}@example.com"
    return {"employee_id": employee_id, "email": mail, "first_name": "F", "last_name": "L"} | {
        "username": mail,
        "active": True,
        "attributes": {},
    }


def _operation(seq: int, kind: str, key: str, payload: dict[str, object]) -> dict[str, object]:
    return {"run_id": 1, "target": "t", "seq": seq, "kind": kind, "object_key": key} | {
        "payload": payload,
        "status": "waiting" if seq == 3 else "done",
        "attempts": 1,
        "updated_at": NOW,
    }


def _job(seq: int, operation: str, key: str) -> dict[str, object]:
    return {"target": "t", "job_id": "j1", "run_id": 1, "seq": seq, "operation": operation} | {
        "object_key": key,
        "status": "pending",
        "created_at": NOW,
        "next_poll_at": NOW,
        "polls": 0,
    }


def _link(kind: str, hr_key: str) -> dict[str, object]:
    row = {"target": "t", "kind": kind, "hr_key": hr_key, "remote_id": "r", "origin": "created"}
    return row | {"created_at": NOW}


def test_old_keys_are_parsed_once_into_typed_columns(old: Engine) -> None:
    command.upgrade(alembic_config(old), "head")
    with session_factory(old)() as s:
        entries = run_operations(s, 1)
        [job] = pending_rows(s, "t")
        links = load_links(s, "t")
    assert [e.key for e in entries] == KEYS
    assert [e.kind for e in entries] == [OpKind(kind) for kind, _, _ in OPERATIONS]
    assert [e.shown_key for e in entries] == [key for _, key, _ in OPERATIONS]  # text as it was
    assert job.key == EnrollmentKey(SLASHED, CourseCode("SEC/101"))
    assert dict(links.ids) == {key: RemoteId("r") for _, _, key in LINKS}


def test_the_mirror_keeps_its_groups_and_memberships(old: Engine) -> None:
    command.upgrade(alembic_config(old), "head")
    with session_factory(old)() as s:
        desired = load_desired(s)
    europe, everyone = GroupRef(GroupKind.ORG_UNIT, "EU"), GroupRef(GroupKind.GROUP, "all")
    assert desired.groups == {
        europe: Group(europe, "Europe"),
        EU_DE: Group(EU_DE, "Germany", europe),
        everyone: Group(everyone, "All staff"),
    }
    assert desired.memberships == {
        Membership(EU_DE, SLASHED, MemberRole.MANAGER),
        Membership(everyone, EmployeeId("E1")),
    }


def test_links_whose_texts_read_alike_are_two_links_now(old: Engine) -> None:
    """`A/B/SEC/101` is both A/B in SEC/101 and A in B/SEC/101: the text column cannot tell
    them apart, the typed key can."""
    command.upgrade(alembic_config(old), "head")
    other = EnrollmentKey(EmployeeId("A"), CourseCode("B/SEC/101"))
    with session_factory(old)() as s:
        changes = LinkChanges()
        changes.put(other, RemoteId("r2"), origin="created")
        write_links(s, "t", changes, NOW)
        s.commit()
        links = load_links(s, "t")
        texts = s.execute(sa.text("SELECT hr_key FROM links WHERE kind = 'enrollment'"))
        assert sorted(texts.scalars()) == ["A/B/SEC/101", "A/B/SEC/101"]
    assert (links.get(KEYS[3]), links.get(other)) == ("r", "r2")


def test_the_migration_goes_down_and_up_again(old: Engine) -> None:
    config = alembic_config(old)
    command.upgrade(config, "head")
    command.downgrade(config, "0006")
    with old.connect() as conn:
        texts = conn.execute(sa.text("SELECT kind, hr_key FROM links ORDER BY kind")).all()
        groups = conn.execute(sa.text("SELECT ref, name, parent_ref FROM desired_groups")).all()
    assert sorted(texts) == sorted((kind, text) for kind, text, _ in LINKS)
    assert sorted(groups) == sorted(tuple(g.values()) for g in MIRROR_GROUPS)
    command.upgrade(config, "head")
    with session_factory(old)() as s:
        assert [e.key for e in run_operations(s, 1)] == KEYS
