"""Value types of the config: durations, limits, codes, secrets, checked base URLs.

Pydantic annotated types used by the config models; each refuses what it cannot
take with a message that `syncd.config` turns into "file: key: problem".
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

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator

DEFAULT_SANDBOX_DIR = Path("var/sandbox")
ORG_UNIT_PREFIX = "org_unit:"
_CODE = r"^[A-Za-z0-9._-]+$"
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_LIMIT = re.compile(r"(\d+(?:\.\d+)?)\s*%|(\d+)")


def parse_duration(value: object) -> timedelta:
    """'30s', '15m', '1h30m', '2d' as a timedelta; zero, negative and garbage are refused."""
    if isinstance(value, timedelta) and value > timedelta(0):
        return value
    text = value.strip().lower() if isinstance(value, str) else ""
    found = _DURATION.fullmatch(text)
    if not text or not found:
        raise ValueError(f"{value!r} is not a duration; write e.g. '30s', '15m', '1h30m' or '2d'")
    days, hours, minutes, seconds = (int(part or 0) for part in found.groups())
    try:
        delta = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ValueError(f"{value!r} is too long a duration") from None
    if delta <= timedelta(0):
        raise ValueError(f"{value!r} is not longer than zero")
    return delta


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


Duration = Annotated[timedelta, PlainValidator(parse_duration)]
LimitValue = Annotated[Limit, PlainValidator(parse_limit), PlainSerializer(str)]
Code = Annotated[str, Field(pattern=_CODE)]
NonEmpty = Annotated[str, Field(min_length=1)]
Secret = Annotated[str, Field(min_length=1, repr=False)]


class StrictModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
