"""Reading a Dokeos request body, collecting every broken rule for one 422.

`Form` takes the JSON object body (400 when there is none or it is not an
object), notes unknown keys, and reads typed fields; each bad field becomes
an entry of the 422's `fields`, raised together by `check()`.
"""

from __future__ import annotations

from collections.abc import Collection

from syncd.sandbox.dokeos.wire import unprocessable
from syncd.sandbox.fields import as_id, body_object
from syncd.sandbox.messages import Request

MISSING = "is required"
TAKEN = "has already been taken"


class Form:
    """The fields of a body; `problems` maps a field to what is wrong with it."""

    def __init__(self, request: Request, allowed: Collection[str], *, optional: bool = False):
        self.data = {} if optional and request.body is None else body_object(request)
        self.problems = {key: "is not a known field" for key in self.data if key not in allowed}

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, *, required: bool = False) -> str | None:
        """A non-empty string; None when absent (a problem if `required`) or bad."""
        if key not in self.data:
            if required:
                self.problems[key] = MISSING
            return None
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            self.problems[key] = "must be a non-empty string"
            return None
        return value

    def required_text(self, key: str) -> str:
        """A required non-empty string ("" with the problem noted when it is not one)."""
        return self.text(key, required=True) or ""

    def free_text(self, key: str) -> str | None:
        """Any string, empty included (None when absent or null)."""
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value
        self.problems[key] = "must be a string"
        return None

    def nullable_text(self, key: str) -> str | None:
        """A non-empty string or null."""
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        self.problems[key] = "must be a non-empty string or null"
        return None

    def email(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        local, at, domain = (value or "").partition("@")
        if value is not None and not (local and at and domain):
            self.problems[key] = "is not an email address"
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.problems[key] = "must be true or false"
        return None

    def id_value(self, key: str) -> int:
        """A required id (0 when missing, with the problem noted)."""
        found = as_id(self.data.get(key))
        if found is None:
            self.problems[key] = MISSING if key not in self.data else "must be an integer id"
        return found or 0

    def ids(self, key: str) -> tuple[int, ...]:
        """A list of ids, in order, duplicates dropped (() when absent)."""
        raw = self.data.get(key, [])
        found = [as_id(item) for item in raw] if isinstance(raw, list) else [None]
        if any(item is None for item in found):
            self.problems[key] = "must be a list of integer ids"
            return ()
        return tuple(dict.fromkeys(item for item in found if item is not None))

    def check(self, message: str = "The body breaks the rules of this call") -> None:
        """Raise the 422 naming every problem found so far."""
        if self.problems:
            raise unprocessable(message, self.problems)
