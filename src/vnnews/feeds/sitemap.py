"""Sitemaps (sitemaps.org protocol 0.9), sitemap indexes, gzipped sitemaps and Google News
sitemaps (news:publication_date, news:title).

Parsed with lxml.iterparse and elements cleared as we go, so a 50,000-URL file does not build a
tree in memory. The protocol caps one sitemap at 50,000 URLs and 50 MB uncompressed
(https://www.sitemaps.org/protocol.html#index); we stop there and say so."""

from __future__ import annotations

import gzip
import io
import zlib

from lxml import etree

from vnnews.feeds.dates import parse_feed_date
from vnnews.feeds.entry import Entry, FeedError, FeedResult

MAX_URLS = 50_000
MAX_UNCOMPRESSED = 50 * 1024 * 1024
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def _gunzip(body: bytes, url: str) -> bytes:
    # Decompress in bounded steps: a small .gz can expand to gigabytes.
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(body, MAX_UNCOMPRESSED + 1)
    except zlib.error as exc:
        raise FeedError(url, f"broken gzip sitemap: {exc}") from exc
    if len(out) > MAX_UNCOMPRESSED or decompressor.unconsumed_tail:
        raise FeedError(url, "sitemap larger than 50 MB uncompressed (protocol limit)")
    return out


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(body: bytes, url: str, *, section: str = "") -> FeedResult:
    """Entries of a urlset, or child sitemap URLs of a sitemapindex."""
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body, url)
    elif len(body) > MAX_UNCOMPRESSED:
        raise FeedError(url, "sitemap larger than 50 MB (protocol limit)")
    result = FeedResult(kind="sitemap")
    root_seen = False
    count = 0
    context = etree.iterparse(
        io.BytesIO(body),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=False,
    )
    try:
        for event, element in context:
            name = _local(element.tag)
            if event == "start":
                if not root_seen:
                    root_seen = True
                    if name == "sitemapindex":
                        result.kind = "sitemap_index"
                    elif name != "urlset":
                        raise FeedError(url, f"not a sitemap (root element <{name}>)")
                continue
            if name == "sitemap" and result.kind == "sitemap_index":
                loc = element.findtext("{*}loc")
                if loc and loc.strip():
                    result.sitemaps.append(loc.strip())
                element.clear()
            elif name == "url":
                count += 1
                if count > MAX_URLS:
                    result.warnings.append(f"more than {MAX_URLS} URLs; the rest are ignored")
                    break
                entry = _url_entry(element, section)
                if entry is not None:
                    result.entries.append(entry)
                    if entry.title and result.kind == "sitemap":
                        result.kind = "news_sitemap"
                element.clear()
                # Drop already-processed siblings so memory stays flat on big files.
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        if not result.entries and not result.sitemaps:
            raise FeedError(url, f"not a sitemap: {exc}") from exc
        result.warnings.append(f"sitemap cut short: {exc}")
    if not root_seen:
        raise FeedError(url, "empty document")
    return result


def _url_entry(element: etree._Element, section: str) -> Entry | None:
    loc = (element.findtext("{*}loc") or "").strip()
    if not loc:
        return None
    news = element.find(f"{{{NEWS_NS}}}news")
    title = ""
    published = None
    if news is not None:
        title = " ".join((news.findtext(f"{{{NEWS_NS}}}title") or "").split())
        published = parse_feed_date(news.findtext(f"{{{NEWS_NS}}}publication_date"))
    if published is None:
        published = parse_feed_date(element.findtext("{*}lastmod"))
    return Entry(url=loc, title=title, published=published, guid=loc, section=section)


def is_gzip(body: bytes) -> bool:
    return body[:2] == b"\x1f\x8b"


__all__ = ["parse_sitemap", "is_gzip", "MAX_URLS", "gzip"]
