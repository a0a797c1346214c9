"""Discovery: RSS, Atom, sitemaps (incl. Google News sitemaps and indexes) and section pages ->
`Entry(url, title, published, guid, section)`. No Django, no network: callers pass the bytes."""

from __future__ import annotations

from vnnews.feeds.detect import sniff
from vnnews.feeds.entry import Entry, FeedError, FeedResult
from vnnews.feeds.links import discover_links, looks_like_article
from vnnews.feeds.rss import parse_rss
from vnnews.feeds.sitemap import MAX_URLS, parse_sitemap

KINDS = {"rss", "sitemap", "news_sitemap", "section_page"}


def parse_document(
    body: bytes, url: str, *, kind: str = "rss", content_type: str = "", section: str = ""
) -> FeedResult:
    """Entries from a fetched feed document. `kind` is what the feed row says it is; the bytes
    decide when they disagree (a "feed" that is really an HTML page falls back to link discovery,
    with a warning, rather than failing silently)."""
    actual = sniff(body)
    if kind == "section_page" or (actual == "html" and kind != "section_page"):
        result = discover_links(body, url, section=section, content_type=content_type)
        if kind != "section_page":
            result.warnings.append(
                f"expected a {kind} feed but got an HTML page; scanned its links"
            )
        return result
    if actual == "sitemap":
        return parse_sitemap(body, url, section=section)
    if actual == "rss":
        return parse_rss(body, url, content_type=content_type, section=section)
    if kind in {"sitemap", "news_sitemap"}:
        return parse_sitemap(body, url, section=section)
    return parse_rss(body, url, content_type=content_type, section=section)


__all__ = [
    "KINDS",
    "MAX_URLS",
    "Entry",
    "FeedError",
    "FeedResult",
    "discover_links",
    "looks_like_article",
    "parse_document",
    "parse_rss",
    "parse_sitemap",
    "sniff",
]
