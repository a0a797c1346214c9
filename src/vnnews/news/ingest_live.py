"""Live ingestion: poll feeds, enqueue new article URLs, fetch each page into the store.

The work happens in `django.tasks` tasks (news/tasks.py) run by django_tasks_db workers; this
module holds what those tasks do, plus the scheduler tick that only *enqueues* due feed polls.
Politeness and health are state on the Feed and Source rows (design rule 5):

- Feed: ETag / Last-Modified for conditional GET, next_check_at, consecutive error_count, last_error.
- Source: last success / error, consecutive error_count; disabled (with the reason) after
  `SOURCE_MAX_FAILURES` consecutive failed fetches. A single feed is disabled the same way, so a
  dead feed URL in the default registry does not take its working siblings down.

Exactly-once: two polls of one outlet (its home feed and a section feed list the same article)
decide what to enqueue while holding a row lock on the Source (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite every write transaction is IMMEDIATE, which serialises them the same way),
and skip URLs already stored, tombstoned, or waiting/running in the queue. Workers claim tasks
with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL) or inside an EXCLUSIVE transaction (SQLite),
so no two workers run one task; `reap_stale_tasks` re-queues tasks left RUNNING by a killed worker.

Politeness across worker processes: each process's Fetcher caps concurrency and spacing per host
for its own requests only. Between processes, two things keep an outlet's pace:
- enqueue_entries queues its article fetches HOST_DELAY apart (run_after, continuing after the
  latest one already waiting, so a home and a section feed polled together do not double it);
- every article fetch and feed poll (and each child sitemap a poll reads) first claims the
  outlet's next free slot (`claim_fetch_slot`, one small write on Source.next_fetch_at). When the
  workers run behind, tasks whose start times have all passed come due together; the claim
  spreads them out again, one HOST_DELAY apart whatever the number of worker processes. A task
  whose slot is more than MAX_SLOT_SLEEP away goes back to the queue for that slot (kept for it)
  instead of holding its worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from vnnews.feeds import Entry, FeedError, FeedResult, parse_document
from vnnews.fetch import Fetcher, FetchError, FetchOptions, RateLimited, backoff_delay
from vnnews.news.in_lists import in_slices
from vnnews.news.models import (
    Article,
    Feed,
    ImportRecord,
    Section,
    SectionAlias,
    Source,
    Tombstone,
)
from vnnews.stories.identity import canonical_url

log = logging.getLogger("vnnews.ingest")

MAX_CHILD_SITEMAPS = 5
ARTICLE_ATTEMPTS = 3
POLL_PRIORITY = 10
# A worker waits for its outlet's fetch slot itself when it is this close (seconds); a later slot
# sends the task back to the queue, so one busy outlet does not hold the workers from the others.
MAX_SLOT_SLEEP = 0.25

_fetcher: Fetcher | None = None
_fetcher_lock = threading.Lock()


def fetch_options() -> FetchOptions:
    timeout = float(settings.FETCH_TIMEOUT)
    return FetchOptions(
        site_url=settings.SITE_URL,
        connect_timeout=max(1.0, timeout / 2),
        read_timeout=timeout,
        total_timeout=timeout * 3,
        max_bytes=int(settings.FETCH_MAX_BYTES),
        min_host_delay=float(settings.HOST_DELAY),
        per_host_concurrency=int(settings.HOST_CONCURRENCY),
        allow_hosts=frozenset(h.lower() for h in settings.FETCH_ALLOW_HOSTS),
    )


def fetcher() -> Fetcher:
    """One Fetcher per process: its robots.txt cache and per-host throttle are shared by tasks."""
    global _fetcher
    with _fetcher_lock:
        if _fetcher is None:
            _fetcher = Fetcher(fetch_options())
        return _fetcher


def reset_fetcher() -> None:
    """Forget the process's Fetcher (after settings change, e.g. in tests), and its section
    lookups."""
    global _fetcher
    with _fetcher_lock:
        if _fetcher is not None:
            _fetcher.close()
        _fetcher = None
    forget_sections()


# A worker maps every article's section (the store's, and a feed's in _section_from_feed): with
# the lookups remembered (resolve_section's memo: whether any custom alias exists, and the Section
# row of each slug) that is no query at all. An alias added in the admin (another process) reaches
# the workers within this time; a change in this process, at once (the signals below).
SECTION_MEMO_SECONDS = 60.0
_section_memo: dict = {}
_section_memo_at = 0.0


def section_memo() -> dict:
    """The process's resolve_section memo, started afresh every SECTION_MEMO_SECONDS."""
    global _section_memo, _section_memo_at
    now = time.monotonic()
    if now - _section_memo_at > SECTION_MEMO_SECONDS:
        _section_memo, _section_memo_at = {}, now
    return _section_memo


