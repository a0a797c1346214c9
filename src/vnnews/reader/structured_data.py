"""schema.org NewsArticle JSON-LD for article pages (https://schema.org/NewsArticle,
https://developers.google.com/search/docs/appearance/structured-data/article)."""

from __future__ import annotations

from typing import Any


def news_article(article, *, page_url: str, images: list[str], byline: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        # Google shows at most 110 characters of a headline.
        "headline": article.title[:110],
        "mainEntityOfPage": page_url,
        "url": page_url,
        "isBasedOn": article.url,
        "inLanguage": article.language or "vi",
        "publisher": {
            "@type": "Organization",
            "name": article.source.name,
            "url": article.source.home_url or f"https://{article.source.domain}/",
        },
    }
    if article.sapo:
        data["description"] = article.sapo
    if article.published:
        data["datePublished"] = article.published.isoformat()
    if article.updated or article.published:
        data["dateModified"] = (article.updated or article.published).isoformat()
    if images:
        data["image"] = images
    authors = article.authors or ([byline] if byline else [])
    if authors:
        data["author"] = [{"@type": "Person", "name": name} for name in authors]
    if article.section_id:
        data["articleSection"] = article.section.name
    if article.tags:
        data["keywords"] = list(article.tags)
    return data
