"""Page metadata: title, dates, authors, section, tags, canonical URL, site name, language and
lead image — from JSON-LD, <meta> (Open Graph, article:*, Dublin Core), <time> and visible text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser

from vnnews.extract import jsonld
from vnnews.extract.textnorm import normalize_fast as normalize
from vnnews.text.dates import parse_vietnamese_datetime

_WS = re.compile(r"\s+")
# Separators between headline and site name in <title>: "Headline - Báo Dân trí".
_TITLE_SPLIT = re.compile(r"\s+[|–—\-:»·]\s+")
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
_VN = re.compile(
    r"(?:(\d{1,2})[:hg](\d{2})\D{0,12})?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:\D{0,12}?(\d{1,2})[:hg](\d{2}))?(?:\s*\(?GMT([+-]\d{1,2})\)?)?"
)


def _fallback_datetime(text: str, default_tz: str) -> datetime | None:
    """ISO and dd/mm/yyyy [hh:mm] found anywhere in the text: the last resort when
    vnnews.text.dates (which reads whole date expressions) finds none."""
    tz = ZoneInfo(default_tz)
    m = _ISO.search(text)
    try:
        if m:
            y, mo, d, hh, mm, ss, zone = m.groups()
            value = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
            if zone:
                zone = zone.replace("Z", "+00:00")
                if ":" not in zone:
                    zone = zone[:3] + ":" + zone[3:]
                return datetime.fromisoformat(value.isoformat() + zone)
            return value.replace(tzinfo=tz)
        m = _VN.search(text)
        if m:
            h1, m1, d, mo, y, h2, m2, _gmt = m.groups()
            hh, mm = (h1, m1) if h1 else (h2, m2)
            return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), tzinfo=tz)
    except ValueError:
        return None
    return None


def parse_datetime(text: str, default_tz: str) -> datetime | None:
    if not text:
        return None
    try:
        value = parse_vietnamese_datetime(text, default_tz=default_tz)
    except (ValueError, OverflowError):
        value = None
    if value is None:
        value = _fallback_datetime(text, default_tz)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(default_tz))
    return value


def clean(text: str | None) -> str:
    if not text:
        return ""
    return normalize(_WS.sub(" ", text).strip())


@dataclass
class Metadata:
    title: str = ""
    description: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)
    section_path: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    canonical_url: str = ""
    site_name: str = ""
    language: str = ""
    lead_image: str = ""
    h1: Any = None  # the headline node, removed from the body later


def _meta_map(tree: LexborHTMLParser) -> dict[str, list[str]]:
    metas: dict[str, list[str]] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        content = attrs.get("content")
        if key and content:
            metas.setdefault(key.strip().lower(), []).append(content.strip())
    return metas


def _first(metas: dict[str, list[str]], *keys: str) -> str:
    for key in keys:
        values = metas.get(key)
        if values:
            return values[0]
    return ""


def _looks_like_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "/", "www."))


def _pick_title(tree: LexborHTMLParser, metas: dict[str, list[str]], ld: dict) -> tuple[str, Any]:
    og = clean(_first(metas, "og:title", "twitter:title"))
    head = clean(tree.css_first("title").text() if tree.css_first("title") else "")
    headline = clean(ld.get("headline"))
    head_parts = [p for p in _TITLE_SPLIT.split(head) if p] if head else []
    reference = [t.lower() for t in (og, headline) if t]
    if head_parts:
        # Only the first part of "Headline - Site": an <h1> holding the site name is a logo.
        reference += [head.lower(), head_parts[0].lower()]
    h1_node = None
    for node in tree.css("h1"):
        text = clean(node.text())
        if len(text) < 8:
            continue
        low = text.lower()
        if not reference or any(
            low == r or r.startswith(low) or (len(low) > 20 and (low in r or r in low))
            for r in reference
        ):
            if not (og or headline) and len(head_parts) > 1 and low not in head_parts[0].lower():
                continue
            return text, node
        if h1_node is None:
            h1_node = (text, node)
    if og:
        return og, h1_node[1] if h1_node and h1_node[0].lower() in og.lower() else None
    if headline:
        return headline, None
    if h1_node:
        return h1_node
    if head:
        parts = [p for p in _TITLE_SPLIT.split(head) if p]
        if len(parts) > 1:
            # "Headline - Section | Site": the part printed as a heading on the page wins.
            keys = {p.lower(): p for p in parts}
            for node in tree.css("h2, h3, .title, .Title, [class*=title]"):
                text = clean(node.text())
                if text.lower() in keys and len(text) >= 8:
                    return text, node
            return (parts[0] if len(parts[0].split()) >= 3 else max(parts, key=len)), None
        return head, None
    return "", None


_DATE_SELECTOR = (
    "time[datetime], [itemprop=datePublished], .date, .time, .publish-date, .pubdate,"
    " .date-time, .article__meta time, .detail-time, .header-content .date, .spanTime,"
    " .timePost, .timestamp, [class*=date], [class*=time], [class*=Date], [class*=Time],"
    " span.fon7, .post-time, .meta-date"
)


def visible_date(scope: Any, default_tz: str) -> datetime | None:
    """The first date printed in a date-like element under `scope`."""
    day_only = None
    for node in scope.css(_DATE_SELECTOR):
        value = node.attributes.get("datetime") or node.attributes.get("content")
        text = value or node.text()
        if not text or len(text) > 120:
            continue
        parsed = parse_datetime(text, default_tz)
        if parsed is not None:
            if ":" in text or "h" in text.lower():
                return parsed
            # A bare day (often <meta itemprop> beside the printed time): keep looking.
            day_only = day_only or parsed
    return day_only


def date_near(node: Any, default_tz: str) -> datetime | None:
    """A visible date close to the headline: tickers elsewhere on the page print dates too."""
    scope = node.parent if node is not None else None
    for _ in range(4):
        if scope is None:
            return None
        found = visible_date(scope, default_tz) or _printed_date(scope, default_tz)
        if found is not None:
            return found
        scope = scope.parent
    return None


_PRINTED = re.compile(
    r"\d{1,2}/\d{1,2}/\d{2,4}.{0,12}\d{1,2}[:h]\d{2}|\d{1,2}[:h]\d{2}.{0,12}\d{1,2}/\d{1,2}/\d{2,4}"
)


def _printed_date(scope: Any, default_tz: str) -> datetime | None:
    """A short unnamed element printing "27/11/2026 - 08:30" (templates without date classes)."""
    for count, node in enumerate(scope.css("span, small, em, p, div, font, b")):
        if count > 60:
            break
        text = node.text(deep=False, strip=True)
        if 8 <= len(text) <= 80 and _PRINTED.search(text):
            parsed = parse_datetime(text, default_tz)
            if parsed is not None:
                return parsed
    return None


def read(tree: LexborHTMLParser, url: str | None, default_tz: str) -> Metadata:
    metas = _meta_map(tree)
    ld = jsonld.read([n.text() for n in tree.css('script[type="application/ld+json"]')])
    meta = Metadata()
    meta.title, meta.h1 = _pick_title(tree, metas, ld)
    meta.description = clean(
        _first(metas, "description", "og:description", "twitter:description")
        or ld.get("description")
    )

    published = ld.get("datePublished") or _first(
        metas,
        "article:published_time",
        "og:article:published_time",
        "datepublished",
        "pubdate",
        "publishdate",
        "publish-date",
        "dc.date.issued",
        "dc.date",
        "date",
        "sailthru.date",
        "parsely-pub-date",
        "article.published",
    )
    meta.published = parse_datetime(published, default_tz) if published else None
    if meta.published is None or (published and ":" not in published):
        # No date, or a date without a time ("2012-12-25"): the printed one near the
        # headline is more precise when it falls on the same day.
        near = date_near(meta.h1, default_tz) or (
            None if meta.published else visible_date(tree, default_tz)
        )
        if near is not None and (meta.published is None or near.date() == meta.published.date()):
            meta.published = near
    updated = ld.get("dateModified") or _first(
        metas, "article:modified_time", "og:updated_time", "datemodified", "lastmod"
    )
    meta.updated = parse_datetime(updated, default_tz) if updated else None

    authors = [a for a in ld.get("authors", []) if not _looks_like_url(a)]
    if not authors:
        for key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
            authors = [a for a in metas.get(key, []) if not _looks_like_url(a)]
            if authors:
                break
    meta.authors = _dedupe([clean(a) for a in authors if clean(a)])

    trail = ld.get("breadcrumb") or []
    if not trail:
        # The first trail with links only: pages often repeat a hidden copy for microdata.
        for box in tree.css(
            ".breadcrumb, .breadcrumbs, [class*=breadcrumb], nav[aria-label=breadcrumb],"
            " .bread-crumbs, .cate-24h-foot-home-bread"
        ):
            if box.tag == "a":
                continue
            trail = [clean(a.text()) for a in box.css("a") if clean(a.text())]
            if trail:
                break
    trail = [clean(t) for t in trail if clean(t)]
    if trail and trail[0].lower() in {"home", "trang chủ", "trang chu", "homepage"}:
        trail = trail[1:]
    if trail and meta.title and trail[-1] == meta.title:
        trail = trail[:-1]
    section = ld.get("articleSection") or _first(metas, "article:section")
    if not trail and section:
        trail = [clean(section)]
    meta.section_path = _dedupe(trail)

    tags = list(ld.get("keywords") or [])
    tags += metas.get("article:tag", [])
    if not tags:
        for key in ("news_keywords", "keywords"):
            for value in metas.get(key, []):
                tags += value.split(",")
    meta.tags = _dedupe([clean(t) for t in tags if clean(t)])

    canonical = tree.css_first("link[rel=canonical]")
    href = canonical.attributes.get("href") if canonical else None
    href = href or _first(metas, "og:url")
    meta.canonical_url = urljoin(url or "", href.strip()) if href else ""
    meta.site_name = clean(
        _first(metas, "og:site_name", "application-name", "twitter:site") or ld.get("publisher", "")
    )
    html = tree.css_first("html")
    lang = (html.attributes.get("lang") if html else None) or _first(
        metas, "content-language", "language", "og:locale", "inlanguage"
    )
    lang = lang or ld.get("inLanguage", "")
    meta.language = lang.replace("_", "-").split("-")[0].strip().lower() if lang else ""
    image = _first(metas, "og:image", "og:image:url", "twitter:image", "twitter:image:src")
    image = image or ld.get("image", "")
    meta.lead_image = urljoin(url or "", image) if image else ""
    return meta


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for v in values:
        if v.lower() not in seen:
            seen.add(v.lower())
            out.append(v)
    return out
