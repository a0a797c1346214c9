"""JSON Lines news records: one JSON object per line (.jsonl, .ndjson, .json, optionally .gz).

Field names follow the common Vietnamese corpora, the binhvq news corpus among them: url/link,
title, sapo/description/summary, body/content/text, published/publish/publish_date/date, source/
domain, section/category/cat/topic, author/authors, tags/keywords, image/thumbnail. A line that is
not a JSON object is a failed item naming its line number; the rest of the file goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from vnnews.news.importers.base import Item, ParseFailed, name_without_gz, open_binary, sha256
from vnnews.news.importers.fields import (
    article_from_parts,
    as_list,
    as_text,
    first,
    paragraphs,
    parse_date,
)

SUFFIXES = (".jsonl", ".ndjson", ".json")


def matches(path: Path) -> bool:
    return name_without_gz(path).endswith(SUFFIXES)


def record_url(record: dict) -> str:
    return as_text(first(record, "url", "link", "canonical_url", "href", "source_url"))


def article_from_record(record: dict):
    url = record_url(record)
    body = first(record, "body", "content", "text", "main_content", "article", "paragraphs")
    source = first(record, "source", "domain", "site", "site_name", "publisher")
    return article_from_parts(
        url=url,
        title=as_text(first(record, "title", "headline", "name")),
        sapo=as_text(first(record, "sapo", "description", "summary", "lead", "abstract")),
        body=paragraphs(as_text(body)),
        published=parse_date(
            first(
                record,
                "published",
                "publish",
                "publish_date",
                "published_at",
                "date",
                "pubDate",
                "time",
            )
        ),
        authors=as_list(first(record, "author", "authors", "byline")),
        section=as_text(first(record, "section", "category", "cat", "topic", "subcategory")),
        tags=as_list(first(record, "tags", "keywords")),
        site_name=as_text(source) if source and "/" not in as_text(source) else "",
        lead_image=as_text(first(record, "image", "thumbnail", "lead_image", "img")),
    )


def _item(number: int, raw: bytes, unit: str = "dòng") -> Item:
    """The line, hashed; parsed where it is prepared (`_parse`, in an import's worker process):
    the main process, which writes, neither parses the JSON nor sends the record over."""
    return Item(key=f"{unit} {number}", raw_hash=sha256(raw), parse=partial(_parse, raw))


def _parse(raw: bytes):
    """The line's Article, or ParseFailed with the reason its record gives (and its address)."""
    try:
        record = json.loads(raw)
    except ValueError as exc:
        raise ParseFailed(f"JSON hỏng: {exc}") from None
    if not isinstance(record, dict):
        raise ParseFailed(f"không phải đối tượng JSON ({type(record).__name__})")
    url = record_url(record)
    try:
        return article_from_record(record)
    except Exception as exc:
        raise ParseFailed(f"{type(exc).__name__}: {exc}", url) from None


_MAX_DOCUMENT = 100_000_000  # a .json file that is one document (not lines) is read whole


def _document_items(path: Path) -> Iterator[Item]:
    """A .json file holding one JSON document: an array of records, or one record."""
    with open_binary(path) as handle:
        raw = handle.read(_MAX_DOCUMENT + 1)
    if len(raw) > _MAX_DOCUMENT:
        raise ValueError(
            f"{path.name}: một tài liệu JSON lớn hơn {_MAX_DOCUMENT} byte; hãy dùng JSON Lines"
        )
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise ValueError(
            f"{path.name}: không phải JSON Lines cũng không phải JSON hợp lệ ({exc})"
        ) from None
    records = document if isinstance(document, list) else [document]
    for number, record in enumerate(records, start=1):
        yield _item(
            number, json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"), "mục"
        )


def iter_items(path: Path) -> Iterator[Item]:
    """One item per line; a file whose first line opens an array, or a .json file whose first
    line is not a whole object (pretty-printed), is read as one JSON document instead."""
    first = True
    with open_binary(path) as handle:
        for number, line in enumerate(handle, start=1):
            stripped = line.strip()
            if not stripped:
                continue
            if first:
                first = False
                pretty = name_without_gz(path).endswith(".json") and not _is_object_line(stripped)
                if stripped.startswith(b"[") or pretty:
                    break
            yield _item(number, stripped)
        else:
            return
    yield from _document_items(path)


def _is_object_line(line: bytes) -> bool:
    if not line.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
