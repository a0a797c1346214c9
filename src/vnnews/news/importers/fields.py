"""Turning loosely named record fields (JSONL corpora, text-dump headers) into Article fields."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from vnnews.extract.article import Article, Block
from vnnews.sanitize import clean_text

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_BLOCK_TAGS = re.compile(r"<\s*(?:/p|br\s*/?|/div|/h[1-6]|/li|/blockquote|/figure|/tr)\s*>", re.I)
_HTML_HINT = re.compile(r"<\s*(?:p|br|div|span|h[1-6]|a|img|strong|em|figure)\b", re.I)
_DMY = re.compile(
    r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})(?:\D+(?P<H>\d{1,2})[:hg](?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_HMDMY = re.compile(r"(?P<H>\d{1,2})[:hg](?P<M>\d{2})\D+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})")


def first(record: dict, *names: str):
    """The first non-empty value among `names`."""
    for name in names:
        value = record.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n\n".join(as_text(v) for v in value)
    if isinstance(value, dict):
        return as_text(first(value, "name", "title", "text", "value"))
    return str(value)


def as_list(value) -> list[str]:
    """A list of names from a list, or a string separated by commas or semicolons."""
    if value is None:
        return []
    if isinstance(value, list):
        return [t for t in (as_text(v).strip() for v in value) if t]
    return [t.strip() for t in re.split(r"[,;]", as_text(value)) if t.strip()]


def paragraphs(body: str) -> list[str]:
    """Body paragraphs from plain text (one per line or per blank-line block) or simple HTML."""
    if _HTML_HINT.search(body):
        body = _BLOCK_TAGS.sub("\n", body)
        body = clean_text(body)
    return [p for p in (line.strip() for line in body.replace("\r", "\n").split("\n")) if p]


def parse_date(value) -> datetime | None:
    """ISO 8601, epoch seconds or milliseconds, "20201001", "01/10/2020 16:35" and
    "16:35 01/10/2020"; times without a zone are Vietnam time."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10_000_000_000 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if text.isdigit() and len(text) == 8:
        try:
            return datetime.strptime(text, "%Y%m%d").replace(tzinfo=VIETNAM)
        except ValueError:
            return None
    if text.isdigit():
        return parse_date(int(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=VIETNAM)
    except ValueError:
        pass
    match = _HMDMY.search(text) or _DMY.search(text)
    if match:
        parts = match.groupdict()
        try:
            return datetime(
                int(parts["y"]),
                int(parts["m"]),
                int(parts["d"]),
                int(parts.get("H") or 0),
                int(parts.get("M") or 0),
                int(parts.get("S") or 0),
                tzinfo=VIETNAM,
            )
        except ValueError:
            return None
    return None


def article_from_parts(
    *,
    url: str,
    title: str,
    sapo: str,
    body: list[str],
    published: datetime | None = None,
    authors: list[str] | None = None,
    section: str = "",
    tags: list[str] | None = None,
    site_name: str = "",
    lead_image: str = "",
) -> Article:
    blocks = [Block(kind="paragraph", text=p) for p in body]
    if lead_image:
        blocks.insert(0, Block(kind="image", src=lead_image))
    authors = authors or []
    return Article(
        title=title.strip(),
        sapo=sapo.strip(),
        blocks=blocks,
        text="\n\n".join(body),
        authors=authors,
        byline=" - ".join(authors),
        published=published,
        section=section.strip(),
        section_path=[section.strip()] if section.strip() else [],
        tags=tags or [],
        url=url.strip(),
        site_name=site_name.strip(),
        language="vi",
        lead_image=lead_image,
    )
