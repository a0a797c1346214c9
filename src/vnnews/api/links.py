"""Links to the reading site's pages, whatever shape its URLs take.

The reader app owns the page URLs; we ask for `get_absolute_url` first, then the reader's named
routes, and fall back to this app's own JSON resource so a link is never broken.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def _try_reverse(names_and_kwargs: list[tuple[str, dict]]) -> str | None:
    for name, kwargs in names_and_kwargs:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def article_path(article) -> str:
    """The reader's canonical /bai/<id>-<slug>/ when the reader app is installed."""
    if hasattr(article, "get_absolute_url"):
        return article.get_absolute_url()
    try:
        from vnnews.reader.links import article_path as reader_article_path

        return reader_article_path(article)
    except (ImportError, NoReverseMatch):
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
