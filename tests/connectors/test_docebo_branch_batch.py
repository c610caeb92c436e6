"""Docebo branches in bulk: creates go in waves (a parent one call ahead of the children
the same batch makes), a row answered without an id takes it from one walk of the tree,
and config groups in the same batch keep their own calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from syncd.connectors.docebo import DoceboConnector
from syncd.connectors.docebo.branch_batch import waves
from syncd.operations import Applied, CreateGroup, Rejected, Unconfirmed
from syncd.records import Group, GroupKind, GroupRef, RemoteId
from syncd.sandbox import DoceboSimulator
from tests.lms_fixtures import Refs

ConnectorMaker = Callable[..., DoceboConnector]
BATCH = "/manage/v1/orgchart/batch"


def org(code: str) -> GroupRef:
    return GroupRef(GroupKind.ORG_UNIT, code)


def create(code: str, parent: str | None = None) -> CreateGroup:
    return CreateGroup(Group(org(code), code, org(parent) if parent else None))


class NoIds(httpx.BaseTransport):
    """The simulator, with the branch batch's answers stripped of `output.id`; `drop`
    branches are also left out of the tree listings."""

    def __init__(self, inner: httpx.BaseTransport, drop: frozenset[str] = frozenset()) -> None:
        self._inner, self._drop = inner, drop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        response.read()
        if request.url.path == BATCH:
            return self._edited(response, _strip_ids)
        if request.url.path == "/manage/v1/orgchart":
            return self._edited(response, self._hide)
        return response

    def _hide(self, body: Any) -> None:
        items = body["data"]["items"]
        items[:] = [item for item in items if item.get("code") not in self._drop]

    @staticmethod
    def _edited(response: httpx.Response, edit: Callable[[Any], None]) -> httpx.Response:
        body = response.json()
        edit(body)
        return httpx.Response(response.status_code, headers=response.headers, json=body)


def _strip_ids(body: Any) -> None:
    for row in body["data"]:
        row["output"].pop("id", None)


def test_waves_put_each_branch_one_call_after_a_parent_made_in_the_same_batch() -> None:
    ops = [create("A"), create("B", "OLD"), create("A1", "A"), create("A11", "A1")]
    ops.append(create("A2", "A"))
    assert waves(ops) == [[0, 1], [2, 4], [3]]


def test_a_row_without_an_id_takes_it_from_one_walk_of_the_tree(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    connector = make_connector(transport=NoIds(sim.transport(), frozenset({"GONE"})))
    outcomes = connector.apply([create("EU"), create("GONE")], Refs())
    ids = {b.code: RemoteId(str(b.id)) for b in sim.state.branches.values()}
    assert outcomes[0] == Applied(ids["EU"])
    assert isinstance(outcomes[1], Unconfirmed)
    listings = [r for r in sim.requests if r.path == "/manage/v1/orgchart"]
    assert len(listings) == 1  # one walk for every missing id
    assert not [r for r in sim.requests if r.path.endswith("/users")]


def test_config_groups_in_a_create_batch_keep_their_own_calls(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    ops = [create("EU"), CreateGroup(Group(GroupRef(GroupKind.GROUP, "s"), "Sales")), create("US")]
    outcomes = make_connector().apply(ops, Refs())
    assert all(isinstance(o, Applied) and o.remote_id for o in outcomes)
    writes = [(r.method, r.path) for r in sim.writes]
    assert writes == [("POST", BATCH), ("POST", "/manage/v1/group")]
    [body] = [r.body for r in sim.writes if r.path == BATCH]
    assert [item["code"] for item in body["items"]] == ["EU", "US"]


def test_a_branch_its_parent_failed_stays_at_the_root_refused_with_docebo_words(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    nameless = CreateGroup(Group(org("EU"), ""))
    outcomes = make_connector().apply([nameless, create("DE", "EU"), create("BE", "DE")], Refs())
    assert isinstance(outcomes[0], Rejected)
    assert outcomes[1] == Rejected(
        "made at the root, not under its parent: Parent branch not found: EU"
    )
    assert isinstance(outcomes[2], Applied)
    assert sim.snapshot().branches == {"DE": ("DE", None), "BE": ("BE", "DE")}
