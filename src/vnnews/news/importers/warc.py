"""WARC and WARC.GZ files (ISO 28500) of any size: each HTML response is archived and extracted
like a fetched page; other records (images, scripts, redirects, errors) are listed as skipped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from vnnews.archive import iter_html_records
from vnnews.news.importers.base import Item, sha256

SUFFIXES = (".warc", ".warc.gz", ".arc.gz")


def matches(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def _date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def iter_items(path: Path) -> Iterator[Item]:
    for record in iter_html_records(path):
        key = f"bản ghi @{record.offset}"
        if record.skipped:
            yield Item(key=key, raw_hash="", url=record.url, skipped=record.skipped)
            continue
        yield Item(
            key=key,
            raw_hash=sha256(record.body),
            url=record.url,
            body=record.body,
            headers=record.headers,
            fetched_at=_date(record.date),
        )
