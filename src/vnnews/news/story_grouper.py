"""Story grouping of live ingestion, done by one process at a time (design rule 7).

Every process that chooses stories keeps the candidate set in memory and has to follow every
article any process assigned (their feature counts, vectors, the document frequencies). When
each worker grouped the articles it fetched, both workers did that following for every
article: bench_ingest measured 43.6 ms CPU an article with two workers against 33.5 with one
(1,500 real texts). So the store only puts a new or changed live article in line
(`story_waiting`, in the store's own transaction: `ingest_page(group_later=True)`) and one
grouper groups the waiting articles, in the order they were stored; the assignment's own write
takes an article out of line if it is still the version read (`waiting_version`):

- `vnnews run` and `vnnews worker` start a grouper process beside their workers
  (`django-admin group_stories --follow`, `follow` here). It takes the grouping lock and keeps
  it while it lives; groupers of other machines wait for it, and one of them takes over when the
  holder dies (the lock goes with its process or connection).
- Where no grouper holds the lock (a worker alone, the tests' in-process tasks), the worker that
  stored an article groups what is waiting itself and lets the lock go (`group_if_free`).

Grouping writes with `stories_sync.assign_story`, which serialises its settling and writing
under its own lock, so a grouper and `vnnews import --stories` can run side by side.
"""

from __future__ import annotations

import logging
import threading
from contextlib import AbstractContextManager

from django.db import OperationalError, connection

from vnnews.news.models import Article
from vnnews.news.process_locks import database_lock

log = logging.getLogger("vnnews.stories")

CHUNK = 200  # waiting articles read at once
# A database error on one article is taken for the database's (locked, gone) and the article
# stays in line; this many in a row on the same article make it the article's after all.
DB_ERROR_TRIES = 3
# Any fixed 64-bit number other than stories_sync's: the PostgreSQL advisory lock of the grouper.
_PG_GROUPER_KEY = 0x766E6E6577730002
_db_errors: dict[int, int] = {}  # article pk -> database errors in a row while grouping it


def pending_ids(limit: int = CHUNK) -> list[int]:
    """The waiting articles, oldest stored first (a partial index holds just them)."""
    rows = Article.objects.filter(story_waiting=True).order_by("pk")
    return list(rows.values_list("pk", flat=True)[:limit])


def _leave_line(article: Article) -> bool:
    """Take the article out of line unless it changed since it was read (a new version, stored
    meanwhile, waits for its own grouping). True if it left."""
    rows = Article.objects.filter(
        pk=article.pk, change_count=article.change_count, story_waiting=True
    )
    return bool(rows.update(story_waiting=False))


def grouping_lock() -> AbstractContextManager[bool]:
    """Try to become the grouper: yields True while this process holds the grouping lock, False
    (at once) when another holds it (news/process_locks.py: a file lock beside the SQLite file,
    an advisory lock on PostgreSQL; without POSIX file locks every worker groups for itself).
    Inside a transaction, or on an in-memory database, no other process can see the waiting
    articles, so this one groups them (yields True)."""
    return database_lock(_PG_GROUPER_KEY, ".grouper-lock", blocking=False)


def group_pending(stop: threading.Event | None = None, bump: bool = True) -> int:
    """Group every waiting article (call holding the grouping lock); returns how many were
    grouped, and bumps the content version (soon) if any, unless `bump` is False (the caller
    does). An article whose grouping fails is logged (source and URL) and leaves the line
    ungrouped, as a failed assignment always did: stored and shown, not in a story. A database
    error leaves it in line and is raised, unless it is the article's DB_ERROR_TRIES-th in a row."""
    from vnnews.news.stories_sync import assign_story

    done, failed = 0, set()
    while not (stop is not None and stop.is_set()):
        # One that failed and could not be taken out of line is not tried again in this call.
        pks = [pk for pk in pending_ids(CHUNK + len(failed)) if pk not in failed]
        if not pks:
            break
        articles = Article.objects.select_related("source").filter(pk__in=pks).order_by("pk")
        for article in list(articles):
            if stop is not None and stop.is_set():
                break  # SIGTERM: the article in hand is written, the rest wait in line
            try:
                # Out of line in the assignment's own write, if still this version.
                assign_story(article, bump=False, waiting_version=article.change_count)
            except Exception as exc:
                if isinstance(exc, OperationalError) and not _one_error_too_many(article.pk):
                    raise  # the database, not the article (locked, gone): it stays in line
                log.exception(
                    "source=%s url=%s stage=stories event=assign_failed",
                    getattr(article.source, "domain", ""), article.url,
                )  # fmt: skip
                failed.add(article.pk)
                _leave_line(article)
                continue
            _db_errors.pop(article.pk, None)
            done += 1
    if done and bump:
        from vnnews.news.ingest_live import bump_soon

        bump_soon()
    return done


def _one_error_too_many(pk: int) -> bool:
    """Count a database error on this article; True at the DB_ERROR_TRIES-th in a row."""
    _db_errors[pk] = _db_errors.get(pk, 0) + 1
    if _db_errors[pk] < DB_ERROR_TRIES:
        return False
    del _db_errors[pk]
    return True


def group_if_free() -> int:
    """Group the waiting articles here unless a grouper holds the lock; returns how many (the
    caller bumps the content version). Looks again after letting go: an article marked while
    this process held the lock had its own try refused, so it is this process's to group (or
    the next holder's)."""
    done = 0
    while True:
        with grouping_lock() as held:
            if not held:
                return done
            done += group_pending(bump=False)
        if not pending_ids(1) or connection.in_atomic_block:
            return done


def follow(stop: threading.Event, idle_seconds: float = 0.2) -> int:
    """The grouper's loop: wait for the grouping lock, then group waiting articles as they come
    until `stop` is set; returns how many were grouped. A database error (locked too long,
    connection lost, server down) is logged and the loop starts again from taking the lock."""
    done, waiting = 0, False
    while not stop.is_set():
        try:
            with grouping_lock() as held:
                if not held:
                    if not waiting:
                        log.info("event=grouper_standby (another process groups stories)")
                        waiting = True
                    stop.wait(1.0)
                    continue
                log.info("event=grouper_started")
                waiting = False
                while not stop.is_set():
                    grouped = group_pending(stop)
                    done += grouped
                    if not grouped:
                        stop.wait(idle_seconds)
        except OperationalError as exc:
            # A lost connection also lost PostgreSQL's lock: start again from taking it.
            log.warning("event=grouper_database_error reason=%s", exc)
            connection.close()
            stop.wait(1.0)
    return done
