"""Background tasks (Django's `django.tasks` API; django_tasks_db runs them from the database).

Arguments are plain JSON values (ids and URLs), never model instances, so a task can be retried
by any worker on any machine."""

from __future__ import annotations

from django.tasks import task

from vnnews.news import ingest_live


@task(priority=ingest_live.POLL_PRIORITY)
def poll_feed(feed_id: int) -> dict:
    return ingest_live.poll_feed(feed_id)


@task()
def fetch_article(
    url: str,
    source_id: int,
    feed_id: int | None = None,
    section: str = "",
    title: str = "",
    attempt: int = 1,
) -> dict:
    return ingest_live.fetch_article(
        url, source_id, feed_id=feed_id, attempt=attempt, section=section
    )
