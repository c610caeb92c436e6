"""Every captured Litmos interaction, replayed against the simulator.

Each cassette is sent, in order, to a fresh simulator seeded with the capture's own state
(its users, teams and courses under their captured ids), with the sandbox key added
(VCR stripped the real one) and a Content-Type header (the seed's rule). Each answer's
status and JSON keys (recursively, for objects and array items) must equal the
capture's. Ids the real server drew on creation are translated to the simulator's for
the calls that follow. Routes syncd never calls are out of scope, each with its reason:
12 interactions, so 55 are replayed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from syncd.sandbox import LitmosSimulator
from tests.evidence.litmos_cassettes import (
    Interaction,
    cassette_files,
    interactions,
    response_json,
)

KEY = "sandbox-litmos-key"
MAX_CHANDLER = "JyLa085jwVs1"  # the team most cassettes work in

OUT_OF_SCOPE = {
    "/v1.svc/courses/{courseId}/modules": "syncd reads no modules: it assigns whole courses",
    "/v1.svc/results/modules/{moduleId}": "syncd writes no results: progress is the LMS's",
    "/v1.svc/teams/{teamId}/leaders/{userId}": "syncd manages no team leaders",
    "/v1.svc/users/{userId}/teams": (
        "syncd removes a user from one team at a time (DELETE /teams/{teamId}/users/{userId})"
    ),
}
SERVER_ERROR = (  # also on an out-of-scope route
    "module_complete.yml",
    3,
    "the capture's one 500 is an HTML error page of the real server, not a rule to model",
)


def _regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", template) + "$")


OUT_OF_SCOPE_PATTERNS = {template: _regex(template) for template in OUT_OF_SCOPE}


def out_of_scope(interaction: Interaction) -> str | None:
    for template, pattern in OUT_OF_SCOPE_PATTERNS.items():
        if pattern.match(interaction.path):
            return template
    return None


def shape(value: Any) -> object:
    """The keys of a JSON value, recursively: objects by key, arrays by their items'
    shapes (an empty array is not a non-empty one), scalars alike."""
    if isinstance(value, dict):
        return ("object", frozenset((k, shape(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("array", frozenset(shape(item) for item in value))
    return "scalar"


# -- the captures' own state ------------------------------------------------------


def _recorded(file: str, index: int) -> Any:
    return response_json(next(i for i in interactions() if (i.file, i.index) == (file, index)))


def _seed_user(sim: LitmosSimulator, record: dict[str, Any]) -> None:
    """A user with a captured record's id and fields (list items carry fewer)."""
    extra = {
        name: record[name]
        for name in ("AccessLevel", "TimeZone", "Brand", "CustomField1")
        if isinstance(record.get(name), str)
    }
    names = (record["UserName"], record["FirstName"], record["LastName"], record["Email"])
    sim.seed_user(*names, active=record["Active"], user_id=record["Id"], **extra)


def _answer_users(file: str, index: int) -> Callable[[LitmosSimulator], None]:
    def seed(sim: LitmosSimulator) -> None:
        answer = _recorded(file, index)
        for record in answer if isinstance(answer, list) else [answer]:
            if record["Id"] not in sim.state.users:
                _seed_user(sim, record)

    return seed


def _max_chandler(sim: LitmosSimulator) -> None:
    sim.seed_team("Max Chandler", team_id=MAX_CHANDLER)


def _nothing(sim: LitmosSimulator) -> None:
    """The cassette starts from an account without the records it creates."""


def _existing_jobaba7(sim: LitmosSimulator) -> None:
    sent = next(i for i in interactions() if i.file == "create-user-already-exists.yml")
    body = sent.request_body
    sim.seed_user(body["UserName"], body["FirstName"], body["LastName"], body["Email"])


def _sub_teams(sim: LitmosSimulator) -> None:
    _max_chandler(sim)
    for team in _recorded("get-sub-teams.yml", 1):
        sim.seed_team(team["Name"], parent_id=MAX_CHANDLER, team_id=team["Id"])


def _team_users(sim: LitmosSimulator) -> None:
    """The capture was edited: GET /teams/JyLa085jwVs1 answers Id JyLa015jwVs1, whose
    users it then lists. Both teams exist; the second's name is made unique."""
    _max_chandler(sim)
    sim.seed_team("Max Chandler (JyLa015jwVs1)", team_id="JyLa015jwVs1")
    _answer_users("get-team-users.yml", 1)(sim)
    for user in _recorded("get-team-users.yml", 1):
        sim.add_team_member("JyLa015jwVs1", user["Id"])


def _two_max_chandlers(sim: LitmosSimulator) -> None:
    """remove-user.yml asks for JyLa085jwVs0 (answered as JyLa085jwVs1), then uses ...1."""
    sim.seed_team("Max Chandler (JyLa085jwVs0)", team_id="JyLa085jwVs0")
    _max_chandler(sim)


def _course_and_user(file: str, course_at: int, user_at: int) -> Callable[[LitmosSimulator], None]:
    def seed(sim: LitmosSimulator) -> None:
        course = _recorded(file, course_at)
        sim.seed_course(course["Code"], course["Name"], course_id=course["Id"])
        _seed_user(sim, _recorded(file, user_at))

    return seed


def _all_teams(sim: LitmosSimulator) -> None:
    """Page 2 (start=200) is full and page 3 (start=400) empty: 201 to 400 teams; the
    Content-Length headers (18049 and 1438 bytes at ~90 a team) say about 216."""
    for team in _recorded("teams-all-paginated.yml", 0):
        sim.seed_team(team["Name"], team_id=team["Id"])
    for n in range(216 - len(sim.state.teams)):
        sim.seed_team(f"Team {n:03d}")


