"""What the pages list: latest articles, by section, outlet or tag; related; most viewed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db.models import QuerySet, Sum
from django.utils import timezone

from vnnews.api import content_version
from vnnews.news.models import Article, ArticleViewHour, Section, Source, with_tag

log = logging.getLogger("vnnews.reader")

# The side boxes ("Tin khác", "Nên xem", the section menu) are the same on thousands of pages:
# each process keeps them in its memory cache under the content version (the version-key pattern
# of vnnews.api.content_version, so a saved article refreshes them at once). "Nên xem" also
# changes without a save, as views are counted: its answer lives MOST_VIEWED_SECONDS at most.
BOX_SECONDS = 300
MOST_VIEWED_SECONDS = 30
# Boxes are cached a little longer than shown, so leaving out the page's own article and the
# related ones (at most 7) needs no query of its own.
_SPARE = 8


def boxed[T](name: str, seconds: int, compute: Callable[[], T]) -> T:
    """`compute()`'s answer, kept in this process for `seconds` under the content version
    (vnnews.api.content_version.kept: a plain dict, no pickling; callers only read it)."""
    return content_version.kept(f"reader:{name}", seconds, compute)


def forget_boxes() -> None:
    """Drop every kept box (tests)."""
    content_version.forget_kept()


def sections() -> list[Section]:
    """Every section in menu order (the menu on every page)."""
    return boxed("sections", BOX_SECONDS, lambda: list(Section.objects.only("slug", "name")))


def sections_by_id() -> dict[int, Section]:
    return boxed("sections-by-id", BOX_SECONDS, lambda: {s.pk: s for s in sections()})


def sources_by_id() -> dict[int, Source]:
    """Every outlet (a few hundred rows at most), for pages that show one."""
    return boxed("sources-by-id", BOX_SECONDS, lambda: {s.pk: s for s in Source.objects.all()})


def with_outlet_and_section(article: Article) -> Article:
    """Attach the article's outlet and section from the kept ones, so reading the article is a
    single-table query (a join of both costs the ORM more than the row itself)."""
    source = sources_by_id().get(article.source_id)
    if source is not None:
        article.source = source
    if article.section_id is not None:
        section = sections_by_id().get(article.section_id)
        if section is not None:
            article.section = section
    return article


# Lists never need the body: leave the big columns in the database.
_LIST_DEFER = ("blocks", "text", "authors", "tags")
# What a list teaser (reader/_items.html) shows, for lists built from ids (search results).
TEASER_FIELDS = (
    "title",
    "sapo",
    "lead_image",
    "published",
    "source__name",
    "source__domain",
    "section__name",
    "section__slug",
)


def listed() -> QuerySet[Article]:
    """Articles a reader sees in lists: not copies of another article, newest first."""
    return (
        Article.objects.filter(duplicate_of__isnull=True)
        .select_related("source", "section")
        .defer(*_LIST_DEFER)
        .order_by("-published", "-id")
    )


def tagged(tag: str) -> QuerySet[Article]:
    return with_tag(listed(), tag)


def top_by_section(per_section: int = 5) -> list[tuple[Section, list[Article]]]:
    """For each section with articles, its newest ones (the first is shown large)."""
    return boxed(f"top-by-section:{per_section}", BOX_SECONDS, lambda: _top_by_section(per_section))


def _top_by_section(per_section: int) -> list[tuple[Section, list[Article]]]:
    blocks = []
    for section in Section.objects.all():
        items = list(listed().filter(section=section)[:per_section])
        if items:
            blocks.append((section, items))
    return blocks


def _fallback_related(article: Article, limit: int) -> list[Article]:
    if article.story_id:
        same_story = list(listed().filter(story_id=article.story_id).exclude(pk=article.pk)[:limit])
        if same_story:
            return same_story
    if not article.section_id:
        return []
    return list(listed().filter(section_id=article.section_id).exclude(pk=article.pk)[:limit])


def related(article: Article, limit: int = 6) -> list[Article]:
    """'Có thể bạn quan tâm': the stories app's related articles when it is installed."""
    try:
        from vnnews.news.related import related_articles
    except ImportError:
        return _fallback_related(article, limit)
    try:
        return list(related_articles(article, limit=limit))
    except Exception:  # a failing recommender must not take the article page down
        log.exception("related_failed article=%s url=%s", article.pk, article.url)
        return _fallback_related(article, limit)


def _without(items: list[Article], skip: set[int], limit: int) -> list[Article] | None:
    """The first `limit` of a cached list not in `skip`; None when the list ran short."""
    kept = [a for a in items if a.pk not in skip]
    if len(kept) >= limit or len(items) < limit + _SPARE:
        return kept[:limit]
    return None


def latest_in_section(article: Article, exclude: set[int], limit: int = 8) -> list[Article]:
    """'Tin khác': the newest in the same section, without what is already shown."""
    skip = exclude | {article.pk}
    if article.section_id:
        section_id = article.section_id
        newest = boxed(
            f"latest:{section_id}:{limit}",
            BOX_SECONDS,
            lambda: list(listed().filter(section_id=section_id)[: limit + _SPARE]),
        )
        found = _without(newest, skip, limit)
        if found is not None:
            return found
        return list(listed().filter(section_id=section_id).exclude(pk__in=skip)[:limit])
    # No section: the outlet's latest, else everyone's.
    same_outlet = list(listed().filter(source_id=article.source_id).exclude(pk__in=skip)[:limit])
    return same_outlet or list(listed().exclude(pk__in=skip)[:limit])


def most_viewed(limit: int = 5, exclude: set[int] | None = None) -> list[Article]:
    """'Nên xem': most viewed in the last 24 hours (the 24 newest hourly buckets)."""
    skip = exclude or set()
    if len(skip) <= _SPARE:
        ranked = boxed(
            f"most-viewed:{limit}",
            MOST_VIEWED_SECONDS,
            lambda: _most_viewed(limit + _SPARE, set()),
        )
        found = _without(ranked, skip, limit)
        if found is not None:
            return found
    return _most_viewed(limit, skip)


def _most_viewed(limit: int, exclude: set[int]) -> list[Article]:
    since = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    rows = (
        ArticleViewHour.objects.filter(hour__gte=since, article__duplicate_of__isnull=True)
        .exclude(article_id__in=exclude)
        .values("article_id")
        .annotate(views=Sum("count"))
        .order_by("-views", "-article_id")[:limit]
    )
    ranked = [row["article_id"] for row in rows]
    by_id = listed().in_bulk(ranked)
    return [by_id[i] for i in ranked if i in by_id]
