"""Links to the reading site's pages, whatever shape its URLs take.

The reader app owns the page URLs; we ask for `get_absolute_url` first, then the reader's named
routes, and fall back to this app's own JSON resource so a link is never broken.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, reverse
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


_PK, _SLUG = 918273645, "slug-placeholder"


@lru_cache(maxsize=8)  # one per script prefix
def _reader_article_form(prefix: str) -> tuple[str, str, str] | None:
    """The reader's article URL split around its id and slug, or None without the reader app.
    reverse() costs ~50 µs and a feed or sitemap asks for hundreds of paths: reverse once with
    markers, fill them in afterwards (the same URL: the pattern is a plain <int:pk>-<slug>)."""
    try:
        path = reverse("reader:article", args=[_PK, _SLUG])
    except NoReverseMatch:
        return None
    head, _, rest = path.partition(str(_PK))
    middle, _, tail = rest.partition(_SLUG)
    return head, middle, tail


def article_path(article) -> str:
    """The reader's canonical /bai/<id>-<slug>/ when the reader app is installed."""
    if hasattr(article, "get_absolute_url"):
        return article.get_absolute_url()
    form = _reader_article_form(get_script_prefix())
    if form is not None:
        head, middle, tail = form
        return f"{head}{article.pk}{middle}{_article_slug(article.title)}{tail}"
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
