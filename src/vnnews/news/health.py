"""Health of live ingestion: per-source figures (for `vnnews sources` and the admin) and the
/healthz endpoint (JSON: database reachable, queue depth, articles waiting for story grouping,
last feed poll)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Max, Q
from django.http import JsonResponse
from django.utils import timezone

from vnnews.news.models import Article, Feed, ImportRecord, Source


def start_of_today() -> datetime:
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def source_stats(sources=None) -> list[dict]:
    """One dict per source: health columns shown by `vnnews sources list` and the admin."""
    today = start_of_today()
    rows = (sources if sources is not None else Source.objects.all()).annotate(
        feeds_total=Count("feeds", distinct=True),
        feeds_enabled=Count("feeds", filter=Q(feeds__enabled=True), distinct=True),
        last_poll=Max("feeds__last_checked_at"),
    )
    articles_today = dict(
        Article.objects.filter(first_seen__gte=today)
        .values("source_id")
        .annotate(n=Count("id"))
        .values_list("source_id", "n")
    )
    failures = dict(
        ImportRecord.objects.filter(outcome=ImportRecord.Outcome.FAILED, origin__startswith="live:")
        .exclude(stage="fetch")
        .values("origin")
        .annotate(n=Count("id"))
        .values_list("origin", "n")
    )
    out = []
    for source in rows.order_by("name"):
        out.append(
            {
                "id": source.pk,
                "name": source.name,
                "domain": source.domain,
                "enabled": source.enabled,
                "disabled_reason": source.disabled_reason,
                "feeds_total": source.feeds_total,
                "feeds_enabled": source.feeds_enabled,
                "last_success_at": source.last_success_at,
                "last_error_at": source.last_error_at,
                "last_error": source.last_error,
                "error_count": source.error_count,
                "last_poll": source.last_poll,
                "articles_today": articles_today.get(source.pk, 0),
                "extraction_failures": failures.get(f"live:{source.domain}", 0),
            }
        )
    return out


def extraction_failures(source: Source) -> int:
    return (
        ImportRecord.objects.filter(
            origin=f"live:{source.domain}", outcome=ImportRecord.Outcome.FAILED
        )
        .exclude(stage="fetch")
        .count()
    )


def articles_today(source: Source) -> int:
    return Article.objects.filter(source=source, first_seen__gte=start_of_today()).count()


def healthz(request):
    """GET /healthz -> 200 with JSON when the database answers, 503 otherwise."""
    body: dict = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["db"] = "ok"
    except Exception as exc:  # any database failure means unhealthy, with its reason
        return JsonResponse({"status": "error", "db": f"{type(exc).__name__}: {exc}"}, status=503)
    try:
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        stale = timezone.now() - timedelta(hours=1)
        body["queue"] = {
            "ready": DBTaskResult.objects.ready().count(),
            "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
            "failed_last_hour": DBTaskResult.objects.filter(
                status=TaskResultStatus.FAILED, finished_at__gte=stale
            ).count(),
        }
    except Exception as exc:  # the task tables may not be migrated yet
        body["queue"] = {"error": f"{type(exc).__name__}: {exc}"}
    # Stored articles not yet grouped into stories (news/story_grouper.py): a line that only
    # grows means the grouper is stuck or falls behind.
    body["stories_waiting"] = Article.objects.filter(story_waiting=True).count()
    last_poll = Feed.objects.aggregate(last=Max("last_checked_at"))["last"]
    body["last_poll"] = last_poll.isoformat() if last_poll else None
    body["sources"] = {
        "enabled": Source.objects.filter(enabled=True).count(),
        "disabled": Source.objects.filter(enabled=False).count(),
    }
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response