def forget_sections(**_: object) -> None:
    global _section_memo_at
    _section_memo_at = -SECTION_MEMO_SECONDS * 2  # the next section_memo() starts a new one


for _model in (Section, SectionAlias):
    for _signal in (post_save, post_delete):
        _signal.connect(forget_sections, sender=_model, dispatch_uid=f"live-sections-{_model}")


def origin_for(source: Source) -> str:
    return f"live:{source.domain}"


# -- health ----------------------------------------------------------------------------------


def record_success(source: Source, feed: Feed | None = None) -> None:
    now = timezone.now()
    # One write per source per few seconds is plenty for "last success": on SQLite every write
    # takes the database lock, and a busy outlet succeeds many times a second.
    fresh = source.last_success_at and (now - source.last_success_at).total_seconds() < 5
    if source.error_count or not fresh:
        Source.objects.filter(pk=source.pk).update(last_success_at=now, error_count=0)
    if feed is not None and (feed.error_count or feed.last_error):
        Feed.objects.filter(pk=feed.pk).update(error_count=0, last_error="")


def record_failure(source: Source, error: str, feed: Feed | None = None) -> None:
    """Count one consecutive failure; disable the feed / source when the limit is reached."""
    now = timezone.now()
    limit = int(settings.SOURCE_MAX_FAILURES)
    with transaction.atomic():
        row = Source.objects.select_for_update().get(pk=source.pk)
        row.error_count += 1
        row.last_error = error[:2000]
        row.last_error_at = now
        fields = ["error_count", "last_error", "last_error_at"]
        if row.enabled and row.error_count >= limit:
            row.enabled = False
            row.disabled_reason = f"tự tắt sau {row.error_count} lỗi liên tiếp: {error}"[:300]
            fields += ["enabled", "disabled_reason"]
            log.warning("source=%s event=source_disabled reason=%s", row.domain, error)
        row.save(update_fields=fields)
        if feed is not None:
            f = Feed.objects.select_for_update().get(pk=feed.pk)
            f.error_count += 1
            f.last_error = error[:2000]
            feed_fields = ["error_count", "last_error"]
            if f.enabled and f.error_count >= limit:
                f.enabled = False
                feed_fields.append("enabled")
                log.warning("source=%s url=%s event=feed_disabled", row.domain, f.url)
            f.save(update_fields=feed_fields)


# -- queue -----------------------------------------------------------------------------------


def queue_depth() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()


def reap_stale_tasks(lease_seconds: int | None = None) -> int:
    """Put back tasks that have been RUNNING longer than the lease: their worker died (SIGKILL,
    power loss) without marking them finished. django_tasks_db (0.13) has no such recovery of its
    own. A fetch is bounded by its timeouts, so a live worker never holds a task that long; the
    tasks are idempotent anyway (the store keys articles by canonical URL)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    lease = int(lease_seconds if lease_seconds is not None else settings.TASK_LEASE_SECONDS)
    cutoff = timezone.now() - timedelta(seconds=lease)
    count = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None)
    if count:
        log.warning("event=tasks_requeued count=%d lease=%ds", count, lease)
    return count


def _pending_urls(urls: list[str]) -> set[str]:
    """URLs among `urls` that already have a fetch task waiting or running."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from vnnews.news import tasks

    found: set[str] = set()
    for chunk in in_slices(urls):
        rows = DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            task_path=tasks.fetch_article.module_path,
            args_kwargs__kwargs__url__in=chunk,
        ).values_list("args_kwargs", flat=True)
        found.update(row["kwargs"]["url"] for row in rows)
    return found


