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
from collections.abc import Callable

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


_KEPT_LIMIT = 2000  # entries; all dropped at once beyond that (a new version a minute or so)
_kept: dict[str, tuple[float, object]] = {}
_kept_lock = threading.Lock()


def kept[T](name: str, seconds: float, compute: Callable[[], T]) -> T:
    """`compute()`'s answer, kept in this process for `seconds` under the current version, so
    a save anywhere makes the next call compute it again.

    A plain dict rather than a Django cache: those pickle every value, and unpickling the ~90
    Article rows of an article page's side boxes cost more than a millisecond a page. Values
    are shared between threads, so callers only read them.
    """
    key = f"{current()}:{name}"
    now = time.monotonic()
    entry = _kept.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]  # type: ignore[return-value]
    found = compute()
    with _kept_lock:
        if len(_kept) >= _KEPT_LIMIT:
            _kept.clear()
        _kept[key] = (now + seconds, found)
    return found


def forget_kept() -> None:
    """Drop every kept answer (tests)."""
    with _kept_lock:
        _kept.clear()


def _changed(sender, raw=False, **kwargs) -> None:
    bump()


def connect() -> None:
    from vnnews.news.models import Article, Section, Source, Story

    for model in (Article, Section, Source, Story):
        uid = f"vnnews.content-version.{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + ".delete")
