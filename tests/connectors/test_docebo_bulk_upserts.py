"""The Docebo connector's user batch upserts: new and changed people go in one
`POST /manage/v1/user/batch`, the update rows first, each operation answered by its own
row, and a create still carries its person's branch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from syncd.connectors.docebo import DoceboConnector
from syncd.operations import AddMember, Applied, CreateUser, FieldChange, Operation, UpdateUser
from syncd.records import EmployeeId, GroupKind, GroupRef, Person, RemoteId
from syncd.sandbox import DoceboSimulator
from tests.lms_fixtures import Refs

ConnectorMaker = Callable[..., DoceboConnector]
BATCH = "/manage/v1/user/batch"
EU = GroupRef(GroupKind.ORG_UNIT, "EU")


def person(n: int, username: str | None = None) -> Person:
    email = f"p{n}@acme.com"
    return Person(EmployeeId(f"E{n}"), email, f"F{n}", f"L{n}", username or email)


def batch_bodies(sim: DoceboSimulator) -> list[Any]:
    return [r.body for r in sim.requests if (r.method, r.path) == ("POST", BATCH)]


def test_creates_and_updates_share_one_call_with_the_update_rows_first(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    refs = Refs()
    refs.groups[EU] = RemoteId(str(sim.seed_branch("EU", "Europe")))
    old = sim.seed_user("p3@acme.com", "p3@acme.com", "F3", "Old")
    refs.users[EmployeeId("E3")] = RemoteId(str(old))
    change = (FieldChange("last_name", "Old", "L3"),)
    batch: list[Operation] = [CreateUser(person(1)), UpdateUser(person(3), change)]
    batch.append(AddMember(EU, EmployeeId("E1")))
    outcomes = make_connector().apply(batch, refs)
    [body] = batch_bodies(sim)
    assert [item.get("user_id") for item in body["items"]] == [old, None]  # the update first
    assert body["items"][1]["branch_code"] == "EU"
    assert outcomes[1] == Applied(RemoteId(str(old)))
    assert isinstance(outcomes[0], Applied)
    assert outcomes[0].remote_id not in (None, str(old))
    assert outcomes[2] == Applied()
    snap = sim.snapshot()
    assert snap.users["p3@acme.com"][2] == "L3"
    assert snap.branch_members == {("EU", "p1@acme.com")}


def test_a_username_an_update_gives_up_is_free_for_a_create_in_the_same_call(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    refs = Refs()
    old = sim.seed_user("jdoe", "p3@acme.com", "F3", "L3")
    refs.users[EmployeeId("E3")] = RemoteId(str(old))
    rename = UpdateUser(person(3, "jdoe3"), (FieldChange("username", "jdoe", "jdoe3"),))
    new = CreateUser(person(1, "jdoe"))
    outcomes = make_connector().apply([new, rename], refs)
    assert len(batch_bodies(sim)) == 1
    assert isinstance(outcomes[0], Applied)
    assert outcomes[0].remote_id != str(old)
    assert outcomes[1] == Applied(RemoteId(str(old)))
    assert set(sim.snapshot().users) == {"jdoe", "jdoe3"}
