"""Value types of the config: durations, limits, codes, secrets, checked base URLs.

Pydantic annotated types used by the config models; each refuses what it cannot
take with a message that `syncd.config` turns into "file: key: problem".

Scalars are strict: a bool key takes `true`/`false`, a count an integer, seconds a finite
number; the TOML string "yes" or "30" is refused. A value that came from `${ENV}` is text
by nature, so it alone is read as the key's type (`FromEnv`). Durations are bounded (at
most `LONGEST`, less where a key says so), so date arithmetic on them never overflows.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
)

DEFAULT_SANDBOX_DIR = Path("var/sandbox")
ORG_UNIT_PREFIX = "org_unit:"
_CODE = r"^[A-Za-z0-9._-]+$"
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_LIMIT = re.compile(r"(\d+(?:\.\d+)?)\s*%|(\d+)")


LONGEST = timedelta(days=366)  # no schedule needs more; far from datetime's limits


class FromEnv(str):
    """A config string that `${ENV}` interpolation produced: text that may stand for a bool
    or a number (the environment has no other type). Strict scalars read it; nothing else
    sees it (pydantic hands str fields a plain str)."""

    __slots__ = ()


def parse_duration(value: object, most: timedelta = LONGEST) -> timedelta:
    """'30s', '15m', '1h30m', '2d' as a timedelta; zero, negative, longer than `most` (at
    most LONGEST) and garbage are refused."""
    if isinstance(value, timedelta):
        return _bounded(value, repr(value), min(most, LONGEST))
    text = value.strip().lower() if isinstance(value, str) else ""
    found = _DURATION.fullmatch(text)
    if not text or not found:
        raise ValueError(f"{value!r} is not a duration; write e.g. '30s', '15m', '1h30m' or '2d'")
    days, hours, minutes, seconds = (int(part or 0) for part in found.groups())
    try:
        delta = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        delta = timedelta.max
    return _bounded(delta, repr(value), min(most, LONGEST))


def _bounded(delta: timedelta, shown: str, most: timedelta) -> timedelta:
    if delta <= timedelta(0):
        raise ValueError(f"{shown} is not longer than zero")
    if delta > most:
        raise ValueError(f"{shown} is too long: at most {format_duration(most)}")
    return delta


def parse_lead(value: object) -> timedelta:
    """A duration that may be zero ("0", 0): how long before a date something happens."""
    if value == 0 or (isinstance(value, str) and value.strip() in ("0", "0s", "0d")):
        return timedelta(0)
    return parse_duration(value)


def format_duration(delta: timedelta) -> str:
    """A timedelta in the config's own spelling: 7 days -> '7d', 90 minutes -> '1h30m'."""
    rest = int(delta.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


@dataclass(frozen=True, slots=True)
class Limit:
    """A safety limit: a share of a total ("10%") or an absolute count ("25")."""

    value: float
    percent: bool

    def allowed(self, total: int) -> int:
        """How many removals out of `total` this limit allows (a share is rounded down)."""
        if self.percent:
            return math.floor(Fraction(str(self.value)) * total / 100)
        return int(self.value)

    def __str__(self) -> str:
        return f"{self.value:g}%" if self.percent else str(int(self.value))


def parse_limit(value: object) -> Limit:
    """A `Limit` from "10%", "2.5%", "25" or 25; negatives and shares over 100% are refused."""
    if isinstance(value, Limit):
        return value
    plain_int = isinstance(value, int) and not isinstance(value, bool)
    text = str(value) if plain_int else value.strip() if isinstance(value, str) else ""
    found = _LIMIT.fullmatch(text)
    if not found:
        raise ValueError(f"{value!r} is not a limit; write a share like '10%' or a count like 25")
    if found[1] is None:
        return Limit(float(found[2]), percent=False)
    if float(found[1]) > 100:
        raise ValueError(f"{value!r} is more than 100%")
    return Limit(float(found[1]), percent=True)


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute https:// URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            "http:// is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost); use https://"
        )
    _ = parts.port  # raises ValueError on a malformed port
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    try:
        return host.lower() == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def at_most(most: timedelta) -> PlainValidator:
    """For a duration key that takes at most `most`: `Annotated[timedelta, at_most(...)]`."""
    return PlainValidator(lambda value: parse_duration(value, most))


def _from_env(kind: type[bool] | type[int] | type[float]) -> BeforeValidator:
    """Reads a `FromEnv` string as `kind` (bools: true or false); leaves anything else, and a
    string that does not read, to the strict check, which names what it wanted."""

    def read(value: object) -> object:
        if not isinstance(value, FromEnv):
            return value
        text = value.strip()
        if kind is bool:
            return {"true": True, "false": False}.get(text.lower(), value)
        try:
            return kind(text)
        except ValueError:
            return value

    return BeforeValidator(read)


Duration = Annotated[timedelta, PlainValidator(parse_duration)]
Lead = Annotated[timedelta, PlainValidator(parse_lead)]
Flag = Annotated[bool, Strict(), _from_env(bool)]
Count = Annotated[int, Strict(), _from_env(int)]
Seconds = Annotated[float, Strict(), AllowInfNan(False), _from_env(float)]
LimitValue = Annotated[Limit, PlainValidator(parse_limit), PlainSerializer(str)]
Code = Annotated[str, Field(pattern=_CODE)]
NonEmpty = Annotated[str, Field(min_length=1)]
Secret = Annotated[str, Field(min_length=1, repr=False)]


class StrictModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
