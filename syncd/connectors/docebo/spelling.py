"""Reading a Docebo item whose keys differ between API eras and clients: one field, many spellings.

A `Field` names the keys that may carry one value, in the order they are tried, each
with the public source that shows it. `Field.read` takes the value of the first key
present in the item (present means the key is there, even with null). A required field
with none of its keys present is a FatalError naming the item by its keys only (never
its values: they hold personal data), so a tenant answering another shape stops the read
loudly instead of being read wrong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from syncd.errors import FatalError

JsonObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Spelling:
    """One key a field may come under, and where that key is documented."""

    key: str
    source: str


@dataclass(frozen=True, slots=True)
class Field:
    """One value of an item, under the first of its spellings that the item has."""

    name: str
    spellings: tuple[Spelling, ...]
    required: bool = True
    keys: tuple[str, ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # read for every item of every page: worked out once
        object.__setattr__(self, "keys", tuple(spelling.key for spelling in self.spellings))

    def present(self, item: JsonObject) -> bool:
        return any(key in item for key in self.keys)

    def read(self, item: JsonObject, what: str) -> Any:
        """The value under the first key present; None for an optional field with none."""
        for key in self.keys:
            if key in item:
                return item[key]
        if self.required:
            raise shape_error(what, item, f"its {self.name} ({' / '.join(self.keys)})")
        return None


def shape_error(what: str, item: JsonObject, missing: str) -> FatalError:
    """The error for an item syncd cannot read: what it lacks and the keys it has."""
    keys = ", ".join(sorted(str(key) for key in item)) or "none"
    return FatalError(f"Docebo sent a {what} item without {missing}; its keys: {keys}")


def said(key: str, *sources: str) -> Spelling:
    """A spelling documented by `sources` (joined with "; ")."""
    return Spelling(key, "; ".join(sources))


@dataclass(frozen=True, slots=True)
class Table:
    """The fields syncd reads from one kind of item (`what` names it in errors)."""

    what: str
    fields: tuple[Field, ...]
    by_name: dict[str, Field] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in reversed(self.fields)})

    def field(self, name: str) -> Field:
        return self.by_name[name]

    def read(self, item: JsonObject, name: str) -> Any:
        field = self.by_name[name]
        for key in field.keys:  # Field.read's first loop, inline: run for every value read
            if key in item:
                return item[key]
        return field.read(item, self.what)

    def text(self, item: JsonObject, name: str) -> str:
        """A field as text (null: empty)."""
        value = self.read(item, name)
        return "" if value is None else str(value)

    def ident(self, item: JsonObject, name: str) -> str:
        """An id field as text; a null or empty one is as bad as a missing one."""
        value = self.read(item, name)
        if value is None or value == "" or isinstance(value, bool):
            raise shape_error(self.what, item, f"a value for its {name}")
        return str(value)
