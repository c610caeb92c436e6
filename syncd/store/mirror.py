"""The mirror: HR's desired state after the last accepted import, and the import history.

`replace_mirror` swaps the whole desired state in one transaction (the caller
commits), so a reader sees the old state or the new one, never a mix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, Protocol, TypeVar

from sqlalchemy import Row, delete, false, func, insert, select
from sqlalchemy.orm import Session

from syncd.records import (
    CourseCode,
    DesiredState,
    EmployeeId,
    Enrollment,
    Group,
    GroupKind,
    GroupRef,
    MemberRole,
    Membership,
    OrgUnit,
    OrgUnitCode,
    Person,
    Tenure,
    Timeline,
)
from syncd.store.bulk import executemany
from syncd.store.schema import (
    Base,
    DesiredEnrollmentRow,
    DesiredGroupRow,
    DesiredMembershipRow,
    HrImportRow,
    OrgUnitRow,
    PersonRow,
    QuarantineRow,
    TenureRow,
    table_of,
)

CHUNK = 5_000
MIRROR_MODELS: tuple[type[Base], ...] = (
    PersonRow,
    OrgUnitRow,
    DesiredGroupRow,
    DesiredMembershipRow,
    DesiredEnrollmentRow,
)
T = TypeVar("T")
_WRITTEN: tuple[type[Base], ...] = (*MIRROR_MODELS, TenureRow)
_INSERTS = {model: insert(table_of(model)) for model in _WRITTEN}


class QuarantineEntry(Protocol):
    @property
    def source_file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def row(self) -> tuple[tuple[str, str], ...]: ...


def replace_mirror(
    session: Session,
    *,
    people: Iterable[Person],
    org_units: Iterable[OrgUnit],
    groups: Iterable[Group],
    memberships: Iterable[Membership],
    enrollments: Iterable[Enrollment],
    now: dt.datetime | None = None,
) -> None:
    """Swap in HR's new desired state. A person whose HR-owned fields differ from the
    previous import's (or who is new) gets `changed_at = now`; the others keep theirs."""
    before = {r.employee_id: r for r in _rows(session, PersonRow)}
    for model in (
        PersonRow,
        OrgUnitRow,
        DesiredGroupRow,
        DesiredMembershipRow,
        DesiredEnrollmentRow,
    ):
        session.execute(delete(model))
    _insert(session, PersonRow, (_dated(_person_row(p), before, now) for p in people))
    _insert(session, OrgUnitRow, map(_org_unit_row, org_units))
    _insert(session, DesiredGroupRow, map(_group_row, groups))
    _insert(session, DesiredMembershipRow, map(_membership_row, memberships))
    _insert(session, DesiredEnrollmentRow, map(_enrollment_row, enrollments))


def _insert(session: Session, model: type[Base], rows: Iterable[dict[str, Any]]) -> None:
    """One executemany per chunk (`bulk.py`: no per-row overhead), whatever is NULL."""
    for chunk in _chunks(rows, CHUNK):
        executemany(session, _INSERTS[model], chunk)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _person_row(p: Person) -> dict[str, Any]:
    return {
        "employee_id": p.employee_id,
        "email": p.email,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "username": p.username,
        "active": p.active,
        "org_unit": p.org_unit,
        "manager_id": p.manager_id,
        "attributes": dict(p.attributes),
        "on_leave": p.on_leave,
    }


def _dated(
    row: dict[str, Any], before: Mapping[str, Row[Any]], now: dt.datetime | None
) -> dict[str, Any]:
    old = before.get(row["employee_id"])
    same = old is not None and all(getattr(old, key) == value for key, value in row.items())
    return {**row, "changed_at": old.changed_at if same and old is not None else now}


def _org_unit_row(u: OrgUnit) -> dict[str, Any]:
    return {"code": u.code, "name": u.name, "parent_code": u.parent_code}


def _group_row(g: Group) -> dict[str, Any]:
    parent = g.parent
    return {"kind": g.ref.kind.value, "code": g.ref.code, "name": g.name} | {
        "parent_kind": parent.kind.value if parent else None,
        "parent_code": parent.code if parent else None,
    }


def _membership_row(m: Membership) -> dict[str, Any]:
    return {"group_kind": m.group.kind.value, "group_code": m.group.code} | {
        "employee_id": m.employee_id,
        "role": m.role.value,
    }


def _enrollment_row(e: Enrollment) -> dict[str, Any]:
    return {"employee_id": e.employee_id, "course_code": e.course_code, "due_date": e.due_date}


def _rows(session: Session, model: type[Base]) -> Sequence[Row[Any]]:
    """Plain rows in key order: Core, not ORM entities (reading is most of a quiet cycle)."""
    table = table_of(model)
    return session.execute(select(table).order_by(*table.primary_key.columns)).all()


def load_people(session: Session) -> dict[EmployeeId, Person]:
    rows = _rows(session, PersonRow)
    return {EmployeeId(r.employee_id): person_of(r) for r in rows}


def person_of(r: Row[Any]) -> Person:
    """A person from a row with the `people` columns."""
    return Person(
        employee_id=EmployeeId(r.employee_id),
        email=r.email,
        first_name=r.first_name,
        last_name=r.last_name,
        username=r.username,
        active=r.active,
        org_unit=OrgUnitCode(r.org_unit) if r.org_unit else None,
        manager_id=EmployeeId(r.manager_id) if r.manager_id else None,
        attributes=tuple(sorted(r.attributes.items())),
        on_leave=r.on_leave,
    )


def load_org_units(session: Session) -> list[OrgUnit]:
    rows = _rows(session, OrgUnitRow)
    return [OrgUnit(OrgUnitCode(r.code), r.name, _org(r.parent_code)) for r in rows]


def _org(code: str | None) -> OrgUnitCode | None:
    return OrgUnitCode(code) if code else None


def load_groups(session: Session) -> dict[GroupRef, Group]:
    """HR's groups (org units and config groups), by ref: a company's few, held whole."""
    return {group.ref: group for group in map(_group, _rows(session, DesiredGroupRow))}


def load_desired(session: Session) -> DesiredState:
    groups = load_groups(session)
    memberships = frozenset(
        Membership(_ref(r.group_kind, r.group_code), EmployeeId(r.employee_id), MemberRole(r.role))
        for r in _rows(session, DesiredMembershipRow)
    )
    return DesiredState(load_people(session), groups, memberships, load_enrollments(session))


def load_enrollments(session: Session) -> dict[tuple[EmployeeId, CourseCode], Enrollment]:
    """The desired enrollments of the last accepted import, by (employee, course)."""
    return {
        (EmployeeId(r.employee_id), CourseCode(r.course_code)): Enrollment(
            EmployeeId(r.employee_id), CourseCode(r.course_code), r.due_date
        )
        for r in _rows(session, DesiredEnrollmentRow)
    }


def _group(r: Row[Any]) -> Group:
    parent = _ref(r.parent_kind, r.parent_code) if r.parent_kind else None
    return Group(_ref(r.kind, r.code), r.name, parent)


def _ref(kind: str, code: str) -> GroupRef:
    return GroupRef(GroupKind(kind), code)


def last_applied_import(session: Session) -> HrImportRow | None:
    query = select(HrImportRow).where(HrImportRow.status == "applied")
    return session.scalars(query.order_by(HrImportRow.id.desc()).limit(1)).first()


def applied_at(row: HrImportRow) -> dt.datetime:
    """The moment an applied import's mirror holds for (its start), in UTC: the effective
    dates were read as of then."""
    return _aware(row.started_at)


def record_import(
    session: Session,
    *,
    started_at: dt.datetime,
    finished_at: dt.datetime,
    fingerprint: str,
    status: str,
    people_count: int,
    quarantined: Sequence[QuarantineEntry],
    message: str | None = None,
) -> int:
    row = HrImportRow(
        started_at=started_at,
        finished_at=finished_at,
        fingerprint=fingerprint,
        status=status,
        people_count=people_count,
        quarantined_count=len(quarantined),
        message=message,
    )
    session.add(row)
    session.flush()
    session.add_all(_quarantine_row(row.id, q, finished_at) for q in quarantined)
    return row.id


def _quarantine_row(import_id: int, q: QuarantineEntry, now: dt.datetime) -> QuarantineRow:
    return QuarantineRow(
        import_id=import_id,
        source_file=q.source_file,
        line=q.line,
        reason=q.reason,
        row=dict(q.row),
        created_at=now,
    )


def changed_since(session: Session, moment: dt.datetime) -> set[EmployeeId]:
    """People whose HR-owned fields an import changed after `moment` (or at an unknown time)."""
    table = table_of(PersonRow)
    changed = (table.c.changed_at.is_(None)) | (table.c.changed_at > moment)
    return {
        EmployeeId(r.employee_id)
        for r in session.execute(select(table.c.employee_id).where(changed))
    }


def replace_tenures(session: Session, timelines: Iterable[Timeline]) -> None:
    """Swap in the import's tenures (the caller commits, with the rest of the mirror)."""
    session.execute(delete(TenureRow))
    _insert(session, TenureRow, map(_tenure_row, timelines))


def _tenure_row(line: Timeline) -> dict[str, Any]:
    t = line.tenure
    return {"employee_id": t.employee_id, "start_date": t.start_date, "end_date": t.end_date} | {
        "timezone": t.timezone,
        "zone": line.zone,
        "on_leave": t.on_leave,
        "appears_at": line.appears_at,
        "ends_at": line.ends_at,
    }


def load_timelines(session: Session) -> dict[EmployeeId, Timeline]:
    """The tenures of the last accepted import, by employee."""
    return {EmployeeId(r.employee_id): _timeline(r) for r in _rows(session, TenureRow)}


def coming_timelines(session: Session, after: dt.datetime, limit: int) -> list[Timeline]:
    """The tenures of the first `limit` people due after `after` and of the first `limit`
    leaving after it (not on leave): enough to list the next `limit` changes, read by
    index, however many people have dates."""
    table = table_of(TenureRow)
    due = select(table).where(table.c.appears_at > after).order_by(table.c.appears_at)
    leaving = select(table).where(table.c.ends_at > after, table.c.on_leave == false())
    rows = [
        *session.execute(due.limit(limit)),
        *session.execute(leaving.order_by(table.c.ends_at).limit(limit)),
    ]
    unique = {r.employee_id: r for r in rows}
    return [_timeline(r) for r in unique.values()]


def _timeline(r: Row[Any]) -> Timeline:
    tenure = Tenure(EmployeeId(r.employee_id), r.start_date, r.end_date, r.timezone, r.on_leave)
    return Timeline(tenure, r.zone, r.appears_at, r.ends_at)


def next_effective_moment(session: Session, after: dt.datetime) -> dt.datetime | None:
    """The first moment after `after` at which someone's account is due or ends."""
    table = table_of(TenureRow)
    firsts = [
        session.execute(select(func.min(column)).where(column > after)).scalar()
        for column in (table.c.appears_at, table.c.ends_at)
    ]
    moments = [_aware(moment) for moment in firsts if moment is not None]
    return min(moments, default=None)


def _aware(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC: SQLite gives moments back naive (they are UTC), and an aggregate's
    may come as text."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
