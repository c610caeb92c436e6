"""Every response body recorded from the real Litmos API goes through the connector's
parsers: users, teams, sub-teams (each yielding the team asked about as its parent) and
courses, as the captures show them (tests/evidence/litmos/)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from syncd.connectors.litmos import mapping
from syncd.records import GroupKind, RemoteId
from tests.evidence.litmos_cassettes import Interaction, interactions, response_json

USERS = re.compile(r"^/v1\.svc/(users|teams/[^/]+/users)$")
USER = re.compile(r"^/v1\.svc/users/[^/]+$")
TEAMS = re.compile(r"^/v1\.svc/teams$")
TEAM = re.compile(r"^/v1\.svc/teams/[^/]+$")
SUB_TEAMS = re.compile(r"^/v1\.svc/teams/(?P<parent>[^/]+)/teams$")
COURSE = re.compile(r"^/v1\.svc/courses/[^/]+$")


def parsed(interaction: Interaction) -> list[object]:
    """The records the connector's parsers make of one recorded answer."""
    body, path = response_json(interaction), interaction.path
    items: list[Any] = body if isinstance(body, list) else [body]
    if (sub := SUB_TEAMS.match(path)) is not None:
        parent = RemoteId(sub["parent"])
        return [mapping.sub_team(item, parent) for item in items]
    parsers: list[tuple[re.Pattern[str], Callable[[Any], object]]] = [
        (USERS, mapping.user),
        (USER, mapping.user),
        (TEAMS, lambda item: mapping.sub_team(item, RemoteId("-")).remote_id),
        (TEAM, mapping.group),
        (COURSE, mapping.course),
    ]
    for pattern, parse in parsers:
        if pattern.match(path):
            return [parse(item) for item in items]
    return []


def answered(interaction: Interaction) -> bool:
    """A JSON answer of a route the connector reads or writes."""
    if not interaction.status < 300 or not interaction.response_text:
        return False
    return any(p.match(interaction.path) for p in (USERS, USER, TEAMS, TEAM, SUB_TEAMS, COURSE))


CAPTURED = [i for i in interactions() if answered(i)]


def test_the_captures_hold_answers_for_every_route_the_connector_parses() -> None:
    routes = {p.pattern for i in CAPTURED for p in (USERS, USER, TEAMS, TEAM, SUB_TEAMS, COURSE)
              if p.match(i.path)}  # fmt: skip
    assert len(routes) == 6
    assert len(CAPTURED) >= 40


@pytest.mark.parametrize("interaction", CAPTURED, ids=lambda i: f"{i.file}#{i.index}")
def test_every_captured_answer_is_read_by_the_connector(interaction: Interaction) -> None:
    records = parsed(interaction)
    body = response_json(interaction)
    assert len(records) == (len(body) if isinstance(body, list) else 1)


def test_a_sub_team_answer_yields_its_parent() -> None:
    [listing] = [i for i in CAPTURED if i.file == "get-sub-teams.yml" and SUB_TEAMS.match(i.path)][
        :1
    ]
    teams = parsed(listing)
    assert [(t.remote_id, t.parent_remote_id) for t in teams] == [  # type: ignore[attr-defined]
        ("rUxaeaSvSBg1", "JyLa085jwVs1"),
        ("4RotCpfMKEY1", "JyLa085jwVs1"),
    ]


def test_a_captured_team_reads_as_a_group_without_a_code() -> None:
    [team] = parsed(next(i for i in CAPTURED if TEAM.match(i.path)))
    assert team.kind is GroupKind.GROUP  # type: ignore[attr-defined]
    assert team.code is None  # type: ignore[attr-defined]  # its Description names no HR group


def test_a_captured_user_reads_with_its_names_and_state() -> None:
    interaction = next(i for i in CAPTURED if i.file == "create-new-user.yml")
    [user] = parsed(interaction)
    assert (user.username, user.first_name, user.last_name, user.active) == (  # type: ignore[attr-defined]
        "charlie.quinn123@pieshop.net",
        "Charlie",
        "Quinn",
        True,
    )
