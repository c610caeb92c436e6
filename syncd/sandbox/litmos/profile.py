"""The Litmos user as a whole object: every field of the spec's User schema, by name.

`WRITABLE` gives each writable field the simulator keeps and its default; `from_body`
builds a whole profile from a POST/PUT body, a field the body omits taking its default
(PUT replaces the whole object: the strictest reading of the spec's "There are a
mandatory list of fields that must be passed in order to update a user"); `edited`
applies out-of-band edits. `DERIVED`, `WRITE_ONLY` and `READ_ONLY` are the schema's
other properties; tests/sandbox/test_litmos_spec.py checks the partition. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Profile = dict[str, Any]

DEFAULT_CULTURE = "en-US"  # what create-new-user.yml answers for a Culture sent as ""

_TEXT = (
    "UserName", "FirstName", "LastName", "Email", "AccessLevel", "Skype", "PhoneWork",
    "PhoneMobile", "TimeZone", "Street1", "Street2", "City", "State", "PostalCode",
    "Country", "CompanyName", "JobTitle", *(f"CustomField{n}" for n in range(1, 11)),
    "Brand", "ManagerId", "Website", "Twitter", "JobRole", "ExternalEmployeeId",
    "ProfileType",
)  # fmt: skip
_FLAGS = (
    "DisableMessages",
    "Active",
    "IsCustomUsername",
    "SkipFirstLogin",
    "EnableTextNotification",
)
_NULLABLE = ("SalesforceId", "SalesforceContactId", "SalesforceAccountId", "ExpirationDate")

# Every writable field the simulator keeps, with its default (what a PUT that omits it
# leaves): text "", flags false, the Salesforce ids and ExpirationDate null (as captured),
# Points 0, Culture the account's en-US.
WRITABLE: Mapping[str, object] = {
    **dict.fromkeys(_TEXT, ""),
    **dict.fromkeys(_FLAGS, False),
    **dict.fromkeys(_NULLABLE, None),
    "Points": 0,
    "Culture": DEFAULT_CULTURE,
}
DERIVED = ("Id", "FullName", "ManagerName")  # the path's id; "First Last"; the manager's UserName
WRITE_ONLY = ("Password",)  # accepted, never kept: answers show "" as captured
READ_ONLY = ("LastLogin", "LoginKey", "OriginalId", "CreatedDate")

# Shown by GET only when they differ from their default: spec fields no 2016 capture
# shows, which mark-module-complete.yml (2017) shows for a user whose Brand is "Default".
SHOWN_WHEN_SET = (
    "Brand", "ManagerId", "ManagerName", "EnableTextNotification", "Website", "Twitter",
    "ExpirationDate", "JobRole", "ExternalEmployeeId", "ProfileType",
)  # fmt: skip

# What `seed_user` gives a user the test does not describe: the captured creations'.
SEEDED: Mapping[str, object] = {
    "AccessLevel": "Learner",
    "TimeZone": "UTC",
    "DisableMessages": True,
    "Active": True,
}


def from_body(body: Mapping[str, Any]) -> Profile:
    """A whole profile from a (validated) body: omitted fields take their defaults, and a
    Culture of "" the account's default."""
    profile = {name: body.get(name, default) for name, default in WRITABLE.items()}
    if not profile["Culture"]:
        profile["Culture"] = DEFAULT_CULTURE
    return profile


def seeded(**fields: object) -> Profile:
    """A profile for seeding: defaults, then `SEEDED`, then `fields` (checked by name)."""
    return edited(dict(WRITABLE), {**SEEDED, **fields})


def edited(profile: Mapping[str, Any], fields: Mapping[str, object]) -> Profile:
    """`profile` with `fields` (Litmos names) replaced; an unknown name or a value of the
    wrong kind is a ValueError (tests name fields, they do not guess them)."""
    for name, value in fields.items():
        if name not in WRITABLE:
            raise ValueError(f"{name!r} is not a writable Litmos user field")
        if not _fits(WRITABLE[name], value):
            raise ValueError(f"{name!r} cannot hold {value!r}")
    return {**profile, **fields}


def _fits(default: object, value: object) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str) or (default is None and value is None)


def full_name(profile: Mapping[str, Any]) -> str:
    """FullName as Litmos derives it (create-new-user.yml: sent "", answered "First Last")."""
    return f"{profile['FirstName']} {profile['LastName']}".strip()


def is_set(name: str, value: object) -> bool:
    return value != WRITABLE.get(name, "") and value not in ("", None)
