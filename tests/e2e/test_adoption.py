"""A Docebo that already holds some HR people gets them adopted and linked, never duplicated."""

from __future__ import annotations

from tests.e2e.harness import World


def test_existing_accounts_are_adopted_not_duplicated(fresh: World) -> None:
    sim = fresh.sim
    sim.seed_user("lukas.becker@example.com", "lukas.becker@example.com", "Lukas", "Becker")
    sim.seed_user("Camille.Laurent@Example.com", "camille.laurent@example.com", "Camille", "L")
    sim.seed_user("giulia.r", "giulia.romano@example.com", "Giulia", "Romano")  # email only
    sim.seed_user("E1020-old", "someone.else@example.com", "Some", "One")  # not an HR person
    sim.seed_branch("SAL", "Sales")
    sim.seed_group("All Staff")
    report = fresh.run()
    plan = fresh.plan(report)
    adopted = {key for kind, key in plan if kind == "adopt"}
    assert {"E1001", "E1002", "E1003", "SAL", "all-staff"} <= adopted
    created = {key for kind, key in plan if kind == "create_user"}
    assert not created & {"E1001", "E1002", "E1003"}
    assert ("update_user", "E1002") in plan  # last name and login brought in line with HR
    assert ("update_user", "E1003") in plan  # login giulia.r -> the HR username
    assert ("create_group", "org_unit:SAL") not in plan
    users = fresh.sim.snapshot().users
    assert len(users) == 34 + 1  # every active HR person once, plus the stranger, untouched
    assert users["E1020-old"] == ("someone.else@example.com", "Some", "One", True)
    assert fresh.plan(fresh.run()) == []
