"""parse_vietnamese_datetime: the date forms Vietnamese pages and feeds print."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from vnnews.text.dates import parse_vietnamese_datetime

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# "Now" for forms that need one: a Friday noon in Hanoi.
REFERENCE = datetime(2026, 11, 27, 12, 0, tzinfo=VN)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


ABSOLUTE = [
    # ISO 8601 (JSON-LD, meta tags, <time datetime>)
    ("2026-11-27T08:30:00+07:00", vn(2026, 11, 27, 8, 30)),
    ("2026-11-27T01:30:00Z", datetime(2026, 11, 27, 1, 30, tzinfo=UTC)),
    ("2026-11-27T08:30:00.123+0700", vn(2026, 11, 27, 8, 30)),
    ("2026-11-27 08:30", vn(2026, 11, 27, 8, 30)),
    ("2026-11-27", vn(2026, 11, 27)),
    ("2026/11/27 08:30", vn(2026, 11, 27, 8, 30)),
    ("2026-11-27 08:30:00 +0700", vn(2026, 11, 27, 8, 30)),
    # visible Vietnamese forms
    ("Thứ Sáu, 27/11/2026 - 08:30", vn(2026, 11, 27, 8, 30)),
    ("27/11/2026 08:30 (GMT+7)", vn(2026, 11, 27, 8, 30)),
    ("Thứ năm, 26/11/2026, 20:15 (GMT+7)", vn(2026, 11, 26, 20, 15)),
    ("08:30 27/11/2026", vn(2026, 11, 27, 8, 30)),
    ("27/11/2026, 08:30", vn(2026, 11, 27, 8, 30)),
    ("27-11-2026", vn(2026, 11, 27)),
    ("8h30 27.11.2026", vn(2026, 11, 27, 8, 30)),
    ("lúc 10g15 ngày 3/4/2025", vn(2025, 4, 3, 10, 15)),
    ("27/11/26", vn(2026, 11, 27)),
    ("ngày 27 tháng 11 năm 2026", vn(2026, 11, 27)),
    ("27 tháng 11, 2026 14:05", vn(2026, 11, 27, 14, 5)),
    ("Cập nhật lúc 08:30 ngày 27/11/2026", vn(2026, 11, 27, 8, 30)),
    ("Cập nhật: 27/11/2026 08:30:15", vn(2026, 11, 27, 8, 30, 15)),
    ("8 giờ tối 26/11/2026", vn(2026, 11, 26, 20, 0)),
    ("11 giờ đêm 26/11/2026", vn(2026, 11, 26, 23, 0)),
    ("Thứ Hai, 12/1/2026 9:01 SA", vn(2026, 1, 12, 9, 1)),
    ("12/1/2026 2:05 CH", vn(2026, 1, 12, 14, 5)),
    ("Thứ Sáu,\u00a027/11/2026\u00a0-\u00a008:30", vn(2026, 11, 27, 8, 30)),
    # an explicit zone other than Vietnam's is kept
    (
        "27/11/2026 08:30 (GMT+9)",
        datetime(2026, 11, 27, 8, 30, tzinfo=timezone(timedelta(hours=9))),
    ),
    # RFC 822 from RSS (RFC 5322 section 3.3)
    ("Fri, 27 Nov 2026 01:30:00 GMT", datetime(2026, 11, 27, 1, 30, tzinfo=UTC)),
    ("Fri, 27 Nov 2026 08:30:00 +0700", vn(2026, 11, 27, 8, 30)),
    ("Fri, 27 Nov 2026 08:30:00", vn(2026, 11, 27, 8, 30)),
    ("Nov 27, 2026 8:30 PM", vn(2026, 11, 27, 20, 30)),
    ("27 November 2026", vn(2026, 11, 27)),
    # ASP.NET en-US feeds (nld.com.vn): month/day/year when an English AM/PM follows
    ("9/7/2018 9:59:00 AM", vn(2018, 9, 7, 9, 59)),
    ("12/31/2025 1:00:00 PM", vn(2025, 12, 31, 13, 0)),
    # ... but a first number over 12 can only be the day
    ("13/7/2018 9:59:00 PM", vn(2018, 7, 13, 21, 59)),
]


@pytest.mark.parametrize(("text", "expected"), ABSOLUTE)
def test_it_reads_printed_dates(text: str, expected: datetime) -> None:
    value = parse_vietnamese_datetime(text, reference=REFERENCE)
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()


RELATIVE = [
    # day/month without a year: the most recent such date not after the reference
    ("Sáng 01/8", vn(2026, 8, 1)),
    ("Chiều 20/12", vn(2025, 12, 20)),
    ("(LĐTĐ) Sáng 01/8, Đại hội đại biểu", vn(2026, 8, 1)),
    ("Chiều 20/12 lúc 15h30", vn(2025, 12, 20, 15, 30)),
    ("ngày 27 tháng 11", vn(2026, 11, 27)),
    ("29/2", vn(2024, 2, 29)),
    # relative to the reference
    ("2 giờ trước", REFERENCE - timedelta(hours=2)),
    ("5 phút trước", REFERENCE - timedelta(minutes=5)),
    ("3 ngày trước", REFERENCE - timedelta(days=3)),
    ("vừa xong", REFERENCE),
    ("hôm qua", vn(2026, 11, 26)),
    ("hôm qua lúc 10:30", vn(2026, 11, 26, 10, 30)),
    ("Hôm nay 07:45", vn(2026, 11, 27, 7, 45)),
]


@pytest.mark.parametrize(("text", "expected"), RELATIVE)
def test_it_resolves_forms_that_need_a_reference(text: str, expected: datetime) -> None:
    assert parse_vietnamese_datetime(text, reference=REFERENCE) == expected


def test_it_prefers_day_month_when_month_day_would_be_in_the_future() -> None:
    reference = datetime(2026, 3, 10, tzinfo=VN)
    # As month/day "4/3" is 3 April (after the reference); as day/month it is 4 March (before).
    assert parse_vietnamese_datetime("4/3/2026 8:00:00 AM", reference=reference) == vn(
        2026, 3, 4, 8, 0
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "không có ngày",
        "1,9 tỷ USD",
        "tăng 32% so với 2011-2015",
        "99/99/2026",
        "31/02/2026",
    ],
)
def test_it_returns_none_when_there_is_no_date(text: str) -> None:
    assert parse_vietnamese_datetime(text, reference=REFERENCE) is None


def test_it_is_always_timezone_aware_in_the_default_zone() -> None:
    value = parse_vietnamese_datetime("27/11/2026 08:30")
    assert value is not None and value.tzinfo is not None
    assert value.utcoffset() == timedelta(hours=7)
    utc = parse_vietnamese_datetime("27/11/2026 08:30", default_tz="UTC")
    assert utc == datetime(2026, 11, 27, 8, 30, tzinfo=UTC)


def test_a_naive_reference_is_read_in_the_default_zone() -> None:
    value = parse_vietnamese_datetime("2 giờ trước", reference=datetime(2026, 11, 27, 12, 0))
    assert value == vn(2026, 11, 27, 10, 0)
