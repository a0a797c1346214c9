""" "Có thể bạn quan tâm": related articles for an article page.

    from vnnews.news.related import related_articles
    related_articles(article, limit=6) -> list[Article]

Order: other articles of the same story (newest first), then the most similar recent articles by
TF-IDF over title and sapo (vnnews.stories.related). Near-duplicate copies never appear: not the
article's own copies, not the original it copies, not any copy at all.

Fast by two caches: each process keeps one similarity index over the most recent articles, rebuilt
when the content version changes (at most once per REBUILD_SECONDS), and the answer for each
article (its few Article rows) is kept in process memory under the content version.
The index also keeps the teaser rows of its articles, read with it: while the content version is
still the one it was built under, an answer needs no query for them.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from django.db import connection

from vnnews.api import content_version
from vnnews.news.models import Article
from vnnews.stories.related import RelatedDocument, RelatedIndex

log = logging.getLogger("vnnews.news")

INDEX_SIZE = 3000  # the most recent articles that can be suggested by similarity
REBUILD_SECONDS = 120
ANSWER_SECONDS = 3600
ANSWER_LIMIT = 5000  # kept answers; all dropped at once beyond that

_lock = threading.Lock()
_EMPTY = RelatedIndex([])
_answers: dict[tuple[int, int, int], tuple[float, list[Article]]] = {}
_state: dict[str, object] = {
    "index": None,
    "version": None,
    "built_at": 0.0,
    "building": False,
    "teasers": {},
}


def _teaser_rows():
    """What a related list shows of an article: everything but the body."""
    return (
        Article.objects.filter(duplicate_of__isnull=True)
        .select_related("section", "source")
        .defer("blocks", "text")
    )


def _build_index() -> tuple[RelatedIndex, dict[int, Article]]:
    rows = list(_teaser_rows().order_by("-published", "-id")[:INDEX_SIZE])
    # One Source and one Section object each, shared by their articles (less memory).
    sources: dict[int, object] = {}
    sections: dict[int | None, object] = {}
    for row in rows:
        row.source = sources.setdefault(row.source_id, row.source)
        if row.section_id is not None:
            row.section = sections.setdefault(row.section_id, row.section)
    index = RelatedIndex(RelatedDocument(a.pk, a.title, a.sapo) for a in rows)
    return index, {a.pk: a for a in rows}


def recent_index() -> RelatedIndex:
    """The process's similarity index, rebuilt when content changed and it is old enough.

    One thread rebuilds while the others go on with the previous index, so a rebuild (a second
    or so for INDEX_SIZE articles) never stalls every article page of a worker at once.
    """
    version = content_version.current()
    with _lock:
        index = _state["index"]
        building = bool(_state.get("building"))
        if index is None and building:
            # The first index of this process is being built by another thread: answer without
            # similarity now rather than have every thread build its own copy at once.
            return _EMPTY
        stale = _state["version"] != version
        old = time.monotonic() - float(_state["built_at"]) > REBUILD_SECONDS
        rebuild = index is None or (stale and old and not building)
        if rebuild:
            _state["building"] = True
    if not rebuild:
        return index  # type: ignore[return-value]
    if connection.in_atomic_block:
        # Inside a transaction (tests, ATOMIC_REQUESTS) the rows it holds are visible only to
        # this connection: build here.
        return _rebuild(version)
    # Otherwise in a thread of its own: a build costs ~2 s of CPU for INDEX_SIZE articles, more
    # than 10 s of wall time on a loaded worker, and no reader's page should wait for it.
    threading.Thread(target=_rebuild_in_background, args=(version,), daemon=True).start()
    return index if index is not None else _EMPTY  # type: ignore[return-value]


def _rebuild(version) -> RelatedIndex:
    try:
        fresh, teasers = _build_index()
    finally:
        with _lock:
            _state["building"] = False
    with _lock:
        _state.update(index=fresh, version=version, built_at=time.monotonic(), teasers=teasers)
    return fresh


def _settle_heap() -> None:
    """Take the new index out of the garbage collector's way.

    The index (a few hundred thousand dicts, lists and rows) lives for minutes. Left in the
    collector's oldest generation, every full collection walks all of it again: measured on the
    benchmark's mix, full collections stopped a worker (every thread) for up to 84 ms each, a
    tenth of its CPU. So: collect once now, then freeze the survivors (gc.freeze: ignored by
    later collections). What was frozen before is unfrozen first, so garbage cycles never stay
    frozen for good; the old index itself has no cycles and goes by reference counting.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _rebuild_in_background(version) -> None:
    try:
        _rebuild(version)
        _settle_heap()
    except Exception:  # the next request tries again; the pages answer without it meanwhile
        log.exception("related_index_build_failed")
    finally:
        connection.close()  # this thread's own connection; the thread ends here


