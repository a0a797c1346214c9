"""Plain-text dumps of pages as a crawler saw them (like the seed): one page per .txt file,
segmented by the extraction engine's `extract_text`. An optional `NAME.meta.json` next to the
file gives what the dump lacks (url, source, domain, section, published)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from vnnews.news.importers.base import (
    Item,
    file_url,
    name_without_gz,
    read_capped,
    sidecar,
)
from vnnews.news.importers.fields import parse_date

_MAX_BYTES = 15_000_000


def matches(path: Path) -> bool:
    return name_without_gz(path).endswith(".txt")


def _parse(raw: bytes, url: str, meta: dict):
    from vnnews.extract import extract_text

    article = extract_text(
        raw.decode("utf-8", errors="replace"), url=url if url.startswith("http") else None
    )
    article.url = url
    if meta.get("section") and not article.section:
        article.section = str(meta["section"])
    if meta.get("published") and not article.published:
        article.published = parse_date(meta["published"])
    if meta.get("source") and not article.site_name:
        article.site_name = str(meta["source"])
    return article


def iter_items(path: Path) -> Iterator[Item]:
    raw, digest = read_capped(path, _MAX_BYTES)
    if len(raw) > _MAX_BYTES:
        yield Item(key=path.name, raw_hash=digest, failed=f"tệp quá lớn (>{_MAX_BYTES} byte)")
        return
    meta = sidecar(path)
    url = str(meta.get("url") or "") or file_url(path, digest)
    yield Item(
        key=path.name,
        raw_hash=digest,
        url=url,
        parse=partial(_parse, raw, url, meta),
        source_domain=str(meta.get("domain") or ""),
        source_name=str(meta.get("source") or ""),
    )
