"""Background tasks (Django's `django.tasks` API; django_tasks_db runs them from the database).

Arguments are plain JSON values (ids and URLs), never model instances, so a task can be retried
by any worker on any machine."""

from __future__ import annotations

from datetime import datetime

from django.tasks import TaskContext, task

from vnnews.news import ingest_live


@task(priority=ingest_live.POLL_PRIORITY)
def poll_feed(feed_id: int, slot: str = "") -> dict:
    return ingest_live.poll_feed(feed_id, slot=datetime.fromisoformat(slot) if slot else None)


@task(takes_context=True)
def fetch_article(
    context: TaskContext,
    url: str,
    source_id: int,
    feed_id: int | None = None,
    section: str = "",
    title: str = "",
    attempt: int = 1,
    slot: str = "",
) -> dict:
    # A task run again after its worker died (reaped, see ingest_live.reap_stale_tasks) may find
    # its work already committed: it must then not fetch and store the page a second time.
    resumed_since = context.task_result.enqueued_at if context.attempt > 1 else None
    return ingest_live.fetch_article(
        url,
        source_id,
        feed_id=feed_id,
        attempt=attempt,
        section=section,
        resumed_since=resumed_since,
        slot=datetime.fromisoformat(slot) if slot else None,
    )
