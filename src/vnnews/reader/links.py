"""Reader URLs for articles: /bai/<id>-<folded-title-slug>/."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import slugify

from vnnews.text import fold


def article_slug(title: str) -> str:
    # fold() first: slugify drops đ and every Vietnamese letter it cannot decompose.
    slug = slugify(fold(title or ""))[:80].strip("-")
    return slug or "bai"


def article_path(article) -> str:
    return reverse("reader:article", args=[article.pk, article_slug(article.title)])
