"""Saved HTML pages (.html, .htm, optionally .gz): one page per file, archived and extracted like
a fetched page. The address comes from the page's canonical link or og:url, then an optional
`NAME.meta.json`, else a stable file:// address derived from the bytes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from vnnews.news.importers.base import (
    Item,
    file_url,
    name_without_gz,
    read_capped,
    sidecar,
)

SUFFIXES = (".html", ".htm", ".xhtml")
_MAX_BYTES = 15_000_000
_TAG = re.compile(rb"<(?:link|meta)\b[^>]*>", re.I)
_ATTR = re.compile(rb"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def matches(path: Path) -> bool:
    return name_without_gz(path).endswith(SUFFIXES)


def declared_url(raw: bytes) -> str:
    """<link rel=canonical href> first, then <meta property=og:url content>, from the head."""
    head = raw[:300_000]
    found = {"canonical": "", "og:url": ""}
    for tag in _TAG.finditer(head):
        lower = tag.group(0).lower()
        if b"canonical" not in lower and b"og:url" not in lower:
            continue  # neither kind of tag: most of a head's links and metas, not worth parsing
        attrs = {
            m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or b"")
            for m in _ATTR.finditer(tag.group(0))
        }
        rel = attrs.get(b"rel", b"").lower()
        if b"canonical" in rel.split() and not found["canonical"]:
            found["canonical"] = attrs.get(b"href", b"").decode("utf-8", "replace").strip()
        if (
            attrs.get(b"property", attrs.get(b"name", b"")).lower() == b"og:url"
            and not found["og:url"]
        ):
            found["og:url"] = attrs.get(b"content", b"").decode("utf-8", "replace").strip()
    for url in (found["canonical"], found["og:url"]):
        if url.startswith(("http://", "https://")):
            return url
    return ""


def iter_items(path: Path) -> Iterator[Item]:
    raw, digest = read_capped(path, _MAX_BYTES)
    if len(raw) > _MAX_BYTES:
        yield Item(key=path.name, raw_hash=digest, failed=f"trang quá lớn (>{_MAX_BYTES} byte)")
        return
    meta = sidecar(path)
    url = declared_url(raw) or str(meta.get("url") or "") or file_url(path, digest)
    yield Item(
        key=path.name,
        raw_hash=digest,
        url=url,
        body=raw,
        headers={"Content-Type": "text/html"},
        source_domain=str(meta.get("domain") or ""),
        source_name=str(meta.get("source") or ""),
    )
