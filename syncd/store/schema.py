"""SQLAlchemy models of the one database syncd keeps: mirror, shadow, links, status.

mirror   people, org_units, desired_groups, desired_memberships, desired_enrollments:
         HR's desired state after the last accepted import (+ config rules); tenures:
         HR's dates, from which each import derives who the LMSs see
shadow   shadow_*: what each target held at its last fetch, in that LMS's ids
links    links: HR key -> remote id per target, and what syncd manages there
keys     an object key (`syncd/keys.py`) is stored in typed columns, `KeyParts`, which syncd
         reads; the text columns beside them (`object_key`, `hr_key`) are for people
status   hr_imports, quarantine, sync_runs, operations, async_jobs: the audit record users query
results  training_records, readback_state: what each LMS says people did, for HR
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

KEY = String(255)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment stored in UTC and read back timezone-aware UTC on every backend: every
    `dt.datetime` column is one. PostgreSQL keeps it as `timestamptz`; SQLite keeps text
    without a zone (`2026-12-07 14:11:06.000000`), always UTC, so what it returns is naive
    and made aware here. A naive value is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r}")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


UTC = UtcDateTime()


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        dt.datetime: UTC,
    }


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements (bulk inserts that skip the ORM's per-row work)."""
    return Base.metadata.tables[model.__tablename__]


# --- mirror: what HR wants ----------------------------------------------------------------


class PersonRow(Base):
    __tablename__ = "people"
    employee_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    email: Mapped[str] = mapped_column(KEY)
    first_name: Mapped[str] = mapped_column(KEY)
    last_name: Mapped[str] = mapped_column(KEY)
    username: Mapped[str] = mapped_column(KEY)
    active: Mapped[bool] = mapped_column(Boolean)
    org_unit: Mapped[str | None] = mapped_column(KEY)
    manager_id: Mapped[str | None] = mapped_column(KEY)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # When an import last changed this person's HR-owned fields (drift is told from HR changes).
    changed_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    # Inactive for a leave (`status = leave`): the account is deactivated, never deleted.
    on_leave: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OrgUnitRow(Base):
    __tablename__ = "org_units"
    code: Mapped[str] = mapped_column(KEY, primary_key=True)
    name: Mapped[str] = mapped_column(KEY)
    parent_code: Mapped[str | None] = mapped_column(KEY)


class DesiredGroupRow(Base):
    """An HR group (GroupRef: kind and code) and its parent, if it has one."""

    __tablename__ = "desired_groups"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # org_unit | group
    code: Mapped[str] = mapped_column(KEY, primary_key=True)
    name: Mapped[str] = mapped_column(KEY)
    parent_kind: Mapped[str | None] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(KEY)


class DesiredMembershipRow(Base):
    __tablename__ = "desired_memberships"
    # The plan reads them person by person, as the links and the people are kept.
    __table_args__ = (
        Index("ix_desired_memberships_person", "employee_id", "group_kind", "group_code", "role"),
    )
    group_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    group_code: Mapped[str] = mapped_column(KEY, primary_key=True)
    employee_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)  # learner | manager


class DesiredEnrollmentRow(Base):
    __tablename__ = "desired_enrollments"
    # The plan reads them course by course, in the order it shows them.
    __table_args__ = (
        Index("ix_desired_enrollments_course", "course_code", "employee_id", "due_date"),
    )
    employee_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    course_code: Mapped[str] = mapped_column(KEY, primary_key=True)
    due_date: Mapped[dt.date | None]


class TenureRow(Base):
    """A person's dates, time zone and leave as HR gave them, and their moments (UTC):
    the import derives from them who the LMSs see at each cycle (`syncd.hr.tenure`), the
    daemon wakes at the next moment, `syncd status` lists the coming ones. It holds people
    not yet due, who are not in `people`."""

    __tablename__ = "tenures"
    __table_args__ = (
        Index("ix_tenures_appears_at", "appears_at"),
        Index("ix_tenures_ends_at", "ends_at"),
    )
    employee_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    timezone: Mapped[str | None] = mapped_column(KEY)  # the row's own; NULL: the default
    zone: Mapped[str] = mapped_column(KEY)  # the zone the dates were read in
    on_leave: Mapped[bool] = mapped_column(Boolean)
    appears_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTC)


