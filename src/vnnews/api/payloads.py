"""The JSON shapes of the API (documented field by field in docs/api.md).

Typed dicts, so the shape is stated once and checked by type checkers; dates are ISO 8601 with
the site's time-zone offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from django.utils import timezone

from vnnews.api.links import article_path, section_path, source_path


class SectionRef(TypedDict):
    slug: str
    name: str


class SourceRef(TypedDict):
    name: str
    domain: str


class ArticleSummary(TypedDict):
    id: int
    title: str
    sapo: str
    url: str
    original_url: str
    published: str | None
    updated: str | None
    section: SectionRef | None
    source: SourceRef
    authors: list[str]
    tags: list[str]
    lead_image: str
    story_id: int | None


class ImagePayload(TypedDict):
    src: str
    alt: str
    caption: str
    credit: str


class ArticleDetail(ArticleSummary):
    byline: str
    text: str
    blocks: list[dict[str, Any]]
    images: list[ImagePayload]
    duplicate_of: int | None
    language: str


class SectionPayload(TypedDict):
    slug: str
    name: str
    url: str
    rss: str
    atom: str


class SourcePayload(TypedDict):
    name: str
    domain: str
    home_url: str
    enabled: bool
    url: str
    rss: str


class Page(TypedDict):
    count: int
    page: int
    per_page: int
    next: str | None
    previous: str | None
    results: list[ArticleSummary]


class ErrorBody(TypedDict):
    status: int
    code: str
    message: str


class ErrorPayload(TypedDict):
    error: ErrorBody


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()


def section_ref(section) -> SectionRef | None:
    return {"slug": section.slug, "name": section.name} if section else None


def article_summary(article, absolute) -> ArticleSummary:
    """`absolute` turns a site path into a full URL (request.build_absolute_uri)."""
    return {
        "id": article.pk,
        "title": article.title,
        "sapo": article.sapo,
        "url": absolute(article_path(article)),
        "original_url": article.url,
        "published": iso(article.published),
        "updated": iso(article.updated),
        "section": section_ref(article.section),
        "source": {"name": article.source.name, "domain": article.source.domain},
        "authors": list(article.authors or []),
        "tags": list(article.tags or []),
        "lead_image": article.lead_image,
        "story_id": article.story_id,
    }


def article_detail(article, absolute) -> ArticleDetail:
    summary = article_summary(article, absolute)
    return {
        **summary,
        "byline": article.byline,
        "text": article.text,
        "blocks": list(article.blocks or []),
        "images": [
            {"src": i.src, "alt": i.alt, "caption": i.caption, "credit": i.credit}
            for i in article.images.all()
        ],
        "duplicate_of": article.duplicate_of_id,
        "language": article.language,
    }


def section_payload(section, absolute, feed_urls: tuple[str, str]) -> SectionPayload:
    return {
        "slug": section.slug,
        "name": section.name,
        "url": absolute(section_path(section)),
        "rss": absolute(feed_urls[0]),
        "atom": absolute(feed_urls[1]),
    }


def source_payload(source, absolute, rss_url: str) -> SourcePayload:
    return {
        "name": source.name,
        "domain": source.domain,
        "home_url": source.home_url,
        "enabled": source.enabled,
        "url": absolute(source_path(source)),
        "rss": absolute(rss_url),
    }
