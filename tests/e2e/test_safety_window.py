"""The rolling window: leavers removed in any 7 days are limited as well as those of one run.

Four HR exports, each a little shorter (3 of 34 people, 9%), each pass the per-run
`max_deactivate` (10%); the window (`max_deactivate_per_week`, 20%: at most 6 of 34)
stops the run whose plan would take the week's removals past it.
"""

from __future__ import annotations

from sqlalchemy import select

from syncd.store import Database
from syncd.store.schema import SyncRunRow
from tests.e2e.harness import World

DAY = 86_400.0


def _drop(world: World, count: int) -> list[str]:
    """Remove `count` more active people from the HR export; their employee ids."""
    active = [
        p["employee_id"]
        for p in world.hr.people
        if p.get("status", "active") != "inactive" and p["employee_id"] != "E1001"
    ]
    gone = set(active[-count:])
    world.hr.people = [p for p in world.hr.people if p["employee_id"] not in gone]
    return sorted(gone)


def _deactivated(world: World) -> int:
    return sum(not user[3] for user in world.sim.snapshot().users.values())


def test_small_shrinks_stop_at_the_run_that_crosses_the_weekly_window(synced: World) -> None:
    statuses = []
    for _ in range(4):
        _drop(synced, 3)
        synced.clock.advance(DAY)
        statuses.append(synced.run().targets[0])
    assert [t.status for t in statuses] == ["ok", "ok", "stopped", "stopped"]
    message = statuses[2].message or ""
    assert "safety.max_deactivate_per_week = 20% (at most 6 in any 7 days)" in message
    assert "6 in the last 7 days" in message
    assert "deactivate 3 more of 34 managed users" in message
    assert "--force" in message
    assert _deactivated(synced) == 6  # the stopped runs sent nothing
    db = Database(synced.database_url)
    with db.session() as session:
        runs = session.scalars(select(SyncRunRow).order_by(SyncRunRow.id)).all()
    db.dispose()
    assert [r.status for r in runs][-2:] == ["stopped", "stopped"]


def test_force_applies_a_plan_past_the_weekly_window(synced: World) -> None:
    for _ in range(3):
        _drop(synced, 3)
        synced.clock.advance(DAY)
        report = synced.run()
    assert report.targets[0].status == "stopped"
    forced = synced.run(force=True)
    assert forced.targets[0].status == "ok"
    assert _deactivated(synced) == 9


def test_the_window_rolls_removals_older_than_7_days_no_longer_count(synced: World) -> None:
    for _ in range(2):
        _drop(synced, 3)
        synced.clock.advance(DAY)
        assert synced.run().targets[0].status == "ok"
    synced.clock.advance(7 * DAY)  # the first two runs' removals are out of the window
    _drop(synced, 3)
    assert synced.run().targets[0].status == "ok"
    assert _deactivated(synced) == 9


def test_a_dry_run_counts_nothing_toward_the_window(synced: World) -> None:
    _drop(synced, 3)
    for _ in range(3):
        synced.clock.advance(DAY)
        assert synced.run(dry_run=True).targets[0].status == "planned"
    assert synced.run().targets[0].status == "ok"
    _drop(synced, 3)
    synced.clock.advance(DAY)
    assert synced.run().targets[0].status == "ok"  # 6: within the window, dry runs unsent
    _drop(synced, 3)
    synced.clock.advance(DAY)
    assert synced.run(dry_run=True).targets[0].status == "stopped"  # and a dry run shows it


def test_an_absolute_weekly_limit(synced: World) -> None:
    text = synced.config_path.read_text(encoding="utf-8")
    synced.config_path.write_text(
        text.replace("[safety]\n", "[safety]\nmax_deactivate_per_week = 4\n"), encoding="utf-8"
    )
    _drop(synced, 3)
    assert synced.run().targets[0].status == "ok"
    _drop(synced, 2)
    synced.clock.advance(DAY)
    stopped = synced.run().targets[0]
    assert stopped.status == "stopped"
    assert "safety.max_deactivate_per_week = 4 (at most 4 in any 7 days)" in (stopped.message or "")