# --- shadow: what each target held at its last fetch --------------------------------------


class ContentHash:
    """A digest of a shadow row's values other than its key (`shadow_stage.digest`): a
    fetch rewrites a row only when it differs. NULL for rows written before it existed."""

    content_hash: Mapped[int | None] = mapped_column(BigInteger)


class ShadowUserRow(ContentHash, Base):
    __tablename__ = "shadow_users"
    target: Mapped[str] = mapped_column(KEY, primary_key=True)
    remote_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    username: Mapped[str] = mapped_column(KEY)
    email: Mapped[str] = mapped_column(KEY)
    first_name: Mapped[str] = mapped_column(KEY)
    last_name: Mapped[str] = mapped_column(KEY)
    active: Mapped[bool] = mapped_column(Boolean)
    external_id: Mapped[str | None] = mapped_column(KEY)


class ShadowGroupRow(ContentHash, Base):
    __tablename__ = "shadow_groups"
    target: Mapped[str] = mapped_column(KEY, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    remote_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    name: Mapped[str] = mapped_column(KEY)
    code: Mapped[str | None] = mapped_column(KEY)
    parent_remote_id: Mapped[str | None] = mapped_column(KEY)


class ShadowMembershipRow(ContentHash, Base):
    __tablename__ = "shadow_memberships"
    # The plan looks them up account by account, as it reads HR's memberships by person.
    __table_args__ = (
        Index(
            "ix_shadow_memberships_user",
            "target",
            "user_remote_id",
            "group_kind",
            "group_remote_id",
            "role",
        ),
    )
    target: Mapped[str] = mapped_column(KEY, primary_key=True)
    group_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    group_remote_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    user_remote_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class ShadowCourseRow(ContentHash, Base):
    __tablename__ = "shadow_courses"
    target: Mapped[str] = mapped_column(KEY, primary_key=True)
    remote_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    code: Mapped[str] = mapped_column(KEY)
    name: Mapped[str] = mapped_column(KEY)


class ShadowEnrollmentRow(ContentHash, Base):
    __tablename__ = "shadow_enrollments"
    target: Mapped[str] = mapped_column(KEY, primary_key=True)
    course_remote_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    user_remote_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    status: Mapped[str] = mapped_column(String(32))
    # The learner's progress, where the LMS's enrollment read carries it (LMS-owned).
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    score: Mapped[float | None] = mapped_column(Float)
    raw_status: Mapped[str | None] = mapped_column(KEY)


class FetchStateRow(Base):
    __tablename__ = "fetch_state"
    target: Mapped[str] = mapped_column(KEY, primary_key=True)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    complete: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    # The parts read whole before a read broke off, comma-separated (RemotePart values).
    parts_read: Mapped[str | None] = mapped_column(Text)


# --- object keys and links ----------------------------------------------------------------

ROLE = String(16)
NONE = ""  # a part the key's kind does not have: NOT NULL, so that the links' key holds


class KeyParts:
    """An object key's parts, beside the text users read: `key_kind` (a LinkKind) says
    which of them it has (`store/keyparts.py` writes and reads them)."""

    key_kind: Mapped[str] = mapped_column(String(16), server_default=NONE)
    employee_id: Mapped[str] = mapped_column(KEY, server_default=NONE)
    group_kind: Mapped[str] = mapped_column(String(16), server_default=NONE)
    group_code: Mapped[str] = mapped_column(KEY, server_default=NONE)
    course_code: Mapped[str] = mapped_column(KEY, server_default=NONE)
    role: Mapped[str] = mapped_column(ROLE, server_default=NONE)


class LinkRow(Base):
    """One target's link of an object key (its kind and parts: the primary key) to a remote id."""

    __tablename__ = "links"
    # The plan finds the accounts no link names (adoption) by remote id.
    __table_args__ = (Index("ix_links_target_kind_remote", "target", "kind", "remote_id"),)
    target: Mapped[str] = mapped_column(KEY, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    hr_key: Mapped[str] = mapped_column(KEY)  # for people: `link_text`, a group's code alone
    remote_id: Mapped[str] = mapped_column(KEY)
    origin: Mapped[str] = mapped_column(String(16))  # created | adopted
    created_at: Mapped[dt.datetime]
    employee_id: Mapped[str] = mapped_column(KEY, primary_key=True, server_default=NONE)
    group_kind: Mapped[str] = mapped_column(String(16), primary_key=True, server_default=NONE)
    group_code: Mapped[str] = mapped_column(KEY, primary_key=True, server_default=NONE)
    course_code: Mapped[str] = mapped_column(KEY, primary_key=True, server_default=NONE)
    role: Mapped[str] = mapped_column(ROLE, primary_key=True, server_default=NONE)


# --- status --------------------------------------------------------------------------------


class HrImportRow(Base):
    __tablename__ = "hr_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # applied | refused
    people_count: Mapped[int] = mapped_column(Integer)
    quarantined_count: Mapped[int] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)


class QuarantineRow(Base):
    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("hr_imports.id", ondelete="CASCADE"))
    source_file: Mapped[str] = mapped_column(KEY)
    line: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    row: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]


