"""Litmos teams: create (201/409), sub-teams, members (add, list active, remove)."""

from __future__ import annotations

import httpx

from syncd.sandbox import LitmosSimulator

TEAMS = "/v1.svc/teams"


def test_create_team_201_and_duplicate_409(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    response = litmos_client.post(TEAMS, json={"Id": "", "Name": "Sales", "Description": "S"})
    assert response.status_code == 201
    assert response.json()["Name"] == "Sales"
    assert response.json()["ParentTeamId"] == ""
    again = litmos_client.post(TEAMS, json={"Id": "", "Name": "sales"})
    assert again.status_code == 409
    assert again.json() == {"Detail": "Team name already exists"}
    assert litmos.snapshot().teams == (("Sales", None),)


def test_get_team_and_404(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    team = litmos.seed_team("Sales")
    assert litmos_client.get(f"{TEAMS}/{team}").json()["Id"] == team
    assert litmos_client.get(f"{TEAMS}/nope").status_code == 404


def test_team_list_is_a_bare_array_with_bulk_import_codes(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    litmos.seed_team("Sales Team")
    litmos.seed_team("Ops")
    listed = litmos_client.get(TEAMS, params={"sort": "Name"}).json()
    assert [t["Name"] for t in listed] == ["Ops", "Sales Team"]
    assert listed[1]["TeamCodeForBulkImport"].endswith("-SalesTeam")
    assert litmos_client.get(TEAMS, params={"search": "ops"}).json()[0]["Name"] == "Ops"
    assert litmos_client.get(TEAMS, params={"start": 2}).json() == []


def test_sub_teams(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    parent = litmos.seed_team("Sales")
    created = litmos_client.post(f"{TEAMS}/{parent}/teams", json={"Id": "", "Name": "EMEA"})
    assert created.status_code == 201
    assert created.json()["ParentTeamId"] == parent
    listed = litmos_client.get(f"{TEAMS}/{parent}/teams").json()
    assert [t["Name"] for t in listed] == ["EMEA"]
    assert litmos_client.get(f"{TEAMS}/{parent}/teams", params={"start": 1}).json() == []
    assert litmos_client.post(f"{TEAMS}/nope/teams", json={"Name": "X"}).status_code == 404
    assert litmos.snapshot().teams == (("EMEA", "Sales"), ("Sales", None))


def test_add_members_201_empty_and_list_active_only(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    team = litmos.seed_team("Sales")
    ann = litmos.seed_user("ann", "Ann", "A", "ann@acme.test")
    bob = litmos.seed_user("bob", "Bob", "B", "bob@acme.test", active=False)
    added = litmos_client.post(f"{TEAMS}/{team}/users", json=[{"Id": ann}, {"Id": bob}])
    assert added.status_code == 201
    assert added.content == b""
    listed = litmos_client.get(f"{TEAMS}/{team}/users").json()
    assert [u["UserName"] for u in listed] == ["ann"]
    assert litmos.snapshot().members == (("Sales", "ann"), ("Sales", "bob"))


def test_add_members_404_on_missing_team_user_or_empty_list(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    team = litmos.seed_team("Sales")
    ann = litmos.seed_user("ann", "Ann", "A", "ann@acme.test")
    assert litmos_client.post(f"{TEAMS}/nope/users", json=[{"Id": ann}]).status_code == 404
    assert litmos_client.post(f"{TEAMS}/{team}/users", json=[]).status_code == 404
    assert litmos_client.post(f"{TEAMS}/{team}/users", json=[{"Id": "x"}]).status_code == 404
    assert litmos_client.post(f"{TEAMS}/{team}/users", json=[{"No": 1}]).status_code == 400
    assert litmos.snapshot().members == ()


def test_remove_member_200_empty_then_404(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    team = litmos.seed_team("Sales")
    ann = litmos.seed_user("ann", "Ann", "A", "ann@acme.test")
    litmos.add_team_member(team, ann)
    response = litmos_client.delete(f"{TEAMS}/{team}/users/{ann}")
    assert response.status_code == 200
    assert response.content == b""
    assert litmos_client.delete(f"{TEAMS}/{team}/users/{ann}").status_code == 404
    assert litmos_client.get(f"{TEAMS}/{team}/users").json() == []


def test_deleting_a_user_drops_their_memberships(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    team = litmos.seed_team("Sales")
    ann = litmos.seed_user("ann", "Ann", "A", "ann@acme.test")
    litmos.add_team_member(team, ann)
    litmos_client.delete(f"/v1.svc/users/{ann}")
    assert litmos.snapshot().members == ()
