"""One number that changes whenever an article, section, source or story changes.

Cached pages, feeds, API answers and related-article lists put it in their cache keys, so a save
invalidates them all at once without tracking which page showed which article (the "version key"
pattern: old entries are never read again and expire with their TTL).

The number lives in the default cache, which settings make file-based so every worker process
and the ingestion worker share it. Reading a file on every request would cost more than the page
cache saves, so each process remembers the value for MEMO_SECONDS: a save elsewhere reaches the
other processes within that second; a save in this process is seen at once.
"""

from __future__ import annotations

import threading
import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

KEY = "vnnews:content-version"
MEMO_SECONDS = 1.0

_memo = threading.local()


def _remember(value: int) -> int:
    _memo.value = value
    _memo.until = time.monotonic() + MEMO_SECONDS
    return value


def current() -> int:
    if getattr(_memo, "until", 0.0) > time.monotonic():
        return _memo.value
    value = cache.get(KEY)
    if value is None:
        # Time-based start: a restarted cache never reuses an older version's entries.
        value = time.time_ns()
        if not cache.add(KEY, value, timeout=None):
            value = cache.get(KEY, value)
    return _remember(int(value))


def bump() -> int:
    try:
        value = cache.incr(KEY)
    except ValueError:  # missing (evicted, cleared, or never set)
        value = time.time_ns()
        cache.set(KEY, value, timeout=None)
    return _remember(int(value))


def forget() -> None:
    """Drop this thread's memo (tests that clear the cache)."""
    _memo.until = 0.0


def _changed(sender, raw=False, **kwargs) -> None:
    bump()


def connect() -> None:
    from vnnews.news.models import Article, Section, Source, Story

    for model in (Article, Section, Source, Story):
        uid = f"vnnews.content-version.{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + ".delete")
