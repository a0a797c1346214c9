"""Reader URLs for articles: /bai/<id>-<folded-title-slug>/."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.text import slugify

from vnnews.text import fold


@lru_cache(maxsize=50_000)  # every list on every page slugs its titles again
def article_slug(title: str) -> str:
    # fold() first: slugify drops đ and every Vietnamese letter it cannot decompose.
    slug = slugify(fold(title or ""))[:80].strip("-")
    return slug or "bai"


_PK, _SLUG = 918273645, "slug-placeholder"


@lru_cache(maxsize=8)  # one per script prefix (the site mounted at / or under a path)
def _article_path_form(prefix: str) -> tuple[str, str, str]:
    # reverse() costs ~50 µs and lists call it 20 times a page: reverse once with markers and
    # fill them in afterwards (the same URL, as the pattern is plain "<int:pk>-<slug>").
    path = reverse("reader:article", args=[_PK, _SLUG])
    head, _, rest = path.partition(str(_PK))
    middle, _, tail = rest.partition(_SLUG)
    return head, middle, tail


def article_path(article) -> str:
    head, middle, tail = _article_path_form(get_script_prefix())
    return f"{head}{article.pk}{middle}{article_slug(article.title)}{tail}"
