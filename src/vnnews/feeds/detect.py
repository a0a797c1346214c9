"""Which kind of document a "feed" URL really returned, from its first bytes."""

from __future__ import annotations

import re

_FIRST_TAG = re.compile(rb"<(?![?!])([A-Za-z][\w:.-]*)")


def sniff(body: bytes) -> str:
    """ "rss", "sitemap", "html" or "unknown"."""
    if body[:2] == b"\x1f\x8b":
        return "sitemap"
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = head.lower()
    if lowered.startswith(b"<!doctype html"):
        return "html"
    # Skip the XML declaration, comments and doctype: find the first element name.
    without_comments = re.sub(rb"<!--.*?-->", b"", head, flags=re.S)
    match = _FIRST_TAG.search(without_comments)
    if not match:
        return "unknown"
    name = match.group(1).lower().split(b":")[-1]
    if name in {b"rss", b"feed", b"rdf"}:
        return "rss"
    if name in {b"urlset", b"sitemapindex"}:
        return "sitemap"
    if name in {b"html", b"head", b"body", b"meta", b"div"}:
        return "html"
    return "unknown"
