"""Dates the way Vietnamese news sites print them: "Thứ Sáu, 27/11/2026, 08:30 (GMT+7)"."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


def _local(value: datetime) -> datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value)


def gmt_offset(value: datetime) -> str:
    """'GMT+7', 'GMT-3:30', 'GMT' for the offset of an aware datetime."""
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    if not minutes:
        return "GMT"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "")


def long_form(value: datetime | None) -> str:
    if not value:
        return ""
    local = _local(value)
    return f"{WEEKDAYS[local.weekday()]}, {local:%d/%m/%Y}, {local:%H:%M} ({gmt_offset(local)})"


def short_form(value: datetime | None) -> str:
    if not value:
        return ""
    local = _local(value)
    return f"{local:%H:%M} {local:%d/%m/%Y}"
