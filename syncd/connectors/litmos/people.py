"""A batch of people (`Capabilities.user_rows`) as one import, or as single calls.

`sort` puts each person's operations in a row (people.py decides what a row says) or
leaves them to single calls: a new person always has a row; an existing one only where the
target lets imports update accounts (`update_accounts_by_import`, off by default: no
source says what an update row does to the fields it leaves out) and the read saw her
account under the username the row would name (an import finds an account by `Username`
alone, so a username change goes by `PUT`). The row then names her account's Email,
FirstName, LastName (required in every row) and Active, as read or as changed: only what
syncd owns. No other field goes in a row, not even empty (a row blanks what it names
empty; docs/lms/litmos.md "User imports").

`import_saves` is what an import saves over the single calls its rows replace, in
requests: single calls are a `POST /users` per new person, a `GET` and a `PUT` per change
of an existing one, a `POST /teams/{id}/users` per team gaining members and a
`POST /users/{id}/courses` per person gaining courses; an import is its `POST` and one
status poll per import, and, when it makes accounts, the walk of `GET /users` that learns
their ids (`usererrors` is read only when a row failed: not counted).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from syncd.connectors.base import CreateCarries, RemoteRefs
from syncd.connectors.litmos.imports import Carried, Row, imports_for
from syncd.errors import SkippableError
from syncd.operations import (
    AddMember,
    CreateUser,
    DeactivateUser,
    Enroll,
    Operation,
    ReactivateUser,
    UpdateUser,
)
from syncd.records import EmployeeId, MemberRole, Person, RemoteId, RemoteUser

UserWrite = CreateUser | UpdateUser | ReactivateUser | DeactivateUser
USER_WRITES = (CreateUser, UpdateUser, ReactivateUser, DeactivateUser)


@dataclass(slots=True)
class Sorted:
    """A batch of people's operations: the rows (by person), the carried operations placed
    in them, and the indexes of the operations left to single calls."""

    rows: dict[EmployeeId, Row] = field(default_factory=dict)
    riders: list[tuple[int, Carried]] = field(default_factory=list)
    single: list[int] = field(default_factory=list)


def sort(
    batch: Sequence[Operation],
    refs: RemoteRefs,
    accounts: Mapping[RemoteId, RemoteUser],
    carries: CreateCarries,
    *,
    existing: bool,
) -> Sorted:
    """Each operation of the batch in its person's row, or left to single calls with every
    other operation of a person who cannot have a row. A batch the engine never packs (a
    membership or enrollment past what a row carries, `carries`) is a TypeError."""
    people: dict[EmployeeId, list[int]] = {}
    for index, op in enumerate(batch):
        people.setdefault(_person(op), []).append(index)
    result = Sorted()
    for person, indexes in people.items():
        ops = [batch[i] for i in indexes]
        _check(ops, carries)
        row = _row(person, ops, refs, accounts if existing else {})
        if row is None:
            result.single += indexes
            continue
        result.rows[person] = row
        for index, op in zip(indexes, ops, strict=True):
            if isinstance(op, AddMember | Enroll):
                result.riders.append((index, op))
            else:
                row.indexes.append(index)
    return result


def _person(op: Operation) -> EmployeeId:
    if isinstance(op, CreateUser | UpdateUser):
        return op.person.employee_id
    if isinstance(op, ReactivateUser | DeactivateUser | AddMember | Enroll):
        return op.employee_id
    raise TypeError(f"apply takes operations of one kind; a batch of people has no {op!r}")


def _check(ops: Sequence[Operation], carries: CreateCarries) -> None:
    """One person's memberships and enrollments are what a row carries, within its room."""
    members = [op for op in ops if isinstance(op, AddMember)]
    if any(op.role is not MemberRole.LEARNER for op in members) or any(
        op.group.kind not in carries.member_kinds for op in members
    ):
        raise TypeError("apply takes operations of one kind; a row carries learners only")
    enrolls = sum(1 for op in ops if isinstance(op, Enroll))
    if len(members) > carries.members or enrolls > carries.enrollments:
        raise TypeError("apply takes operations of one kind; more than a row carries")


def _row(
    person: EmployeeId,
    ops: Sequence[Operation],
    refs: RemoteRefs,
    accounts: Mapping[RemoteId, RemoteUser],
) -> Row | None:
    """The person's row, or None where her operations go by single calls."""
    created = next((op.person for op in ops if isinstance(op, CreateUser)), None)
    if created is not None:
        return Row({**_identity(created), "Active": created.active}, [], new=True)
    account = _account(person, refs, accounts)
    if account is None:
        return None
    fields: dict[str, object] = {
        "Username": account.username,
        "Email": account.email,
        "FirstName": account.first_name,
        "LastName": account.last_name,
        "Active": account.active,
    }
    for op in ops:
        if isinstance(op, UpdateUser):
            if op.person.username.casefold() != account.username.casefold():
                return None  # an import finds the account by Username: a rename is a PUT
            fields |= _identity(op.person)
        elif isinstance(op, ReactivateUser | DeactivateUser):
            fields["Active"] = isinstance(op, ReactivateUser)
    return Row(fields, [])


def _identity(person: Person) -> dict[str, object]:
    return {
        "Username": person.username,
        "Email": person.email,
        "FirstName": person.first_name,
        "LastName": person.last_name,
    }


def _account(
    person: EmployeeId, refs: RemoteRefs, accounts: Mapping[RemoteId, RemoteUser]
) -> RemoteUser | None:
    """The person's account as the read saw it (None: unlinked or not seen)."""
    try:
        return accounts.get(refs.user(person))
    except SkippableError:
        return None


def import_saves(batch: Sequence[Operation], sorted_: Sorted, walk: Callable[[int], int]) -> int:
    """Requests an import of the rows saves over single calls for the same operations;
    `walk(new)`: the pages of `GET /users` once `new` accounts are made."""
    in_rows = [batch[i] for row in sorted_.rows.values() for i in row.indexes]
    in_rows += [op for _, op in sorted_.riders]
    new = sum(1 for row in sorted_.rows.values() if row.new)
    imports = imports_for(list(sorted_.rows.values()))
    return single_calls(in_rows) - (2 * imports + (walk(new) if new else 0))


def single_calls(ops: Sequence[Operation]) -> int:
    """Requests the operations take one by one (see the module notes)."""
    creates = sum(1 for op in ops if isinstance(op, CreateUser))
    changes = sum(1 for op in ops if isinstance(op, UpdateUser | ReactivateUser | DeactivateUser))
    teams = {op.group for op in ops if isinstance(op, AddMember)}
    learners = {op.employee_id for op in ops if isinstance(op, Enroll)}
    return creates + 2 * changes + len(teams) + len(learners)
