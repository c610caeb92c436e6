"""The values learners' results arrive as, read the same way for every LMS.

A time is ISO 8601 text (Docebo's "YYYY-MM-DD HH:MM:SS" is that too), UTC where it has
no offset (every LMS syncd speaks prints UTC), converted to UTC where it has one; a
score is a number or numeric text. Anything missing or unreadable (an empty string,
Docebo's "0000-00-00 00:00:00", a boolean, "NaN") is None: a value syncd cannot read is
not known, and read back keeps what an earlier read said.
"""

from __future__ import annotations

import datetime as dt
import math


def utc_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def score(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