def _all_users(sim: LitmosSimulator) -> None:
    """Pages up to start=800 hold users and start=1000 is empty: 801 to 1000 users (the
    capture repeats a page, so it was edited); the captured ones, then others, to 1000."""
    for index in range(5):
        _answer_users("users-all-paginated.yml", index)(sim)
    for n in range(1000 - len(sim.state.users)):
        sim.seed_user(f"user{n:04d}@pieshop.net", "User", f"{n:04d}", f"user{n:04d}@pieshop.net")


SEEDS: dict[str, Callable[[LitmosSimulator], None]] = {
    "add-sub-team.yml": _max_chandler,
    "add-users.yml": _max_chandler,
    "create-new-user.yml": _nothing,
    "create-user-already-exists.yml": _existing_jobaba7,
    "deactivate-user.yml": _answer_users("deactivate-user.yml", 0),
    "delete-user.yml": lambda sim: sim.seed_user(
        "gone.user", "Gone", "User", "gone@pieshop.net", user_id="YmrD13iZlm41"
    ),
    "end-to-end-integration-test.yml": _answer_users("end-to-end-integration-test.yml", 0),
    "find-and-update-user.yml": _answer_users("find-and-update-user.yml", 0),
    "find-user.yml": _answer_users("find-user.yml", 0),
    "get-sub-teams.yml": _sub_teams,
    "get-team-users.yml": _team_users,
    "mark-module-complete.yml": _course_and_user("mark-module-complete.yml", 0, 3),
    "module_complete.yml": _course_and_user("module_complete.yml", 0, 2),
    "promote-and-demote-user.yml": _max_chandler,
    "remove-teams-from-user.yml": _answer_users("remove-teams-from-user.yml", 0),
    "remove-user.yml": _two_max_chandlers,
    "search-users-not-found.yml": _nothing,
    "search-users.yml": _answer_users("search-users.yml", 0),
    "teams-all-paginated.yml": _all_teams,
    "teams-create.yml": _nothing,
    "users-all-paginated.yml": _all_users,
    "users-create.yml": _nothing,
}


# -- the replay ---------------------------------------------------------------------


def _translate(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _translate(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_translate(item, ids) for item in value]
    return ids.get(value, value) if isinstance(value, str) else value


def _send(client: httpx.Client, interaction: Interaction, ids: dict[str, str]) -> httpx.Response:
    path = "/".join(ids.get(part, part) for part in interaction.path.split("/"))
    headers = {
        "Content-Type": interaction.request_headers.get("Content-Type", "application/json"),
        "apikey": KEY,
    }
    body = interaction.request_body
    return client.request(
        interaction.method,
        path,
        params=interaction.query,
        headers=headers,
        json=_translate(body, ids) if body is not None else None,
    )


def _replay(file: str) -> list[str]:
    """Replay one cassette; the mismatches found, as readable lines."""
    sim = LitmosSimulator()
    SEEDS[file](sim)
    ids: dict[str, str] = {}
    problems = []
    with httpx.Client(transport=sim.transport(), base_url="https://api.litmos.com") as client:
        for interaction in (i for i in interactions() if i.file == file):
            if out_of_scope(interaction):
                continue
            answer = _send(client, interaction, ids)
            captured = response_json(interaction)
            got = answer.json() if answer.content else None
            if (answer.status_code, shape(got)) != (interaction.status, shape(captured)):
                problems.append(_mismatch(interaction, answer))
            if interaction.status == 201 and isinstance(captured, dict) and isinstance(got, dict):
                ids[captured["Id"]] = got["Id"]  # an id the real server drew on creation
    return problems


def _mismatch(interaction: Interaction, answer: httpx.Response) -> str:
    sent = f"#{interaction.index} {interaction.method} {interaction.path}"
    return f"{sent}: {answer.status_code} {answer.text[:300]}"


@pytest.mark.parametrize("file", [path.name for path in cassette_files()])
def test_the_simulator_answers_each_capture_as_recorded(file: str) -> None:
    assert _replay(file) == []


def test_all_67_interactions_are_replayed_or_out_of_scope_with_a_reason() -> None:
    recorded = interactions()
    skipped = [i for i in recorded if out_of_scope(i)]
    assert len(recorded) == 67
    assert len(recorded) - len(skipped) == 55
    assert {out_of_scope(i) for i in skipped} == set(OUT_OF_SCOPE)
    (error,) = [i for i in recorded if i.status >= 500]
    assert ((error.file, error.index), out_of_scope(error)) == (
        SERVER_ERROR[:2],
        "/v1.svc/results/modules/{moduleId}",
    )


def test_every_cassette_has_its_seed() -> None:
    assert set(SEEDS) == {path.name for path in cassette_files()}


def test_out_of_scope_routes_are_not_served() -> None:
    sim = LitmosSimulator()
    served = {route.pattern for route in sim.router.routes}
    assert not served & set(OUT_OF_SCOPE)


def test_shape_tells_keys_apart_and_ignores_values() -> None:
    assert shape({"a": 1, "b": [{"c": None}]}) == shape({"b": [{"c": "x"}], "a": True})
    assert shape([]) != shape([{"a": 1}])
    assert shape({"a": {"b": 1}}) != shape({"a": {"c": 1}})
