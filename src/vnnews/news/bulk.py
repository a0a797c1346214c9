"""Bulk writes for `vnnews import`: a chunk's new articles inserted at once, and the per-save
side effects of an Article done once per chunk.

`store_article` keeps a new article (and its images) in the memo between `begin_bulk` and
`flush_pending` when its import record is deferred too, so a chunk of a few hundred items costs
one INSERT per table instead of one per row (the same address twice in a chunk flushes first).

Saving one Article fires two post_save receivers: the search index update
(vnnews.news.search.signals) and the content-version bump (vnnews.api.content_version, a file
rename in the shared cache). Over an import of thousands of articles they cost more than the
import itself, and `bulk_create` skips signals anyway. So while a chunk is written these two
receivers are disconnected (by their dispatch_uid), and the chunk's articles are indexed in the
same transaction (a kill -9 leaves no article unindexed) and the version bumped once after it.

The receivers are process-wide: a bulk import runs in its own process (`vnnews import`), so
nothing else in it saves articles meanwhile; they are reconnected even when the chunk fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models.signals import post_save

from vnnews.news.models import Article, Image, Section, Source

# memo keys of a bulk import (see begin_bulk)
PENDING = "store:pending"  # canonical URL -> (unsaved Article, its unsaved Images)
SAVED = "store:saved"  # article id -> Article saved one by one in this chunk (to index)
# Article attribute: ((title, sapo, text), search Document of them), set by the store when the
# import's workers computed the keys.
INDEX_KEYS = "index_keys"


def begin_bulk(memo: dict) -> None:
    """Start a chunk: new articles are kept in `memo` until `flush_pending` inserts them all."""
    memo[PENDING] = {}
    memo[SAVED] = {}


def flush_pending(memo: dict) -> list[Article]:
    """Insert the chunk's waiting articles and their images (two queries), and return every
    article created or changed since `begin_bulk`, for the caller to index."""
    pending = memo.get(PENDING) or {}
    if pending:
        articles = [article for article, _ in pending.values()]
        Article.objects.bulk_create(articles)
        images = [image for _, article_images in pending.values() for image in article_images]
        if images:
            Image.objects.bulk_create(images)
        saved = memo.setdefault(SAVED, {})
        for article in articles:
            saved[article.pk] = article
        pending.clear()
    return list((memo.get(SAVED) or {}).values())


SEARCH_UID = "vnnews.search.saved"
# The content-version receivers of the models a chunk saves: articles, and the outlets and
# sections created on first sight (an import of pages from many sites creates hundreds; each
# bump rewrites a shared cache file). The chunk bumps the version once, after its commit.
VERSION_UIDS = {
    model: f"vnnews.content-version.{model.__name__}.save" for model in (Article, Source, Section)
}


@contextmanager
def article_signals_muted() -> Iterator[None]:
    """Article post_save without the search receiver, and Article, Source and Section post_save
    without the content-version receiver, inside the block."""
    search_was = post_save.disconnect(sender=Article, dispatch_uid=SEARCH_UID)
    version_was = [
        post_save.disconnect(sender=model, dispatch_uid=uid) for model, uid in VERSION_UIDS.items()
    ]
    try:
        yield
    finally:
        # Each module's connect() is idempotent (dispatch_uid), so calling it again restores
        # exactly the receivers taken away.
        if search_was:
            from vnnews.news.search import signals

            signals.connect()
        if any(version_was):
            from vnnews.api import content_version

            content_version.connect()


def index_articles(articles: Iterable[Article]) -> int:
    """What the muted search receiver (search.index_article) would have done for each saved
    article, in a few statements for the whole chunk: duplicates of another article are kept out
    of the index. An article may carry `index_keys` (search.terms.document_keys of its title,
    sapo and text, computed ahead by the import's workers): used when the text is still that."""
    from vnnews.news.search import backend
    from vnnews.news.search.terms import document_for

    engine = backend()
    docs = []
    count = 0
    with connection.cursor() as cursor:
        for article in articles:
            if article.duplicate_of_id:
                engine.remove(cursor, article.pk)
            else:
                docs.append(document_for(article, _current_keys(article)))
            count += 1
        engine.index_many(cursor, docs)
    return count


def _current_keys(article: Article):
    keys = getattr(article, INDEX_KEYS, None)
    if keys is None:
        return None
    text, document = keys
    return document if text == (article.title, article.sapo, article.text) else None


def bump_content_version() -> None:
    """Bump the readers' content version (vnnews.api.content_version) once, after the writes are
    committed (readers then see the new rows): for a whole import chunk, a live worker's recent
    articles (ingest_live.bump_soon) or a story assignment."""
    from django.apps import apps

    if apps.is_installed("vnnews.api"):
        from vnnews.api import content_version

        content_version.bump()
