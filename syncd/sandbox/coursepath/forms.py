"""Reading Coursepath request bodies: member fields and the invitation override.

Bodies may be JSON objects or form fields. `member_changes` returns the
fields a create or update sets (400 naming the first bad or unknown field);
`mail_override` reads `mail[subject]`, `mail[body]`, `mail[action]` (flat
keys, or a JSON `mail` object). `derived_name` is the name from an email.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from syncd.sandbox.coursepath.records import PROFILE_FIELDS
from syncd.sandbox.coursepath.wire import error
from syncd.sandbox.fields import FALSE_WORDS, TRUE_WORDS
from syncd.sandbox.messages import Request

MEMBER_KEYS = ("email", "name", "active", *PROFILE_FIELDS)
MAIL_KEYS = ("subject", "body", "action")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_WORD_BREAKS = re.compile(r"[._+\-]+")


@dataclass(frozen=True, slots=True)
class MemberChanges:
    """What a body sets; `profile` maps a field to its new value (None clears it)."""

    email: str | None = None
    name: str | None = None
    active: bool | None = None
    profile: dict[str, str | None] = field(default_factory=dict)


def body_fields(request: Request, *, optional: bool = False) -> dict[str, object]:
    """The body as a dict; 400 when it is not an object (absent is {} if `optional`)."""
    if request.body is None and optional:
        return {}
    if not isinstance(request.body, dict):
        raise error(400, "The request body must be a JSON object or form fields")
    return {str(key): value for key, value in request.body.items()}


def member_changes(body: dict[str, object], *, creating: bool) -> MemberChanges:
    unknown = sorted(set(body) - set(MEMBER_KEYS))
    if unknown:
        raise error(400, f"Unknown member fields: {', '.join(unknown)}")
    if creating and body.get("email") in (None, ""):
        raise error(400, "'email' is required")
    profile = {name: _optional_text(body, name) for name in PROFILE_FIELDS if name in body}
    return MemberChanges(
        email=_email(body),
        name=_name(body),
        active=_flag(body, "active"),
        profile=profile,
    )


def mail_override(body: dict[str, object]) -> dict[str, str]:
    """The invitation text override; 400 for any other key or a non-string value."""
    nested = body.pop("mail", None)
    mail = {key[5:-1]: value for key, value in body.items() if _is_mail_key(key)}
    leftover = sorted(key for key in body if not _is_mail_key(key))
    if isinstance(nested, dict):
        mail.update({str(key): value for key, value in nested.items()})
    elif nested is not None:
        leftover.append("mail")
    unknown = leftover + sorted(key for key in mail if key not in MAIL_KEYS)
    if unknown:
        raise error(400, f"Unknown invitation fields: {', '.join(unknown)}")
    if not all(isinstance(value, str) for value in mail.values()):
        raise error(400, "mail[subject], mail[body] and mail[action] must be strings")
    return {key: str(value) for key, value in mail.items()}


def derived_name(email: str) -> str:
    """'john.smith@example.com' -> 'John Smith'."""
    words = _WORD_BREAKS.split(email.partition("@")[0])
    return " ".join(word.capitalize() for word in words if word) or email


def _is_mail_key(key: str) -> bool:
    return key.startswith("mail[") and key.endswith("]")


def _email(body: dict[str, object]) -> str | None:
    if "email" not in body:
        return None
    value = body["email"]
    if not isinstance(value, str) or not _EMAIL.match(value):
        raise error(400, "'email' must be an email address")
    return value


def _name(body: dict[str, object]) -> str | None:
    value = body.get("name")
    if value is None or (isinstance(value, str) and value.strip()):
        return value
    raise error(400, "'name' must be a non-empty string")


def _optional_text(body: dict[str, object], key: str) -> str | None:
    """A string; null or "" clears the field."""
    value = body[key]
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise error(400, f"'{key}' must be a string")
    return value


def _flag(body: dict[str, object], key: str) -> bool | None:
    value = body.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in TRUE_WORDS | FALSE_WORDS:
        return value.lower() in TRUE_WORDS
    raise error(400, f"'{key}' must be true or false")