def warm_up() -> RelatedIndex:
    """Build this process's index now, in this thread (benchmarks; a server's first article page
    starts the build in the background instead)."""
    with _lock:
        _state["building"] = True
    index = _rebuild(content_version.current())
    _settle_heap()
    return index


def reset() -> None:
    """Forget the index (tests, or after a bulk import in this process)."""
    with _lock:
        _state.update(index=None, version=None, built_at=0.0, building=False, teasers={})
        _answers.clear()


def _related_ids(article: Article, limit: int) -> tuple[list[int], bool]:
    """The ids, and whether the answer is complete (False while the index is being built)."""
    # Copies of this article need no query to leave out: both sources below hold originals only
    # (the story query filters them, the index is built without them). A lookup by duplicate_of
    # would also be slow: with table statistics, SQLite rightly finds that index useless (nearly
    # every row is NULL) and scans the table.
    excluded = {article.pk}
    if article.duplicate_of_id:
        excluded.add(article.duplicate_of_id)
    ids: list[int] = []
    if article.story_id:
        ids = list(
            Article.objects.filter(story_id=article.story_id, duplicate_of__isnull=True)
            .exclude(pk__in=excluded)
            .order_by("-published", "-id")
            .values_list("pk", flat=True)[:limit]
        )
    complete = True
    if len(ids) < limit:
        index = recent_index()
        complete = index is not _EMPTY
        skip = excluded | set(ids)
        if article.pk in index:
            found = index.similar(article.pk, k=limit - len(ids), exclude=skip)
        else:
            found = index.similar_to_text(
                article.title, article.sapo, k=limit - len(ids), exclude=skip
            )
        ids.extend(key for key, _ in found)
    return ids, complete


def _teasers(ids: list[int]) -> dict[int, Article]:
    """The teaser rows of `ids`: from the index's copy when no save happened since it was read
    (the content version is unchanged, so the rows are current), else from the database."""
    with _lock:
        current = _state["version"] == content_version.current()
        kept = _state["teasers"] if current else {}
    found = {i: kept[i] for i in ids if i in kept}  # type: ignore[index, operator]
    missing = [i for i in ids if i not in found]
    if missing:
        found.update(_teaser_rows().in_bulk(missing))
    return found


def related_articles(article: Article, limit: int = 6) -> list[Article]:
    """Up to `limit` related articles, same story first; see the module docstring."""
    if limit <= 0 or article.pk is None:
        return []
    # Per-process memory, in a plain dict: a Django cache would pickle the rows on every write
    # and unpickle them on every read (the file cache would also list its folder to cull).
    key = (content_version.current(), article.pk, limit)
    now = time.monotonic()
    kept = _answers.get(key)
    if kept is not None and kept[0] > now:
        return list(kept[1])
    ids, complete = _related_ids(article, limit)
    by_id = _teasers(ids)
    found = [by_id[i] for i in ids if i in by_id]
    if complete:
        # The articles themselves, not only their ids: the content version in the key already
        # guarantees they are current, and the page is spared a query. Shared between threads:
        # callers get a copy of the list and only read the rows.
        with _lock:
            if len(_answers) >= ANSWER_LIMIT:
                _answers.clear()
            _answers[key] = (now + ANSWER_SECONDS, found)
    return list(found)
