"""What a feed tells us about one article: where it is, and what the outlet says about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Entry:
    url: str
    title: str = ""
    published: datetime | None = None
    guid: str = ""
    section: str = ""


@dataclass
class FeedResult:
    """Entries found in one document, plus child sitemaps to visit (for sitemap indexes)."""

    kind: str  # "rss", "sitemap", "sitemap_index", "news_sitemap", "section_page"
    entries: list[Entry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    title: str = ""
    warnings: list[str] = field(default_factory=list)


class FeedError(ValueError):
    """A document could not be read as a feed. Names the URL and the reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason
