"""RSS and Atom via feedparser, with the quirks Vietnamese feeds have: dates without a zone or in
day/month/year with AM/PM, charsets declared wrongly, duplicate GUIDs, relative links."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin

import feedparser

from vnnews.feeds.charset import declared_charset, fix_charset
from vnnews.feeds.dates import from_struct_time, parse_feed_date
from vnnews.feeds.entry import Entry, FeedError, FeedResult


def parse_rss(body: bytes, url: str, *, content_type: str = "", section: str = "") -> FeedResult:
    """Entries of an RSS 0.9x/1.0/2.0 or Atom document. Raises FeedError if it is not a feed."""
    body, content_type = fix_charset(body, content_type or "application/xml")
    # Content-Location lets feedparser resolve relative links against the feed URL (xml:base
    # still wins where the feed declares one, as RFC 4287 §1.2 asks).
    parsed = feedparser.parse(
        body,
        response_headers={"content-type": content_type, "content-location": url},
        sanitize_html=False,
        resolve_relative_uris=True,
    )
    if not parsed.get("version") and not parsed.get("entries"):
        problem = parsed.get("bozo_exception")
        raise FeedError(url, f"not an RSS or Atom feed ({problem or 'no feed element'})")
    result = FeedResult(kind="rss", title=parsed.feed.get("title", ""))
    if parsed.bozo and parsed.entries:
        result.warnings.append(f"feed is not well-formed: {parsed.get('bozo_exception')}")
    seen_guids: set[str] = set()
    seen_urls: set[str] = set()
    for item in parsed.entries:
        link = item.get("link") or ""
        if not link:
            # Some feeds put the article address only in the GUID.
            guid = item.get("id") or ""
            link = guid if guid.startswith(("http://", "https://", "/")) else ""
        if not link:
            continue
        link = urldefrag(urljoin(url, link.strip()))[0]
        guid = (item.get("id") or link).strip()
        # Outlets reuse GUIDs (a copied template, or "0" for every item): the URL decides.
        if link in seen_urls or (guid in seen_guids and guid != link):
            if guid in seen_guids and link not in seen_urls:
                guid = link
            else:
                continue
        seen_guids.add(guid)
        seen_urls.add(link)
        raw_date = item.get("published") or item.get("updated") or item.get("dc_date") or ""
        published = parse_feed_date(raw_date) or from_struct_time(
            item.get("published_parsed") or item.get("updated_parsed")
        )
        tags = item.get("tags") or []
        category = (tags[0].get("term") or "") if tags else ""
        result.entries.append(
            Entry(
                url=link,
                title=" ".join((item.get("title") or "").split()),
                published=published,
                guid=guid,
                section=category.strip() or section,
            )
        )
    return result


__all__ = ["parse_rss", "declared_charset"]
