"""Effective dates: which people the LMSs see at a moment, and in which state.

An HR row may carry `start_date`, `end_date`, `timezone` and `status = leave` (a
`Tenure`). The import turns each tenure into a `Timeline` (moments in UTC) and, every
cycle, derives from it the people the LMSs get at that cycle's moment:
- before `appears_at` (00:00 of the start date in the person's zone, less
  `hr.create_before_start`) the person is not there at all: no account, no memberships,
  no enrollments;
- from `ends_at` (00:00 of the day after the end date, there) the person is inactive and
  deactivated as a leaver is;
- on leave, inactive: the account is deactivated, and memberships and enrollments stay
  as they are (the plan neither adds nor removes those of an inactive person) until the
  person is back.
Everything after the import (the diff, the plan) sees only the result and knows no dates.

Decisions: a day's first moment is its 00:00 in the zone, or the moment the clocks jump
over it where a zone skips midnight; `create_before_start` is taken off the local wall
time, so "14d" creates a person at 00:00 two weeks before their start, there, whatever
daylight saving does in between. No pure function here reads a clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncd.records import EmployeeId, Person, Tenure, Timeline

UPCOMING = 20
"""How many of the next effective changes the plan and `syncd status` show."""


def known_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows ("Asia/Tokyo", "UTC")."""
    if not name or name != name.strip() or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def timeline(tenure: Tenure, default_zone: str, create_before_start: dt.timedelta) -> Timeline:
    """The moments of `tenure`, its dates read in its own zone or `default_zone`."""
    zone = tenure.timezone or default_zone
    appears = ends = None
    if tenure.start_date is not None:
        appears = _first_moment(tenure.start_date, zone, create_before_start)
    if tenure.end_date is not None:
        ends = _first_moment(tenure.end_date + dt.timedelta(days=1), zone, dt.timedelta(0))
    return Timeline(tenure, zone, appears, ends)


def _first_moment(day: dt.date, zone: str, earlier_by: dt.timedelta) -> dt.datetime:
    wall = dt.datetime.combine(day, dt.time(0)) - earlier_by
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def effective_people(
    people: Sequence[Person], timelines: Mapping[EmployeeId, Timeline], now: dt.datetime
) -> tuple[Person, ...]:
    """The people the LMSs get at `now`: those not yet due left out, those past their
    last day or on leave made inactive, the others as HR has them."""
    effective = []
    for person in people:
        line = timelines.get(person.employee_id)
        if line is None:
            effective.append(person)
        elif line.appears_at is None or now >= line.appears_at:
            effective.append(_as_of(person, line, now))
    return tuple(effective)


def _as_of(person: Person, line: Timeline, now: dt.datetime) -> Person:
    """`person` as their leave and last day make them at `now` (they are due)."""
    if line.tenure.on_leave:
        return replace(person, active=False, on_leave=True)
    if line.ends_at is not None and now >= line.ends_at:
        return replace(person, active=False)
    return person


@dataclass(frozen=True, slots=True)
class EffectiveChange:
    """One coming change, as the plan and `syncd status` show it."""

    at: dt.datetime
    employee_id: EmployeeId
    text: str


def upcoming(
    timelines: Iterable[Timeline], now: dt.datetime, limit: int = UPCOMING
) -> list[EffectiveChange]:
    """The next `limit` changes after `now`, first first: people appearing, people
    leaving (those on leave are inactive already and not listed as leaving)."""
    changes = []
    for line in timelines:
        tenure, emp = line.tenure, line.tenure.employee_id
        if line.appears_at is not None and line.appears_at > now:
            local = line.appears_at.astimezone(ZoneInfo(line.zone)).date()
            text = (
                f"{emp} starts {tenure.start_date} ({line.zone}), "
                f"created on {local} ({_utc(line.appears_at)})"
            )
            changes.append(EffectiveChange(line.appears_at, emp, text))
        if line.ends_at is not None and line.ends_at > now and not tenure.on_leave:
            text = (
                f"{emp} leaves at the end of {tenure.end_date} ({line.zone}), "
                f"deactivated at {_utc(line.ends_at)}"
            )
            changes.append(EffectiveChange(line.ends_at, emp, text))
    return sorted(changes, key=lambda change: (change.at, change.employee_id))[:limit]


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