def _known_urls(urls: list[str]) -> set[str]:
    known: set[str] = set()
    for chunk in in_slices(urls):
        known.update(Article.objects.filter(url__in=chunk).values_list("url", flat=True))
        known.update(Tombstone.objects.filter(url__in=chunk).values_list("url", flat=True))
    return known


def _next_free_slot(source: Source, now: datetime, delay: float) -> datetime:
    """When this outlet's next fetch may start: `delay` after the latest one already waiting in
    the queue with a start time, or now. Called under the outlet's row lock (enqueue_entries)."""
    from django.db.models import Max
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    from vnnews.news import tasks

    latest = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=tasks.fetch_article.module_path,
        args_kwargs__kwargs__source_id=source.pk,
        run_after__gt=now,
        run_after__lt=get_date_max(),
    ).aggregate(latest=Max("run_after"))["latest"]
    return latest + timedelta(seconds=delay) if latest else now


def claim_fetch_slot(source_id: int, delay: float, now: datetime | None = None) -> datetime:
    """Take the outlet's next free fetch slot: the later of now and Source.next_fetch_at, which
    then moves `delay` seconds past it. The row lock (SELECT ... FOR UPDATE on PostgreSQL; an
    IMMEDIATE transaction on SQLite) makes two workers' claims take different slots."""
    now = now or timezone.now()
    with transaction.atomic():
        taken = (
            Source.objects.select_for_update()
            .filter(pk=source_id)
            .values_list("next_fetch_at", flat=True)
            .first()
        )
        slot = max(now, taken) if taken else now
        Source.objects.filter(pk=source_id).update(next_fetch_at=slot + timedelta(seconds=delay))
    return slot


def _wait_for_slot(source: Source, slot: datetime | None) -> datetime | None:
    """Hold this fetch to the outlet's shared pace (see the module docstring). Returns None when
    the fetch may go now (after at most MAX_SLOT_SLEEP), or the slot it was given, later, which
    the caller re-queues the task for. `slot` is a slot an earlier run of the task already took."""
    delay = float(settings.HOST_DELAY)
    if not delay:
        return None
    now = timezone.now()
    if slot is None or (now - slot).total_seconds() > delay:
        # No slot yet, or the task ran so late that its turn has passed and the outlet's later
        # slots may be in use right now: take the next free one.
        slot = claim_fetch_slot(source.pk, delay, now)
    wait = (slot - timezone.now()).total_seconds()
    if wait > MAX_SLOT_SLEEP:
        return slot
    if wait > 0:
        time.sleep(wait)
    return None


def enqueue_entries(source: Source, feed: Feed | None, entries: list[Entry]) -> tuple[int, bool]:
    """Enqueue one fetch task per new entry. Returns (enqueued, truncated): truncated when the
    backlog limit stopped us, so the caller must read the feed again in full next time."""
    from vnnews.news import tasks

    by_url: dict[str, Entry] = {}
    for entry in entries:
        try:
            key = canonical_url(entry.url)
        except ValueError:
            continue
        by_url.setdefault(key, entry)
    if not by_url:
        return 0, False
    room = int(settings.QUEUE_MAX_BACKLOG) - queue_depth()
    delay = float(settings.HOST_DELAY)
    now = timezone.now()
    enqueued = 0
    truncated = False
    with transaction.atomic():
        # Serialise "is it new? enqueue it" per outlet: see the module docstring.
        Source.objects.select_for_update().filter(pk=source.pk).first()
        urls = list(by_url)
        skip = _known_urls(urls) | _pending_urls(urls)
        # Spread one outlet's articles over time so several worker processes stay polite
        # together (the in-process throttle only sees its own requests), after the ones its
        # other feeds queued already (a home and a section feed polled together).
        start = _next_free_slot(source, now, delay) if delay else now
        for index, url in enumerate(u for u in urls if u not in skip):
            if enqueued >= room:
                truncated = True
                break
            entry = by_url[url]
            at = start + timedelta(seconds=delay * index)
            run_after = at if at > now else None
            task = (
                tasks.fetch_article.using(run_after=run_after) if run_after else tasks.fetch_article
            )
            task.enqueue(
                url=url,
                source_id=source.pk,
                feed_id=feed.pk if feed else None,
                section=entry.section,
                title=entry.title,
                attempt=1,
            )
            enqueued += 1
    if truncated:
        log.warning("source=%s event=backlog_full enqueued=%d", source.domain, enqueued)
    return enqueued, truncated


