"""Feed dates, Vietnamese quirks included.

Vietnamese outlets write dates like "9/7/2018 9:59:00 AM" (nld.com.vn, .NET's en-US format) or
leave the zone out; a date without a zone is Vietnam time (Asia/Ho_Chi_Minh, UTC+7, no daylight
saving). Structured formats (ISO 8601, RFC 822) and slashed dates are read here exactly;
`vnnews.text.dates.parse_vietnamese_datetime` handles the rest of the zoo ("Thứ hai, 5/1/2026").
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

try:  # pragma: no cover - depends on what has landed
    from vnnews.text.dates import parse_vietnamese_datetime as _parse_vietnamese
except ImportError:  # pragma: no cover
    _parse_vietnamese = None

_DMY = re.compile(
    r"^\s*(\d{1,2})[/-](\d{1,2})[/-](\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\s*$"
)


def _structured(text: str) -> datetime | None:
    """ISO 8601 (Atom, sitemaps) and RFC 822 (RSS) are unambiguous: read them exactly."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _slashed(text: str) -> datetime | None:
    match = _DMY.match(text)
    if not match:
        return None
    first, second, year, hour, minute, second_s, ampm = match.groups()
    day, month = int(first), int(second)
    # A 12-hour clock with AM/PM is .NET's en-US format (nld.com.vn feeds), which is
    # month/day/year; Vietnamese formats are day/month/year on a 24-hour clock. A number
    # above 12 settles it either way.
    if (ampm and month <= 12 and day <= 12) or month > 12:
        day, month = month, day
    hour_i = int(hour or 0)
    if ampm:
        hour_i = hour_i % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        return datetime(
            int(year), month, day, hour_i, int(minute or 0), int(second_s or 0), tzinfo=VIETNAM
        )
    except ValueError:
        return None


def parse_feed_date(text: str | None) -> datetime | None:
    """An aware datetime (UTC) for a feed's date text, or None if it cannot be read. Dates
    without a zone are Vietnam time."""
    if not text or not text.strip():
        return None
    text = text.strip()
    value = _structured(text) or _slashed(text)
    if value is None and _parse_vietnamese is not None:
        try:
            value = _parse_vietnamese(text, default_tz="Asia/Ho_Chi_Minh")
        except Exception:  # a parser bug must not lose the entry
            value = None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=VIETNAM)
    return value.astimezone(UTC)


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed fields are UTC struct_times."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None
