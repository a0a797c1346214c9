"""The dantri-unc corpus format: `# key = value` header lines (doc_id, url, date), then the title,
the sapo and the body, one sentence or paragraph per line. One article per file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from vnnews.news.importers.base import Item, name_without_gz, open_binary, read_capped
from vnnews.news.importers.fields import article_from_parts, parse_date

_HEADER = re.compile(r"^#\s*([\w-]+)\s*=\s*(.*)$")
_MAX_BYTES = 5_000_000  # one article; anything larger is not this format


def matches(path: Path) -> bool:
    if not name_without_gz(path).endswith(".txt"):
        return False
    try:
        with open_binary(path) as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf").startswith((b"# doc_id", b"# url"))


def parse(raw: bytes, fallback_url: str = ""):
    headers: dict[str, str] = {}
    lines: list[str] = []
    for line in raw.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines():
        match = _HEADER.match(line) if not lines else None
        if match:
            headers[match.group(1).lower()] = match.group(2).strip()
        elif line.strip():
            lines.append(line.strip())
    if not lines:
        raise ValueError("tệp không có tiêu đề/nội dung sau phần đầu")
    doc_id = headers.get("doc_id", "")
    # doc_id "news_business_001" carries the corpus's section when the URL does not.
    section = doc_id.split("_")[1] if doc_id.count("_") >= 2 else ""
    return article_from_parts(
        url=headers.get("url", "") or fallback_url,
        title=lines[0],
        sapo=lines[1] if len(lines) > 1 else "",
        body=lines[2:],
        published=parse_date(headers.get("date")),
        section=section,
        site_name="Dân trí" if "dantri.com.vn" in headers.get("url", "") else "",
    )


def iter_items(path: Path) -> Iterator[Item]:
    raw, digest = read_capped(path, _MAX_BYTES)
    if len(raw) > _MAX_BYTES:
        yield Item(
            key=path.name, raw_hash=digest, failed=f"tệp quá lớn cho một bài (>{_MAX_BYTES} byte)"
        )
        return
    url_line = re.search(rb"^#\s*url\s*=\s*(\S+)", raw, re.M)
    url = url_line.group(1).decode("utf-8", "replace") if url_line else ""
    yield Item(key=path.name, raw_hash=digest, url=url, parse=partial(parse, raw))
