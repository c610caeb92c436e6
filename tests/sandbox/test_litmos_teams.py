"""Litmos teams: create (201/409/400), the captured shapes (no ParentTeamId anywhere),
the flat team list, sub-teams, and members (add as a bare array, list active, remove)."""

from __future__ import annotations

import httpx
import pytest

from syncd.sandbox import LitmosSimulator
from syncd.sandbox.litmos import SentMessage, words

TEAMS = "/v1.svc/teams"
FULL_KEYS = ["Id", "Name", "Description"]  # add-sub-team.yml, teams-create.yml
ITEM_KEYS = ["Id", "Name", "TeamCodeForBulkImport"]  # teams-all-paginated.yml, get-sub-teams.yml


def _refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["Detail"]


def test_create_team_201_with_the_captured_keys_and_duplicate_409(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    response = litmos_client.post(TEAMS, json={"Id": "", "Name": "Sales", "Description": "S"})
    assert response.status_code == 201
    assert list(response.json()) == FULL_KEYS
    again = litmos_client.post(TEAMS, json={"Id": "", "Name": "sales"})
    assert _refusal(again) == (409, words.TEAM_NAME_TAKEN)
    assert litmos.snapshot().teams == (("Sales", None),)


@pytest.mark.parametrize(
    "team",
    [
        {"Name": "Sales"},  # the spec's Team requires Id
        {"Id": ""},  # and Name
        {"Id": "x", "Name": "Sales"},
        {"Id": "", "Name": " "},
        {"Id": "", "Name": "Sales", "TeamCodeForBulkImport": "1-Sales"},  # read-only
        {"Id": "", "Name": "Sales", "ParentTeamId": "elsewhere"},
        {"Id": "", "Name": 7},
    ],
)
def test_a_team_body_the_spec_refuses_is_400(
    litmos_client: httpx.Client, team: dict[str, object]
) -> None:
    assert _refusal(litmos_client.post(TEAMS, json=team)) == (400, words.TEAM_BAD_BODY)


def test_get_team_shows_the_captured_keys_and_404(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    team = litmos.seed_team("Sales", description="S")
    assert litmos_client.get(f"{TEAMS}/{team}").json() == {
        "Id": team,
        "Name": "Sales",
        "Description": "S",
    }
    assert _refusal(litmos_client.get(f"{TEAMS}/nope")) == (404, words.NO_TEAM)


def test_the_team_list_shows_every_team_with_bulk_import_codes(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    sales = litmos.seed_team("Sales Team")
    litmos.seed_team("EMEA", parent_id=sales)
    listed = litmos_client.get(TEAMS).json()
    assert [t["Name"] for t in listed] == ["Sales Team", "EMEA"]  # sub-teams too
    assert all(list(t) == ITEM_KEYS for t in listed)
    assert listed[0]["TeamCodeForBulkImport"].endswith("-SalesTeam")
    assert litmos_client.get(TEAMS, params={"search": "emea"}).json()[0]["Name"] == "EMEA"
    assert litmos_client.get(TEAMS, params={"start": 2}).json() == []


def test_sub_teams(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    parent = litmos.seed_team("Sales")
    created = litmos_client.post(f"{TEAMS}/{parent}/teams", json={"Id": "", "Name": "EMEA"})
    assert (created.status_code, list(created.json())) == (201, FULL_KEYS)
    listed = litmos_client.get(f"{TEAMS}/{parent}/teams").json()
    assert [(t["Name"], list(t)) for t in listed] == [("EMEA", ITEM_KEYS)]
    assert litmos_client.get(f"{TEAMS}/{parent}/teams", params={"start": 1}).json() == []
    assert litmos_client.get(f"{TEAMS}/{parent}/teams", params={"search": "x"}).json() == []
    missing = litmos_client.post(f"{TEAMS}/nope/teams", json={"Id": "", "Name": "X"})
    assert _refusal(missing) == (404, words.NO_TEAM)
    assert litmos.snapshot().teams == (("EMEA", "Sales"), ("Sales", None))


def test_a_sub_team_may_name_its_parent(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    parent = litmos.seed_team("Sales")
    named = {"Id": "", "Name": "EMEA", "ParentTeamId": parent}
    assert litmos_client.post(f"{TEAMS}/{parent}/teams", json=named).status_code == 201


def test_add_members_takes_a_bare_array_201_empty_and_lists_active_only(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    team = litmos.seed_team("Sales")
    ann = litmos.seed_user("ann.archer", "Ann", "A", "ann@acme.test")
    bob = litmos.seed_user("bob.builder", "Bob", "B", "bob@acme.test", active=False)
    added = litmos_client.post(f"{TEAMS}/{team}/users", json=[{"Id": ann}, {"Id": bob}])
    assert (added.status_code, added.content) == (201, b"")
    listed = litmos_client.get(f"{TEAMS}/{team}/users").json()
    assert [u["UserName"] for u in listed] == ["ann.archer"]
    assert litmos.snapshot().members == (("Sales", "ann.archer"), ("Sales", "bob.builder"))
    assert litmos.sent_messages == []


def test_add_members_takes_the_spec_wrapper_and_sendmessage(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    team = litmos.seed_team("Sales")
    ann = litmos.seed_user("ann.archer", "Ann", "A", "ann@acme.test")
    url = f"{TEAMS}/{team}/users"
    added = litmos_client.post(url, params={"sendmessage": "true"}, json={"User": [{"Id": ann}]})
    assert added.status_code == 201
    litmos_client.post(url, params={"sendmessage": "true"}, json=[{"Id": ann}])  # not new
    assert litmos.sent_messages == [SentMessage("login", ann)]


def test_add_members_refusals(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    team = litmos.seed_team("Sales")
    ann = litmos.seed_user("ann.archer", "Ann", "A", "ann@acme.test")
    url = f"{TEAMS}/{team}/users"
    missing_team = litmos_client.post(f"{TEAMS}/nope/users", json=[{"Id": ann}])
    assert _refusal(missing_team) == (404, words.NO_TEAM_OR_USERS)
    assert _refusal(litmos_client.post(url, json=[])) == (404, words.NO_TEAM_OR_USERS)
    assert _refusal(litmos_client.post(url, json=[{"Id": "x"}])) == (404, words.NO_USER)
    assert litmos_client.post(url, json=[{"No": 1}]).status_code == 400
    assert litmos_client.post(url, json=[{"Id": 7}]).status_code == 400  # the schema's string
    assert litmos_client.post(url, json={"Course": [{"Id": ann}]}).status_code == 404
    assert litmos.snapshot().members == ()


def test_remove_member_200_empty_then_404(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    team = litmos.seed_team("Sales")
    ann = litmos.seed_user("ann.archer", "Ann", "A", "ann@acme.test")
    litmos.add_team_member(team, ann)
    response = litmos_client.delete(f"{TEAMS}/{team}/users/{ann}")
    assert (response.status_code, response.content) == (200, b"")
    again = litmos_client.delete(f"{TEAMS}/{team}/users/{ann}")
    assert _refusal(again) == (404, words.NOT_A_MEMBER)
    nobody = litmos_client.delete(f"{TEAMS}/{team}/users/nobody")
    assert _refusal(nobody) == (404, words.NO_TEAM_OR_USER)
    assert litmos_client.get(f"{TEAMS}/{team}/users").json() == []


def test_deleting_a_user_drops_their_memberships(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    team = litmos.seed_team("Sales")
    ann = litmos.seed_user("ann.archer", "Ann", "A", "ann@acme.test")
    litmos.add_team_member(team, ann)
    litmos_client.delete(f"/v1.svc/users/{ann}")
    assert litmos.snapshot().members == ()
