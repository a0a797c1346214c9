"""Two worker processes share one backlog on PostgreSQL: every article is processed exactly
once, also when one worker is killed (SIGKILL) in the middle of a task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from tests.fixture_web import FixtureWeb
from vnnews.news import ingest_live
from vnnews.news.models import Article, Feed, ImportRecord, Source

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OUTLETS = 4
PER_OUTLET = 25


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (SKIP LOCKED claims shared by separate worker processes): "
            "run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
        )


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(name: str, tmp_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vnnews.site.settings",
        "DATABASE_URL": database_url(),
        "VNNEWS_DATA_DIR": str(tmp_path),
        "VNNEWS_FETCH_ALLOW_HOSTS": "127.0.0.1",
        "VNNEWS_HOST_DELAY": "0",
        "VNNEWS_LOG_LEVEL": "WARNING",
    }
    argv = [sys.executable, "-m", "django", "db_worker", "--no-reload", "--no-startup-delay",
            "--interval", "0.1", "--worker-id", name, "--verbosity", "0"]  # fmt: skip
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_workers_process_every_article_exactly_once_even_when_one_is_killed(settings, tmp_path):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.FETCH_ALLOW_HOSTS = ["127.0.0.1"]
    settings.HOST_DELAY = 0.0
    settings.ARCHIVE_DIR = tmp_path / "archive"
    ingest_live.reset_fetcher()
    with FixtureWeb(outlets=OUTLETS, articles=PER_OUTLET) as web:
        for outlet in web.outlets:
            outlet.page_delay = 0.03  # long enough for the kill to land inside a task
            domain = outlet.base.split("//", 1)[1]
            source = Source.objects.create(domain=domain, name=outlet.name)
            feed = Feed.objects.create(source=source, url=outlet.base + "/rss/home.rss")
            ingest_live.poll_feed(feed.pk)
        total = OUTLETS * PER_OUTLET
        assert ingest_live.queue_depth() == total

        workers = {name: start_worker(name, tmp_path) for name in ("w1", "w2")}
        try:
            victim = workers["w1"]

            def w1_is_mid_task() -> bool:
                return (
                    DBTaskResult.objects.filter(
                        status=TaskResultStatus.RUNNING, worker_ids__contains=["w1"]
                    ).exists()
                    and Article.objects.count() >= total // 4
                )

            wait_for(w1_is_mid_task, 120, "worker w1 to be inside a task")
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            orphaned = list(
                DBTaskResult.objects.filter(
                    status=TaskResultStatus.RUNNING, worker_ids__contains=["w1"]
                ).values_list("id", flat=True)
            )
            assert orphaned, "the kill should leave w1's task RUNNING"
            # A lease of 3 s: w2's own tasks finish in well under that, so only w1's is reaped.
            time.sleep(3.5)
            assert ingest_live.reap_stale_tasks(lease_seconds=3) == len(orphaned)

            def all_done() -> bool:
                return not DBTaskResult.objects.filter(
                    status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
                ).exists()

            wait_for(all_done, 180, "the backlog to drain")
        finally:
            for process in workers.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(20)

        expected = {url for outlet in web.outlets for url in outlet.article_urls()}
        assert set(Article.objects.values_list("url", flat=True)) == expected
        records = ImportRecord.objects.filter(origin__startswith="live:")
        assert records.count() == total
        assert set(records.values_list("outcome", flat=True)) == {"created"}
        tasks = DBTaskResult.objects.all()
        assert tasks.filter(status=TaskResultStatus.SUCCESSFUL).count() == total
        # Each page was fetched once; only the task w1 died in may have been fetched twice.
        hits = [outlet.hits.get(a.path, 0) for outlet in web.outlets for a in outlet.articles]
        assert sorted(set(hits)) in ([1], [1, 2])
        assert hits.count(2) <= len(orphaned)
        rerun = tasks.filter(worker_ids__contains=["w1", "w2"])
        assert set(str(pk) for pk in rerun.values_list("id", flat=True)) == set(map(str, orphaned))
        both = {w for ids in tasks.values_list("worker_ids", flat=True) for w in ids}
        assert both == {"w1", "w2"}  # the backlog really was shared
