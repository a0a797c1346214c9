"""Dates as Vietnamese news pages and feeds print them -> timezone-aware datetimes.

One entry point, `parse_vietnamese_datetime`. The forms we meet, roughly by how often:

- ISO 8601 (JSON-LD, <meta>, <time datetime>), with or without a zone;
- visible dates: "Thứ Sáu, 27/11/2026 - 08:30", "27/11/2026 08:30 (GMT+7)", "08:30 27/11/2026",
  "27/11/2026, 08:30", "27-11-2026", "08h30 27.11.2026", "ngày 27 tháng 11 năm 2026",
  "Cập nhật lúc ...";
- day/month without a year in a sapo or a teaser: "Sáng 01/8", "Chiều 20/12" (the year comes from
  `reference`, choosing the most recent date that is not in the future);
- RFC 822 dates from RSS (RFC 822 section 5, as updated by RFC 5322 section 3.3);
- ASP.NET feeds such as nld.com.vn's "9/7/2018 9:59:00 AM";
- relative: "2 giờ trước", "vừa xong", "hôm qua 10:30".

Day/month order. Vietnamese writes day/month/year, and that is the default. The exception is a
numeric date followed by an English AM/PM marker: that is .NET's en-US culture format
("M/d/yyyy h:mm:ss tt"), which is what the ASP.NET feeds (nld.com.vn) emit — a Vietnamese
culture would print a 24-hour clock. So with AM/PM we read month/day/year, unless that is
impossible (first number > 12) or, given a `reference`, month/day lies in the future while
day/month does not.

A date printed without a zone is Vietnam time (`default_tz`, Asia/Ho_Chi_Minh, UTC+7 without
daylight saving). The result is always timezone-aware, or None when the text holds no date.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

__all__ = ["parse_vietnamese_datetime"]

# Longer texts are cut: a date string never needs more, and it bounds the regex work.
_MAX_CHARS = 400
_MIN_YEAR, _MAX_YEAR = 1900, 2200

_ZONE_SUFFIX = r"(?:\s*(?P<zone>z|[+-]\d{2}(?::?\d{2})?))?"
_ISO = re.compile(
    r"(?<![\d/.-])(?P<y>\d{4})(?P<sep>[-/.])(?P<mo>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?:[t ]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?" + _ZONE_SUFFIX + r")?"
    r"(?!\d)",
    re.IGNORECASE,
)
# d/m/y with /, - or . between (also m/d/y with AM/PM, see the module docstring).
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\d/])")
# "ngày 27 tháng 11 năm 2026", "27 tháng 11, 2026", "ngày 27 tháng 11" (no year).
_WORDS = re.compile(
    r"(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s*(?:,|năm)\s*(\d{4}))?", re.IGNORECASE
)
# d/m without a year, only after a word that makes it a date ("Sáng 01/8", "ngày 20/12").
_PERIOD = r"rạng\s+sáng|sáng|trưa|chiều|tối|đêm|khuya"
_DM_AFTER_WORD = re.compile(
    rf"(?:^|\b)(?:{_PERIOD}|ngày|hôm|đêm|lúc\s+\d{{1,2}}[:hg]\d{{2}})\s*(?:nay\s*)?(?:,\s*)?"
    r"(?:(?:thứ\s+\w+|chủ\s+nhật)\s*[,(]?\s*)?(\d{1,2})/(\d{1,2})(?![/\d])",
    re.IGNORECASE,
)
_DM_ALONE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})\s*$")
# Times: 08:30, 08:30:15, 8h30, 8g30, 8 giờ 30, 8 giờ; optional AM/PM (English or SA/CH).
_TIME = re.compile(
    r"(?<![\d/.:-])(?P<h>\d{1,2})\s*(?:giờ|:|h|g)\s*(?P<mi>\d{2})?(?:\s*(?:phút|p\b))?"
    r"(?::(?P<s>\d{2}))?(?:\s*(?P<ampm>am|pm|sa|ch)\b)?(?![\d/])",
    re.IGNORECASE,
)
_GMT = re.compile(r"\b(?:gmt|utc)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?", re.I)
# "+07:00" / "+0700" right after a clock time (not " - 08:30", which is a separator and a time).
_NUMERIC_ZONE = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})\b"
)
_PERIOD_WORD = re.compile(rf"\b({_PERIOD})\b", re.IGNORECASE)
_RFC822_HINT = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{2,4}\b",
    re.IGNORECASE,
)
_MONTHS_EN = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_EN_MONTH_FIRST = re.compile(
    r"\b(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<d>\d{1,2})"
    r"(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})",
    re.IGNORECASE,
)
_EN_DAY_FIRST = re.compile(
    r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?,?\s+(?P<y>\d{4})",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"(\d{1,4})\s*(giây|phút|giờ|tiếng|ngày|tuần|tháng|năm)\s*trước", re.IGNORECASE
)
_RELATIVE_UNITS = {
    "giây": timedelta(seconds=1),
    "phút": timedelta(minutes=1),
    "giờ": timedelta(hours=1),
    "tiếng": timedelta(hours=1),
    "ngày": timedelta(days=1),
    "tuần": timedelta(weeks=1),
    "tháng": timedelta(days=30),
    "năm": timedelta(days=365),
}
_JUST_NOW = re.compile(r"\b(vừa\s+xong|vừa\s+mới|mới\s+đây|just\s+now)\b", re.IGNORECASE)
_DAY_WORDS = (
    (re.compile(r"\bhôm\s+kia\b", re.I), -2),
    (re.compile(r"\bhôm\s+qua\b", re.I), -1),
    (re.compile(r"\bhôm\s+nay\b", re.I), 0),
)


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        # An unknown zone name must not make every date fail: Vietnam has one fixed offset.
        return timezone(timedelta(hours=7), name)


def _offset(sign: str, hours: str, minutes: str | None) -> tzinfo | None:
    h, m = int(hours), int(minutes or 0)
    if h > 14 or m > 59:
        return None
    delta = timedelta(hours=h, minutes=m)
    return timezone(-delta if sign == "-" else delta)


def _build(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, tz=None
) -> datetime | None:
    if year < 100:
        year += 2000 if year < 70 else 1900
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    if hour == 24 and minute == 0:
        hour = 0  # "24:00" closes the day; read it as midnight of the same date rather than fail
    try:
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=tz)
    except ValueError:
        return None


def _find_time(text: str, skip: tuple[int, int] | None = None) -> tuple[int, int, int] | None:
    """(hour, minute, second) of the first time in `text` outside the span `skip`."""
    for m in _TIME.finditer(text):
        if skip and m.start() < skip[1] and m.end() > skip[0]:
            continue
        sep_is_word = m.group(0).lower().find(":") < 0
        if sep_is_word and m.group("mi") is None and "giờ" not in m.group(0).lower():
            continue  # a bare "8h"/"8g" is too ambiguous outside "8 giờ"
        hour, minute = int(m.group("h")), int(m.group("mi") or 0)
        second = int(m.group("s") or 0)
        ampm = (m.group("ampm") or "").lower()
        if ampm in ("pm", "ch") and hour < 12:
            hour += 12
        elif ampm in ("am", "sa") and hour == 12:
            hour = 0
        elif not ampm:
            period = _PERIOD_WORD.search(text[m.end() : m.end() + 12])
            if period:
                hour = _apply_period(hour, period.group(1).lower())
        if hour > 24 or minute > 59 or second > 60:
            continue
        return hour, minute, second
    return None


def _apply_period(hour: int, period: str) -> int:
    """ "8 giờ tối" is 20:00; "11 giờ đêm" is 23:00 but "2 giờ đêm" stays 02:00."""
    if period in ("chiều", "tối") and hour < 12:
        return hour + 12
    if period in ("đêm", "khuya") and 6 <= hour < 12:
        return hour + 12
    return hour


def _find_zone(text: str, default: tzinfo) -> tzinfo:
    m = _GMT.search(text)
    if m:
        return _offset(m.group("sign"), m.group("h"), m.group("m")) or default
    m = _NUMERIC_ZONE.search(text)
    if m:
        return _offset(m.group("sign"), m.group("h"), m.group("m")) or default
    return default


def _iso(text: str, tz: tzinfo) -> datetime | None:
    m = _ISO.search(text)
    if not m:
        return None
    zone = tz
    if m.group("zone"):
        raw = m.group("zone")
        if raw.lower() == "z":
            zone = UTC
        else:
            zone = _offset(raw[0], raw[1:3], raw[3:].lstrip(":") or None) or tz
    elif m.group("h") is not None:
        zone = _find_zone(text[m.end() :], tz)
    return _build(
        int(m.group("y")),
        int(m.group("mo")),
        int(m.group("d")),
        int(m.group("h") or 0),
        int(m.group("mi") or 0),
        int(m.group("s") or 0),
        zone,
    )


def _rfc822(text: str, tz: tzinfo) -> datetime | None:
    if not _RFC822_HINT.search(text):
        return None
    if _EN_MONTH_FIRST.search(text) or re.search(r"\d\s*(am|pm)\b", text, re.IGNORECASE):
        return _english(text, tz)  # not RFC 822 shapes; email.utils would drop the AM/PM
    try:
        value = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        value = None
    if value is None:
        return _english(text, tz)
    if value.tzinfo is None:
        # "-0000" means UTC with the local zone unknown (RFC 5322 section 3.3); no zone at all
        # means the feed printed local time.
        value = value.replace(tzinfo=UTC if "-0000" in text else tz)
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        return None
    return value


def _english(text: str, tz: tzinfo) -> datetime | None:
    """ "Nov 27, 2026 08:30" / "27 November 2026" as some English-language templates print."""
    m = _EN_MONTH_FIRST.search(text) or _EN_DAY_FIRST.search(text)
    if not m:
        return None
    clock = _find_time(text, (m.start(), m.end())) or (0, 0, 0)
    zone = _find_zone(text, tz)
    month = _MONTHS_EN[m.group("mon")[:3].lower()]
    return _build(int(m.group("y")), month, int(m.group("d")), *clock, tz=zone)


def _numeric(text: str, tz: tzinfo, reference: datetime | None) -> datetime | None:
    m = _DMY.search(text)
    if not m:
        return None
    first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    clock = _find_time(text, (m.start(), m.end()))
    zone = _find_zone(text, tz)
    us_clock = re.search(r"\d\s*(am|pm)\b", text, re.IGNORECASE) is not None
    day, month = first, second
    if first > 12 >= second:
        day, month = first, second
    elif second > 12 >= first:
        day, month = second, first
    elif us_clock:
        # .NET en-US "M/d/yyyy h:mm:ss tt" (see the module docstring).
        day, month = second, first
        if reference is not None:
            us = _build(year, first, second, tz=zone)
            vn = _build(year, second, first, tz=zone)
            if us and vn and us.date() > reference.date() >= vn.date():
                day, month = first, second
    return _build(year, month, day, *(clock or (0, 0, 0)), tz=zone)


def _recent_past(day: int, month: int, reference: datetime) -> date | None:
    """The latest date with this day and month that is not after `reference`."""
    for year in (reference.year, reference.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29/2 in a non-leap year: try the year before
        if candidate <= reference.date():
            return candidate
    # 29/2 seen from a non-leap year: the last leap year before the reference
    for year in range(reference.year - 2, reference.year - 9, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None


def _day_month(text: str, tz: tzinfo, reference: datetime) -> datetime | None:
    m = _DM_AFTER_WORD.search(text) or _DM_ALONE.search(text)
    day = month = None
    if m:
        day, month = int(m.group(1)), int(m.group(2))
        span = (m.start(1), m.end(2))
    else:
        w = _WORDS.search(text)
        if not w:
            return None
        day, month = int(w.group(1)), int(w.group(2))
        span = (w.start(), w.end())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    found = _recent_past(day, month, reference.astimezone(tz))
    if found is None:
        return None
    clock = _find_time(text, span) or (0, 0, 0)
    return _build(found.year, found.month, found.day, *clock, tz=_find_zone(text, tz))


def _relative(text: str, tz: tzinfo, reference: datetime) -> datetime | None:
    m = _RELATIVE.search(text)
    if m:
        amount = int(m.group(1))
        try:
            return reference - _RELATIVE_UNITS[m.group(2).lower()] * amount
        except OverflowError:
            return None
    if _JUST_NOW.search(text):
        return reference
    for pattern, days in _DAY_WORDS:
        w = pattern.search(text)
        if w:
            local = reference.astimezone(tz)
            day = local.date() + timedelta(days=days)
            clock = _find_time(text, (w.start(), w.end())) or (0, 0, 0)
            return _build(day.year, day.month, day.day, *clock, tz=tz)
    return None


def parse_vietnamese_datetime(
    text: str, default_tz: str = "Asia/Ho_Chi_Minh", reference: datetime | None = None
) -> datetime | None:
    """Read the first date (and time) in `text`; None when there is none.

    `reference` ("now") resolves relative forms and years that are not printed; it defaults to
    the current time. The result is timezone-aware: the printed zone when there is one, else
    `default_tz`.
    """
    if not text or not isinstance(text, str):
        return None
    tz = _zone(default_tz)
    # NFC so "giờ"/"tháng" match however the page composed them; NBSP and friends become spaces.
    cleaned = unicodedata.normalize("NFC", text[:_MAX_CHARS])
    cleaned = re.sub(r"[\s\u00a0\u2000-\u200b\u202f]+", " ", cleaned).strip()
    if not cleaned:
        return None
    for parse in (_iso, _numeric):
        value = parse(cleaned, tz) if parse is _iso else parse(cleaned, tz, reference)
        if value is not None:
            return value
    words = _WORDS.search(cleaned)
    if words and words.group(3):
        clock = _find_time(cleaned, (words.start(), words.end())) or (0, 0, 0)
        value = _build(
            int(words.group(3)),
            int(words.group(2)),
            int(words.group(1)),
            *clock,
            tz=_find_zone(cleaned, tz),
        )
        if value is not None:
            return value
    value = _rfc822(cleaned, tz)
    if value is not None:
        return value
    if reference is None:
        reference = datetime.now(tz)
    elif reference.tzinfo is None:
        reference = reference.replace(tzinfo=tz)
    return _relative(cleaned, tz, reference) or _day_month(cleaned, tz, reference)
