"""The rules a user body meets beyond its schema (POST /users, PUT /users/{userId}).

`check_body` applies the 400 rules (the spec's "order sensitive" field list, the Id,
required text, access level, mobile number); `check_profile` the spec's 409 rules and
its 404 for a manager id, with the words of the operation. Where the spec names a rule
without its exact limits (special characters, culture codes, phone format) the
simulator takes the strictest plain reading, written next to each pattern. Pure but
for reading the state; called by users.py under the app lock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from syncd.sandbox.litmos import spec, words
from syncd.sandbox.litmos.state import LitmosState
from syncd.sandbox.messages import HttpError

# AccessLevel: the captures show Learner, Team_Leader and Account_Owner; the seed names
# Administrator too. Anything else: 400 (decided; the spec types it as a bare string).
ACCESS_LEVELS = frozenset({"Learner", "Team_Leader", "Administrator", "Account_Owner"})
# Usernames: the characters the captures' usernames use and e-mail addresses need
# (decided; the spec only says "Invalid special character's in the username").
USERNAME = re.compile(r"^[A-Za-z0-9._@+-]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Culture: language-REGION, as the capture's en-US and the spec's example en-Us.
CULTURE = re.compile(r"^[A-Za-z]{2,3}-[A-Za-z]{2}$")
# Mobile: the spec's own form +15554443333, a country code and 7 to 14 more digits.
MOBILE = re.compile(r"^\+[1-9]\d{7,14}$")
MIN_USERNAME = 4  # spec: "Username must be greater than 3 characters."


@dataclass(frozen=True, slots=True)
class UserWords:
    """The words of one operation: POST and PUT quote their 400 and email 409 apart."""

    bad_body: str
    bad_email: str


CREATE = UserWords(words.CREATE_USER_BAD_BODY, words.CREATE_BAD_EMAIL)
UPDATE = UserWords(words.UPDATE_USER_BAD_BODY, words.UPDATE_BAD_EMAIL)


def check_body(body: Mapping[str, Any], said: UserWords) -> None:
    """400 unless the fields keep the schema's order (spec: "that list is order
    sensitive"), the required text is not blank and the access level and mobile are
    valid. The Id is the caller's (POST wants "", PUT the path's)."""
    if not in_spec_order(body):
        raise HttpError(400, said.bad_body)
    if any(not str(body[name]).strip() for name in ("LastName", "TimeZone")):
        raise HttpError(400, said.bad_body)
    if body["AccessLevel"] not in ACCESS_LEVELS:
        raise HttpError(400, said.bad_body)
    _check_mobile(str(body.get("PhoneMobile", "")), bool(body.get("EnableTextNotification")))


def _check_mobile(mobile: str, texts: bool) -> None:
    if texts and not mobile:
        raise HttpError(400, words.MOBILE_REQUIRED)
    if mobile and not MOBILE.match(mobile):
        raise HttpError(400, words.BAD_MOBILE)


def check_profile(
    state: LitmosState, profile: Mapping[str, Any], user_id: str, said: UserWords
) -> None:
    """The spec's 409s (in its order, the name taken last) and 404 for a manager id that
    names no other user. `user_id` is "" on creation. The length rule is POST's in the
    spec; the simulator applies it on PUT too (strictest reading)."""
    username = str(profile["UserName"])
    if len(username) < MIN_USERNAME:
        raise HttpError(409, words.SHORT_USERNAME)
    if not USERNAME.match(username):
        raise HttpError(409, words.BAD_USERNAME)
    if not EMAIL.match(str(profile["Email"])):
        raise HttpError(409, said.bad_email)
    if not CULTURE.match(str(profile["Culture"])):
        raise HttpError(409, words.BAD_CULTURE)
    if profile["JobRole"] and profile["JobRole"] not in state.job_roles:
        raise HttpError(409, words.BAD_JOB_ROLE)
    if state.username_taken(username, but=user_id):
        raise HttpError(409, words.CAPTURED_USERNAME_TAKEN)
    manager = str(profile["ManagerId"])
    if manager and (manager == user_id or manager not in state.users):
        raise HttpError(404, words.BAD_MANAGER)


def in_spec_order(body: Mapping[str, Any]) -> bool:
    """True when the User fields of `body` come in the schema's order (others ignored)."""
    index = _positions()
    found = [index[name] for name in body if name in index]
    return found == sorted(found)


@cache
def _positions() -> dict[str, int]:
    return {name: n for n, name in enumerate(spec.user_properties())}
