"""What an LMS does on its own when syncd writes: the emails it sends, the licence seats a
new account takes, the results an unenrollment deletes.

Each connector declares, per operation kind and as its target is set up, what one
operation makes the LMS do (`Capabilities.side_effects`); the plan lists it per operation
and totals it per target, so that nobody is mailed, charged or loses results by surprise.
Plain values: `syncd status` renders them without loading a connector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from syncd.operations import OpKind


class Effect(StrEnum):
    """What an LMS does on its own when syncd writes: what the plan lists per operation
    and totals per target, so that nobody is mailed, charged or loses results by surprise."""

    WELCOME_EMAIL = "welcome_email"  # a new account's login, welcome or invitation email
    ASSIGNMENT_EMAIL = "assignment_email"  # an email telling a learner of a course
    GROUP_EMAIL = "group_email"  # an email telling a person of a group they were added to
    SEAT = "seat"  # a licence seat taken
    RESULTS_DELETED = "results_deleted"  # the learner's results deleted with the enrollment


@dataclass(frozen=True, slots=True)
class SideEffects:
    """What one operation of each kind makes the LMS do on its own, as this target is set
    up (its `notify` setting and the rest): `per_kind[kind][effect]` is how many of
    `effect` one operation of `kind` causes. `unswitchable` holds the effects the LMS's API
    has no switch for: `notify = false` cannot stop them, and the plan says so."""

    per_kind: Mapping[OpKind, Mapping[Effect, int]] = field(default_factory=dict)
    unswitchable: frozenset[Effect] = frozenset()

    def of(self, kind: OpKind) -> Mapping[Effect, int]:
        return self.per_kind.get(kind, {})


def effect_words(effect: str, n: int) -> str:
    """`3 welcome emails`, `1 seat`, `2 results deleted` (`effect`: an `Effect` value)."""
    if effect == Effect.RESULTS_DELETED:
        return f"{n} results deleted"
    return f"{n} {effect.replace('_', ' ')}{'s' * (n != 1)}"
