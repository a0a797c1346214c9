"""Links to the reading site's pages, whatever shape its URLs take.

The reader app owns the page URLs; we ask for `get_absolute_url` first, then the reader's named
routes, and fall back to this app's own JSON resource so a link is never broken.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify

from vnnews.stories.vectors import fold_words


def _try_reverse(names_and_kwargs: list[tuple[str, dict]]) -> str | None:
    for name, kwargs in names_and_kwargs:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


@lru_cache(maxsize=50_000)
def _article_slug(title: str) -> str:
    """The reader's slug (vnnews.reader.links.article_slug), folded word by word through a
    cache: a 50,000-URL sitemap would otherwise spend seconds folding titles. A test checks
    both give the same path."""
    slug = slugify(fold_words(title or ""))[:80].strip("-")
    return slug or "bai"


def article_path(article) -> str:
    """The reader's canonical /bai/<id>-<slug>/ when the reader app is installed."""
    if hasattr(article, "get_absolute_url"):
        return article.get_absolute_url()
    try:
        return reverse("reader:article", args=[article.pk, _article_slug(article.title)])
    except NoReverseMatch:
        pass
    return _try_reverse([("reader:article-short", {"pk": article.pk})]) or reverse(
        "api:article", kwargs={"pk": article.pk}
    )


def section_path(section) -> str:
    if hasattr(section, "get_absolute_url"):
        return section.get_absolute_url()
    return _try_reverse([("reader:section", {"slug": section.slug})]) or (
        reverse("api:articles") + f"?section={section.slug}"
    )


def source_path(source) -> str:
    if hasattr(source, "get_absolute_url"):
        return source.get_absolute_url()
    return _try_reverse([("reader:source", {"domain": source.domain})]) or (
        reverse("api:articles") + f"?source={source.domain}"
    )


def absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + path
