"""Bulk writes for `vnnews import`: the per-save side effects of an Article, done once per chunk.

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

from vnnews.news.models import Article

SEARCH_UID = "vnnews.search.saved"
VERSION_UID = "vnnews.content-version.Article.save"


@contextmanager
def article_signals_muted() -> Iterator[None]:
    """Article post_save without the search and content-version receivers inside the block."""
    search_was = post_save.disconnect(sender=Article, dispatch_uid=SEARCH_UID)
    version_was = post_save.disconnect(sender=Article, dispatch_uid=VERSION_UID)
    try:
        yield
    finally:
        # Each module's connect() is idempotent (dispatch_uid), so calling it again restores
        # exactly the receiver taken away.
        if search_was:
            from vnnews.news.search import signals

            signals.connect()
        if version_was:
            from vnnews.api import content_version

            content_version.connect()


def index_articles(articles: Iterable[Article]) -> int:
    """What the muted search receiver (search.index_article) would have done for each saved
    article, through one cursor: duplicates of another article are kept out of the index."""
    from vnnews.news.search import backend
    from vnnews.news.search.terms import document_for

    engine = backend()
    count = 0
    with connection.cursor() as cursor:
        for article in articles:
            if article.duplicate_of_id:
                engine.remove(cursor, article.pk)
            else:
                engine.index(cursor, document_for(article))
            count += 1
    return count


def bump_content_version() -> None:
    """One bump for a whole chunk, after it is committed (readers then see the new rows)."""
    from django.apps import apps

    if apps.is_installed("vnnews.api"):
        from vnnews.api import content_version

        content_version.bump()