# -- polling ---------------------------------------------------------------------------------


def _read_feed(feed: Feed, client: Fetcher, etag: str, last_modified: str):
    source = feed.source
    result = client.fetch(
        feed.url,
        etag=etag,
        last_modified=last_modified,
        accept="application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    )
    if result.not_modified:
        return result, None
    parsed = parse_document(
        result.body,
        result.url,
        kind=feed.kind,
        content_type=result.content_type,
        section=feed.source_section,
    )
    if parsed.kind == "sitemap_index":
        merged = FeedResult(kind="sitemap_index", warnings=list(parsed.warnings))
        # News sites list thousands of sitemaps (one per day or per id range); read a few.
        for child in parsed.sitemaps[:MAX_CHILD_SITEMAPS]:
            if not _take_slot_now(source):
                merged.warnings.append(f"{child}: để lần sau (đang chờ lượt tải của trang)")
                break
            try:
                body = client.fetch(child).body
                merged.entries += parse_document(
                    body, child, kind="sitemap", section=feed.source_section
                ).entries
            except (FetchError, FeedError) as exc:
                merged.warnings.append(str(exc))
        parsed = merged
    return result, parsed


def _take_slot_now(source: Source) -> bool:
    """Claim the outlet's next fetch slot for a request made inside a running poll (a child
    sitemap) and wait for it; False, without waiting, when it is more than about one turn away
    (the outlet's backlog has the slots): the caller leaves that request for the next poll
    rather than hold its worker asleep."""
    delay = float(settings.HOST_DELAY)
    if not delay:
        return True
    free_at = Source.objects.filter(pk=source.pk).values_list("next_fetch_at", flat=True).first()
    if free_at and (free_at - timezone.now()).total_seconds() > delay + MAX_SLOT_SLEEP:
        return False  # looked before claiming: a slot claimed and not used would delay the rest
    wait = (claim_fetch_slot(source.pk, delay) - timezone.now()).total_seconds()
    if wait > 0:
        time.sleep(wait)
    return True


def poll_feed(feed_id: int, slot: datetime | None = None) -> dict:
    """Fetch one feed (conditional GET), enqueue its new entries, schedule the next check.

    A feed request takes its outlet's fetch slot like an article fetch (see the module
    docstring): polls and article fetches of one outlet from any number of workers together keep
    one HOST_DELAY apart. A poll whose slot is later goes back to the queue for it (`slot`)."""
    from vnnews.news import tasks

    feed = Feed.objects.select_related("source").filter(pk=feed_id).first()
    if feed is None or not feed.enabled or not feed.source.enabled:
        return {"feed": feed_id, "skipped": True}
    source = feed.source
    later = _wait_for_slot(source, slot)
    if later is not None:
        # Still claimed by this poll: the scheduler must not queue a second one meanwhile.
        lease = timedelta(seconds=int(settings.TASK_LEASE_SECONDS))
        Feed.objects.filter(pk=feed.pk).update(next_check_at=later + lease)
        tasks.poll_feed.using(run_after=later, priority=POLL_PRIORITY).enqueue(
            feed_id=feed_id, slot=later.isoformat()
        )
        log.debug(
            "source=%s url=%s event=poll_waits_for_slot at=%s", source.domain, feed.url, later
        )
        return {"feed": feed_id, "waiting_until": later.isoformat()}
    now = timezone.now()
    interval = feed.interval_seconds or int(settings.FEED_INTERVAL)
    try:
        result, parsed = _read_feed(feed, fetcher(), feed.etag, feed.last_modified)
    except RateLimited as exc:
        wait = exc.retry_after or backoff_delay(feed.error_count + 1, base=interval)
        Feed.objects.filter(pk=feed.pk).update(
            last_checked_at=now, next_check_at=now + timedelta(seconds=wait), last_error=str(exc)
        )
        log.info("source=%s url=%s event=rate_limited wait=%.0f", source.domain, feed.url, wait)
        return {"feed": feed_id, "error": str(exc)}
    except (FetchError, FeedError) as exc:
        record_failure(source, str(exc), feed)
        wait = backoff_delay(feed.error_count + 1, base=interval, cap=24 * 3600)
        Feed.objects.filter(pk=feed.pk).update(
            last_checked_at=now, next_check_at=now + timedelta(seconds=wait)
        )
        log.warning("source=%s url=%s event=feed_failed reason=%s", source.domain, feed.url, exc)
        return {"feed": feed_id, "error": str(exc)}
    record_success(source, feed)
    update = {"last_checked_at": now, "next_check_at": now + timedelta(seconds=interval)}
    if parsed is None:
        Feed.objects.filter(pk=feed.pk).update(**update)
        log.info("source=%s url=%s event=feed_not_modified", source.domain, feed.url)
        return {"feed": feed_id, "not_modified": True, "enqueued": 0}
    enqueued, truncated = enqueue_entries(source, feed, parsed.entries)
    if truncated:
        # Keep the old validators so the next poll reads the feed in full, and come back soon.
        update["next_check_at"] = now + timedelta(seconds=min(interval, 60))
    else:
        update["etag"] = result.etag[:500]
        update["last_modified"] = result.last_modified[:100]
    for warning in parsed.warnings:
        log.info("source=%s url=%s event=feed_warning warning=%s", source.domain, feed.url, warning)
    Feed.objects.filter(pk=feed.pk).update(**update)
    log.info(
        "source=%s url=%s event=feed_polled entries=%d enqueued=%d",
        source.domain, feed.url, len(parsed.entries), enqueued,
    )  # fmt: skip
    return {"feed": feed_id, "entries": len(parsed.entries), "enqueued": enqueued}


def fetch_article(
    url: str,
    source_id: int,
    feed_id: int | None = None,
    attempt: int = 1,
    section: str = "",
    resumed_since: datetime | None = None,
    slot: datetime | None = None,
    **_: object,
) -> dict:
    """Fetch one article page and hand it to the store (archive -> extract -> normalise ->
    sanitise -> store). Failures are recorded (ImportRecord with stage "fetch", and on the
    Source); a retryable one is tried again later, at most ARTICLE_ATTEMPTS times.

    `resumed_since` (the task's enqueue time) is given when the task runs again after its worker
    died: if that worker had already committed the page, the result is reused as it stands.
    `slot` is the outlet fetch slot an earlier run of the task claimed and re-queued it for."""
    from vnnews.news.store import failed_record, ingest_page

    source = Source.objects.filter(pk=source_id).first()
    if source is None or not source.enabled:
        # Disabled while this task waited: leave the page alone (the operator said so).
        return {"url": url, "skipped": "source disabled or gone"}
    feed = Feed(pk=feed_id) if feed_id else None  # only its id is needed (for retries)
    batch = "live-" + timezone.now().strftime("%Y%m%d")
    origin = origin_for(source)
    if resumed_since is not None:
        done = _finished_earlier(origin, url, resumed_since)
        if done is not None:
            _after_store(done, section, url, source)
            log.info(
                "source=%s url=%s event=task_resumed outcome=%s", source.domain, url, done.outcome
            )
            return {"url": url, "outcome": done.outcome, "article": done.article_id}
    later = _wait_for_slot(source, slot)
    if later is not None:
        _requeue_for_slot(url, source, feed, attempt, section, later)
        return {"url": url, "waiting_until": later.isoformat()}
    try:
        result = fetcher().fetch(url, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
    except FetchError as exc:
        limited = isinstance(exc, RateLimited)
        # Being told to wait is not the page's fault: more patience, and no failure counted.
        if exc.retryable and attempt < ARTICLE_ATTEMPTS * (4 if limited else 1):
            wait = getattr(exc, "retry_after", None) or backoff_delay(attempt, base=30)
            _retry_article(url, source, feed, attempt + 1, wait, section)
        elif limited:
            failed_record(
                batch=batch, origin=origin, item_key=url, url=url, stage="fetch", reason=str(exc)
            )
        if not limited:
            record_failure(source, str(exc))
            failed_record(
                batch=batch, origin=origin, item_key=url, url=url, stage="fetch", reason=str(exc)
            )
        log.warning("source=%s url=%s event=fetch_failed reason=%s", source.domain, url, exc.reason)
        return {"url": url, "error": str(exc)}
    record_success(source)
    with _article_saves_without_version_bump():
        record = ingest_page(
            result.url,
            result.body,
            headers=result.headers,
            fetched_at=result.fetched_at,
            declared_encoding=result.charset,
            source=source,
            batch=batch,
            origin=origin,
            item_key=url,
            memo=section_memo(),
            group_later=True,
        )
    if record.outcome == ImportRecord.Outcome.FAILED and record.stage == "store":
        # One cause: a section deleted meanwhile in the admin (another process, so no signal
        # here) that this worker's memo still holds; the next article asks the database again.
        forget_sections()
    _after_store(record, section, result.url, source)  # bumps the content version soon
    log.info(
        "source=%s url=%s event=article_%s stage=%s",
        source.domain, url, record.outcome, record.stage or "-",
    )  # fmt: skip
    return {"url": url, "outcome": record.outcome, "article": record.article_id}


def _finished_earlier(origin: str, url: str, since: datetime) -> ImportRecord | None:
    """The record this task's earlier run wrote, if it got that far. Only one fetch task per
    address is pending at a time (enqueue_entries), so a record of this origin and address newer
    than the task's enqueue time is that run's: article and record are committed together."""
    records = ImportRecord.objects.filter(origin=origin[:1000], item_key=url[:2000])
    return records.filter(created_at__gte=since).first()


@contextmanager
def _article_saves_without_version_bump() -> Iterator[None]:
    """The store's Article save without its content-version bump (a file rename in the shared
    cache, made inside the store's transaction, i.e. while holding SQLite's write lock): the
    steps after the store bump it once, soon (_after_store, bump_soon). The receiver is
    process-wide; a db_worker process runs one task at a time, so no other save misses it."""
    from vnnews.news.bulk import VERSION_UIDS

    muted = post_save.disconnect(sender=Article, dispatch_uid=VERSION_UIDS[Article])
    try:
        yield
    finally:
        if muted:
            from vnnews.api import content_version

            content_version.connect()


def _after_store(record: ImportRecord, section: str, url: str, source: Source) -> None:
    """The steps after the store's transaction; each is safe to run again on a resumed task.
    They work on the record's own Article (the instance the store saved) instead of reading
    the row again (the search index reads only its copy status and version stamp: see
    search.index_article), and bump the content version (soon) when the article changed. A new or
    changed article is already in line for story grouping (the store put it there, see
    news/story_grouper.py): grouped here when no grouper process holds the line."""
    if not record.article_id:
        return
    article = record.article
    article.source = source
    mapped = bool(section) and _section_from_feed(article, section, source)
    if mapped:
        from vnnews.news.search import index_article

        index_article(article)  # the section is part of the search index entry
    if record.outcome in {"created", "updated"}:
        _group_story(url, source)
    if mapped or record.outcome in {"created", "updated"}:
        bump_soon()


def _group_story(url: str, source: Source) -> None:
    """Near-duplicate and story layers (design rule 7) for a freshly stored article, which the
    store put in line (group_later): grouped here if no grouper holds the line. A failure here
    (the database's) leaves the article stored, shown and in line for the next grouping: it is
    logged, not raised."""
    from vnnews.news import story_grouper

    try:
        story_grouper.group_if_free()
    except Exception:  # the article stays in line (a failing one is logged by the grouping)
        log.exception(
            "source=%s url=%s stage=stories event=grouping_interrupted", source.domain, url
        )


# A worker storing articles back to back bumps the content version at most this often: each bump
# is a read, a write and a rename in the shared file cache (~8% of a worker's time when done per
# article), and readers look at the version once a second anyway.
BUMP_DELAY_SECONDS = 0.5
_bump_lock = threading.Lock()
_bump_timer: threading.Timer | None = None


def bump_soon() -> None:
    """Bump the content version within BUMP_DELAY_SECONDS, once for every article stored in
    between. The timer thread is not a daemon: a worker stopped by SIGTERM still bumps before it
    exits. A SIGKILL in that half second loses the bump; the articles stay stored and show from
    the next bump by any process, or when the cached pages expire."""
    from vnnews.news.bulk import bump_content_version

    global _bump_timer
    if BUMP_DELAY_SECONDS <= 0:
        bump_content_version()
        return
    with _bump_lock:
        if _bump_timer is None:
            _bump_timer = threading.Timer(BUMP_DELAY_SECONDS, _bump_now)
            _bump_timer.start()


def _bump_now() -> None:
    from vnnews.news.bulk import bump_content_version

    global _bump_timer
    with _bump_lock:
        _bump_timer = None
    try:
        bump_content_version()
    except Exception:  # a full disk must not kill the timer thread noisily
        log.exception("event=content_version_bump_failed")


def _section_from_feed(article: Article, section: str, source: Source) -> bool:
    """The page did not say its section but the feed did (a section feed, or an RSS category):
    map the outlet's name onto ours. True when the article got a section this way."""
    from vnnews.news.sections import resolve_section

    if article.section_id is not None:
        return False
    mapped = resolve_section([section], "", source, section_memo())
    if mapped is None:
        return False
    updated = Article.objects.filter(pk=article.pk, section__isnull=True).update(section=mapped)
    article.section = mapped
    return bool(updated)


def _retry_article(
    url: str, source: Source, feed: Feed | None, attempt: int, wait: float, section: str = ""
) -> None:
    _fetch_again(url, source, feed, attempt, section, timezone.now() + timedelta(seconds=wait))


def _requeue_for_slot(
    url: str, source: Source, feed: Feed | None, attempt: int, section: str, slot: datetime
) -> None:
    """The same fetch again at `slot`, which stays claimed for it (not a retry: same attempt)."""
    _fetch_again(url, source, feed, attempt, section, slot, slot=slot.isoformat())
    log.debug("source=%s url=%s event=fetch_waits_for_slot at=%s", source.domain, url, slot)


def _fetch_again(
    url: str,
    source: Source,
    feed: Feed | None,
    attempt: int,
    section: str,
    run_after: datetime,
    **extra: str,
) -> None:
    from vnnews.news import tasks

    tasks.fetch_article.using(run_after=run_after).enqueue(
        url=url,
        source_id=source.pk,
        feed_id=feed.pk if feed else None,
        section=section,
        attempt=attempt,
        **extra,
    )


# -- scheduling ------------------------------------------------------------------------------


def schedule_due_feeds(now: datetime | None = None, limit: int = 500) -> int:
    """Enqueue a poll task for every enabled feed whose next_check_at has passed. A feed is
    claimed by moving its next_check_at forward in one conditional UPDATE, so two schedulers
    (or a slow poll) never enqueue it twice."""
    from vnnews.news import tasks

    now = now or timezone.now()
    if queue_depth() >= int(settings.QUEUE_MAX_BACKLOG):
        log.info("event=scheduler_backlog_full depth=%d", queue_depth())
        return 0
    lease = timedelta(seconds=int(settings.TASK_LEASE_SECONDS))
    due = list(
        Feed.objects.filter(enabled=True, source__enabled=True, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for pk in due:
        with transaction.atomic():
            claimed = Feed.objects.filter(pk=pk, next_check_at__lte=now).update(
                next_check_at=now + lease
            )
            if claimed:
                tasks.poll_feed.using(priority=POLL_PRIORITY).enqueue(feed_id=pk)
                count += 1
    return count


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()