class SyncRunRow(Base):
    __tablename__ = "sync_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(KEY, index=True)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    dry_run: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    message: Mapped[str | None] = mapped_column(Text)
    # HR-owned values found changed by hand in the LMS (and restored) in this run.
    drift: Mapped[int] = mapped_column(Integer, default=0)
    # What the plan makes the LMS do on its own, totalled (`Effect` value -> count).
    side_effects: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Whether the run carried out its whole plan (False: `apply --only` left some of it).
    whole: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Digests of what a saved plan was made from (`plan --out`) or held to (`apply`): HR's
    # mirror, and the target's shadow and links (`store/fingerprints.py`); NULL otherwise.
    hr_fingerprint: Mapped[str | None] = mapped_column(String(16))
    lms_fingerprint: Mapped[str | None] = mapped_column(String(16))


class OperationRow(KeyParts, Base):
    __tablename__ = "operations"
    __table_args__ = (Index("ix_operations_run_seq", "run_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(KEY, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    object_key: Mapped[str] = mapped_column(KEY)  # for people: the plan's `key`
    payload: Mapped[dict[str, Any]]
    # What the LMS held, as read, of each field the payload overwrites (`operations.before`);
    # NULL where the operation overwrites nothing.
    before: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(KEY)
    updated_at: Mapped[dt.datetime]


class AsyncJobRow(KeyParts, Base):
    """An operation the LMS answered with a job id, until the job settles (one row per op)."""

    __tablename__ = "async_jobs"
    __table_args__ = (Index("ix_async_jobs_target_status", "target", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(KEY)
    job_id: Mapped[str] = mapped_column(KEY, index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    operation: Mapped[str] = mapped_column(String(32))
    object_key: Mapped[str] = mapped_column(KEY)  # for people: the plan's `key`
    remote_id: Mapped[str | None] = mapped_column(KEY)
    status: Mapped[str] = mapped_column(String(16))  # pending | done | failed | expired
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    last_polled_at: Mapped[dt.datetime | None]
    next_poll_at: Mapped[dt.datetime]
    polls: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)  # why the last poll failed, if it did
    # The LMS's name for this operation inside a job carrying many (None: the job is whole).
    item: Mapped[str | None] = mapped_column(KEY)


# --- results: LMS -> HR ------------------------------------------------------------------


class TrainingRecordRow(Base):
    """A person's state in one course on one target, as the LMS last reported it."""

    __tablename__ = "training_records"
    target: Mapped[str] = mapped_column(KEY, primary_key=True)
    employee_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    course_code: Mapped[str] = mapped_column(KEY, primary_key=True)
    status: Mapped[str] = mapped_column(String(32))  # enrolled | in_progress | completed | failed
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    score: Mapped[float | None] = mapped_column(Float)
    raw_status: Mapped[str | None] = mapped_column(KEY)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTC)
    updated_at: Mapped[dt.datetime] = mapped_column(UTC)  # when syncd last saw it change


class ReadbackStateRow(Base):
    """Per target: up to when results have been read back (the next read asks since then)."""

    __tablename__ = "readback_state"
    target: Mapped[str] = mapped_column(KEY, primary_key=True)
    watermark: Mapped[dt.datetime] = mapped_column(UTC)
    full_at: Mapped[dt.datetime] = mapped_column(UTC)  # the last read of every result
