"""Put one stored article into the identity layers 3 and 4 (design rule 7): near duplicate and
story. The storage orchestrator calls `assign_story(article)` right after saving an article.

    from vnnews.news.stories_sync import assign_story
    assign_story(article)        # sets simhash, duplicate_of, story; saves those three fields

The matching itself is the Django-free core (vnnews.stories); this module only chooses the
candidates (articles published within the story window) and writes the result.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from vnnews.news.models import Article, Story
from vnnews.stories.clustering import (
    DEFAULT_CLUSTER_OPTIONS,
    ClusterOptions,
    document_text,
)
from vnnews.stories.near_duplicates import DEFAULT_OPTIONS, find_near_duplicate, simhash
from vnnews.stories.vectors import TfidfModel, Vector, cosine, features, truncate

log = logging.getLogger("vnnews.stories")

# Near-duplicate copies are looked for among articles published this close to the new one.
DUPLICATE_WINDOW = timedelta(days=7)
# At most this many recent articles are compared when choosing a story: bounded work per article.
MAX_STORY_CANDIDATES = 1500

# Feature counts of candidate articles, kept between calls: folding the text is the costly part,
# and during an import every article is a candidate for the next few hundred.
_COUNTS_CACHE: OrderedDict[tuple[int, datetime | None], Counter[str]] = OrderedDict()
_COUNTS_CACHE_SIZE = 20_000


def fingerprint_text(article: Article) -> str:
    """What a copy shares with its original: the body (with the sapo); headlines get rewritten."""
    body = "\n".join(part for part in (article.sapo, article.text) if part)
    return body or article.title


def _when(article: Article) -> datetime:
    return article.published or article.first_seen or timezone.now()


def _story_counts(article: Article, options: ClusterOptions) -> Counter[str]:
    key = (article.pk, article.last_changed)
    counts = _COUNTS_CACHE.get(key)
    if counts is None:
        text = "\n".join(part for part in (article.sapo, article.text) if part)
        counts = features(document_text(article.title, text, options), options.vector)
        _COUNTS_CACHE[key] = counts
        if len(_COUNTS_CACHE) > _COUNTS_CACHE_SIZE:
            _COUNTS_CACHE.popitem(last=False)
    else:
        _COUNTS_CACHE.move_to_end(key)
    return counts


def _near_duplicate_of(article: Article, fingerprint: int) -> Article | None:
    when = _when(article)
    rows = (
        Article.objects.filter(
            duplicate_of__isnull=True,
            simhash__isnull=False,
            published__gte=when - DUPLICATE_WINDOW,
            published__lte=when + DUPLICATE_WINDOW,
        )
        .exclude(pk=article.pk)
        .values_list("pk", "simhash")
    )
    match = find_near_duplicate(fingerprint, rows, DEFAULT_OPTIONS)
    return Article.objects.filter(pk=match).first() if match is not None else None


def _candidate_counts(article: Article, options: ClusterOptions) -> list[tuple[int, int, Counter]]:
    """(pk, story_id, feature counts) of the articles the new one may join: originals that
    already have a story, published within the window. Texts are loaded only for articles whose
    counts are not cached yet."""
    when = _when(article)
    rows = list(
        Article.objects.filter(
            duplicate_of__isnull=True,
            story__isnull=False,
            published__gte=when - options.window,
            published__lte=when + options.window,
        )
        .exclude(pk=article.pk)
        .order_by("-published")
        .values_list("pk", "story_id", "last_changed")[:MAX_STORY_CANDIDATES]
    )
    missing = [pk for pk, _, changed in rows if (pk, changed) not in _COUNTS_CACHE]
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        for other in Article.objects.filter(pk__in=chunk).only(
            "pk", "title", "sapo", "text", "last_changed"
        ):
            _story_counts(other, options)
    out = []
    for pk, story_id, changed in rows:
        counts = _COUNTS_CACHE.get((pk, changed))
        if counts is not None:
            out.append((pk, story_id, counts))
    return out


def _choose_story(article: Article, options: ClusterOptions) -> Story | None:
    """The story whose centroid is most similar to the article, if similar enough.

    Same rule as the offline clusterer (vnnews.stories.clustering): cosine to the sum of the
    story's member vectors. Only stories with a member sharing one of the article's features are
    scored; the others would score zero.
    """
    candidates = _candidate_counts(article, options)
    if not candidates:
        return None
    own = _story_counts(article, options)
    model = TfidfModel(options.vector).fit([*(c for _, _, c in candidates), own])
    vector = truncate(model.vector(own), options.max_features)
    touched = {story_id for _, story_id, counts in candidates if any(f in counts for f in vector)}
    totals: dict[int, Vector] = {}
    for _, story_id, counts in candidates:
        if story_id not in touched:
            continue
        total = totals.setdefault(story_id, {})
        for f, w in truncate(model.vector(counts), options.max_features).items():
            total[f] = total.get(f, 0.0) + w
    best_id, best_sim = None, 0.0
    for story_id, total in totals.items():
        norm = sum(w * w for w in total.values()) ** 0.5
        sim = cosine(vector, total) / norm if norm else 0.0
        if sim > best_sim:
            best_id, best_sim = story_id, sim
    if best_id is None or best_sim < options.threshold:
        return None
    return Story.objects.filter(pk=best_id).first()


def assign_story(article: Article, options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS) -> Article:
    """Set `article.simhash`, `duplicate_of` (a near-identical earlier copy, or None) and
    `story` (joined or newly created), save those fields and return the article.

    A near duplicate joins its original's story. Safe to call again after an update: the article
    is re-fingerprinted and may move to another story (the old story's size is decremented).
    """
    fingerprint = simhash(fingerprint_text(article))
    original = _near_duplicate_of(article, fingerprint) if fingerprint else None
    if original is not None and original.duplicate_of_id == article.pk:
        original = None  # never make two articles copies of each other
    with transaction.atomic():
        old_story_id = article.story_id
        story = None
        if original is not None:
            story = original.story
            if story is None:
                story = Story.objects.create(title=original.title)
                Article.objects.filter(pk=original.pk).update(story=story)
                original.story = story
        else:
            story = _choose_story(article, options)
            if story is None:
                story = Story.objects.create(
                    title=article.title,
                    created_at=_when(article),
                    updated_at=_when(article),
                    size=0,
                )
        article.simhash = fingerprint
        article.duplicate_of = original
        article.story = story
        # save(), not update(): the post_save signal keeps the search index (which leaves
        # duplicates out) and the page-cache version in step.
        article.save(update_fields=["simhash", "duplicate_of", "story"])
        if old_story_id != story.pk:
            if old_story_id:
                Story.objects.filter(pk=old_story_id, size__gt=0).update(size=F("size") - 1)
                Story.objects.filter(pk=old_story_id, size=0).delete()
            Story.objects.filter(pk=story.pk).update(size=F("size") + 1)
        latest = _when(article)
        Story.objects.filter(pk=story.pk, updated_at__lt=latest).update(updated_at=latest)
    log.info(
        "story assigned source=%s url=%s story=%s duplicate_of=%s",
        getattr(article.source, "domain", ""),
        article.url,
        story.pk,
        original.pk if original else "",
    )
    return article


def assign_stories(articles=None, progress=None) -> int:
    """assign_story for many articles, oldest first (e.g. after a bulk import that bypassed
    it); `articles` defaults to every article without a story. Returns how many were done."""
    queryset = articles if articles is not None else Article.objects.filter(story__isnull=True)
    done = 0
    for article in (
        queryset.select_related("source").order_by("published", "id").iterator(chunk_size=200)
    ):
        assign_story(article)
        done += 1
        if progress is not None:
            progress(done)
    return done


def assign_batch_stories(batch: str, progress=None) -> int:
    """assign_stories for the articles an import batch created or changed (bulk import skips
    the per-article step). About 20 ms an article, so `vnnews import` does it only on request."""
    from vnnews.news.models import ImportRecord

    records = ImportRecord.objects.filter(
        batch=batch, outcome__in=[ImportRecord.Outcome.CREATED, ImportRecord.Outcome.UPDATED]
    )
    return assign_stories(Article.objects.filter(pk__in=records.values("article_id")), progress)
