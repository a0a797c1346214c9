"""Count article views server-side, per hour, with no cookie and no third party.

One row per article and hour (ArticleViewHour); "Nên xem" sums the last 24 of them. Robots,
link previews and scripts are not readers, so user agents that say so are skipped.

Counting sits in a middleware outside the page cache and the 304 logic (settings.MIDDLEWARE), so
a page served from the cache or revalidated still counts. Counts gather in process memory and
are written in one short transaction every few seconds: a write per request would make SQLite's
single writer the bottleneck of every article page. A crash loses at most those few seconds.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from vnnews.news.models import Article, ArticleViewHour

log = logging.getLogger("vnnews.reader")

FLUSH_SECONDS = 5.0
FLUSH_PENDING = 500

_ROBOT = re.compile(
    r"bot|crawl|spider|slurp|archiver|preview|facebookexternalhit|headless|lighthouse|"
    r"curl|wget|python|httpx|aiohttp|go-http|java/|okhttp|libwww|scrapy|monitor|uptime|wrk|"
    r"apachebench|\bab/|siege|locust|k6/",
    re.I,
)
_ARTICLE_PATH = re.compile(r"^/bai/(\d+)-[-\w]+/$")

_lock = threading.Lock()
_pending: Counter[tuple[int, object]] = Counter()
_last_flush = time.monotonic()


def is_robot(user_agent: str) -> bool:
    return not user_agent or bool(_ROBOT.search(user_agent))


def should_count(request) -> bool:
    if request.method != "GET":
        return False
    # Prefetch and prerender are not views (Chromium sends Sec-Purpose, others Purpose).
    if "prefetch" in (request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")):
        return False
    return not is_robot(request.headers.get("User-Agent", ""))


_flushing = threading.Lock()


def record_view(article_id: int) -> None:
    """Count one view now (in memory); written with the next flush.

    The flush runs in a thread of its own, not in the reader's request: waiting for SQLite's
    write lock (another worker flushing, an import) would otherwise land on that reader's page
    as a latency spike. One flush at a time per process; views counted meanwhile wait for the
    next one.
    """
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    with _lock:
        _pending[(article_id, hour)] += 1
        due = (
            time.monotonic() - _last_flush >= FLUSH_SECONDS
            or sum(_pending.values()) >= FLUSH_PENDING
        )
    if not due:
        return
    if connection.in_atomic_block:
        # Inside a transaction (ATOMIC_REQUESTS, tests): rows it created are visible only to
        # this connection, so the counts are written here.
        flush()
    elif _flushing.acquire(blocking=False):
        threading.Thread(target=_flush_in_background, name="view-counter", daemon=True).start()


def _flush_in_background() -> None:
    try:
        flush()
    finally:
        connection.close()  # this thread's own connection; the thread ends here
        _flushing.release()


def flush() -> int:
    """Write the gathered counts; returns how many views were written."""
    global _last_flush
    with _lock:
        batch = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    if not batch:
        return 0
    try:
        with transaction.atomic():
            _write(batch)
    except DatabaseError:
        # A busy database must not cost the reader the page; these counts are dropped.
        log.warning("views_not_counted articles=%s", sorted({a for a, _ in batch}), exc_info=True)
        return 0
    return sum(batch.values())


def _write(batch: dict[tuple[int, object], int]) -> None:
    """Add the counts in two statements run for many rows (executemany), not four ORM queries a
    view: an hour's row is created or added to in one upsert (SQLite >= 3.24 and PostgreSQL
    share the syntax), and the INSERT … SELECT adds nothing for an article deleted meanwhile."""
    ops = connection.ops
    hours = ops.quote_name(ArticleViewHour._meta.db_table)
    articles = ops.quote_name(Article._meta.db_table)
    count = ops.quote_name("count")
    per_article: Counter[int] = Counter()
    rows = []
    for (article_id, hour), views in batch.items():
        rows.append((ops.adapt_datetimefield_value(hour), views, article_id))
        per_article[article_id] += views
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {hours} (article_id, hour, {count}) "
            f"SELECT id, %s, %s FROM {articles} WHERE id = %s "
            f"ON CONFLICT (article_id, hour) "
            f"DO UPDATE SET {count} = {hours}.{count} + excluded.{count}",
            rows,
        )
        cursor.executemany(
            f"UPDATE {articles} SET view_count = view_count + %s WHERE id = %s",
            [(views, article_id) for article_id, views in per_article.items()],
        )


class ArticleViewMiddleware:
    """Counts GETs of article pages that a reader received (200, or 304 from their cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (200, 304):
            match = _ARTICLE_PATH.match(request.path_info)
            if match and should_count(request):
                record_view(int(match.group(1)))
        return response
