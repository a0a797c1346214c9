"""Two worker processes share one backlog on PostgreSQL: every article is processed exactly
once, also when one worker is killed (SIGKILL) in the middle of a task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F

from tests.fixture_web import FixtureWeb
from tests.processes import process_env, session_database_url
from vnnews.news import ingest_live
from vnnews.news.models import Article, Feed, ImportRecord, Source

pytestmark = pytest.mark.slow

OUTLETS = 4
PER_OUTLET = 25
AN_HOUR = timedelta(hours=1)


@pytest.fixture
def postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (SKIP LOCKED claims shared by separate worker processes): "
            "run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
        )


def worker_env(tmp_path, database: str) -> dict:
    # A read timeout past the fixture's 60 s hold: a worker held inside a fetch (kill_inside_a_fetch)
    # never gives up and asks again, which would count as a second held request.
    return process_env(
        tmp_path, database, VNNEWS_FETCH_ALLOW_HOSTS="127.0.0.1", VNNEWS_HOST_DELAY="0",
        VNNEWS_FETCH_TIMEOUT="120",
    )  # fmt: skip


def start_worker(name: str, tmp_path, database: str | None = None) -> subprocess.Popen:
    env = worker_env(tmp_path, session_database_url() if database is None else database)
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


def kill_inside_a_fetch(web: FixtureWeb, victim: subprocess.Popen, running_tasks) -> list:
    """Hold every article request, wait until both workers sit in one, kill the victim there.

    Returns the victim's tasks still RUNNING after its death. A worker runs one task at a time,
    so with two requests held each worker is inside a fetch: the kill cannot race a task's end.
    """
    for outlet in web.outlets:
        outlet.pages_open.clear()
    try:
        wait_for(
            lambda: sum(outlet.held for outlet in web.outlets) >= 2 and running_tasks(),
            60,
            "both workers to wait inside a fetch",
        )
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        return list(running_tasks())
    finally:
        for outlet in web.outlets:
            outlet.pages_open.set()


def test_two_workers_process_every_article_exactly_once_even_when_one_is_killed(
    postgres_only, settings, tmp_path
):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.FETCH_ALLOW_HOSTS = ["127.0.0.1"]
    settings.HOST_DELAY = 0.0
    settings.ARCHIVE_DIR = tmp_path / "archive"
    ingest_live.reset_fetcher()
    with FixtureWeb(outlets=OUTLETS, articles=PER_OUTLET) as web:
        for outlet in web.outlets:
            domain = outlet.base.split("//", 1)[1]
            source = Source.objects.create(domain=domain, name=outlet.name)
            feed = Feed.objects.create(source=source, url=outlet.base + "/rss/home.rss")
            ingest_live.poll_feed(feed.pk)
        total = OUTLETS * PER_OUTLET
        assert ingest_live.queue_depth() == total

        workers = {name: start_worker(name, tmp_path) for name in ("w1", "w2")}
        try:
            wait_for(lambda: Article.objects.count() >= total // 4, 120, "the workers to start")
            orphaned = kill_inside_a_fetch(
                web,
                workers["w1"],
                lambda: DBTaskResult.objects.filter(
                    status=TaskResultStatus.RUNNING, worker_ids__contains=["w1"]
                ).values_list("id", flat=True),
            )
            assert len(orphaned) == 1, "the kill should leave w1's one task RUNNING"
            # Rather than wait out a short lease (and risk reaping w2's running task too): the
            # orphan is made an hour old, and only a task that old is reaped.
            DBTaskResult.objects.filter(id__in=orphaned).update(
                started_at=F("started_at") - AN_HOUR
            )
            assert ingest_live.reap_stale_tasks(lease_seconds=600) == len(orphaned)

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
        outcomes = list(records.values_list("outcome", "url", "stage", "reason"))
        # The task w1 died in is run again by w2: one 'created' record per article, no more.
        # (A rerun after the dead worker had committed is test_ingest_live's story.)
        assert records.filter(outcome="created").count() == total, [
            o for o in outcomes if o[0] != "created"
        ]
        assert records.count() == total
        tasks = DBTaskResult.objects.all()
        assert tasks.filter(status=TaskResultStatus.SUCCESSFUL).count() == total
        # Each page was fetched once, the one w1 died waiting for twice.
        hits = [outlet.hits.get(a.path, 0) for outlet in web.outlets for a in outlet.articles]
        assert (hits.count(1), hits.count(2)) == (total - 1, 1)
        rerun = tasks.filter(worker_ids__contains=["w1", "w2"])
        assert set(str(pk) for pk in rerun.values_list("id", flat=True)) == set(map(str, orphaned))
        both = {w for ids in tasks.values_list("worker_ids", flat=True) for w in ids}
        assert both == {"w1", "w2"}  # the backlog really was shared


SQLITE_SETUP = """
from tests.fixture_web import FixtureWeb
from vnnews.news import ingest_live
from vnnews.news.models import Feed, Source
import json, sys
for base in json.loads(sys.argv[1]):
    source = Source.objects.create(domain=base.split("//", 1)[1], name=base)
    feed = Feed.objects.create(source=source, url=base + "/rss/home.rss")
    ingest_live.poll_feed(feed.pk)
"""


SQLITE_REAP = """
import sys
from datetime import timedelta
from django.db.models import F
from django_tasks_db.models import DBTaskResult
from vnnews.news import ingest_live
hour = timedelta(hours=1)
DBTaskResult.objects.filter(id__in=sys.argv[1:]).update(started_at=F("started_at") - hour)
print(ingest_live.reap_stale_tasks(lease_seconds=600))
"""


def test_on_sqlite_two_workers_share_the_backlog_and_a_killed_one_loses_nothing(tmp_path):
    """The embedded default: claims happen inside an EXCLUSIVE transaction (SQLite has no row
    locks, so FOR UPDATE is a no-op there and the whole database is the lock)."""
    import json
    import sqlite3

    from django_tasks_db.models import DBTaskResult

    TASKS = DBTaskResult._meta.db_table  # noqa: N806
    env = worker_env(tmp_path, "")
    python = [sys.executable, "-c"]
    boot = "import django; django.setup()\n"
    with FixtureWeb(outlets=2, articles=20) as web:
        subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, check=True)
        bases = json.dumps([o.base for o in web.outlets])
        subprocess.run([*python, boot + SQLITE_SETUP, bases], env=env, check=True, cwd=os.getcwd())
        db_path = tmp_path / "vnnews.sqlite3"

        def query(sql: str, *params):
            with sqlite3.connect(db_path, timeout=30) as db:
                return db.execute(sql, params).fetchall()

        total = 40
        assert query(f"SELECT count(*) FROM {TASKS} WHERE status='READY'")[0][0] == total
        workers = {name: start_worker(name, tmp_path, "") for name in ("w1", "w2")}
        running_w1 = f"SELECT id FROM {TASKS} WHERE status='RUNNING' AND worker_ids LIKE '%\"w1\"%'"
        try:
            wait_for(
                lambda: query("SELECT count(*) FROM news_article")[0][0] >= 10,
                120,
                "the workers to start",
            )
            orphaned = kill_inside_a_fetch(web, workers["w1"], lambda: query(running_w1))
            assert len(orphaned) == 1, "the kill should leave w1's one task RUNNING"
            # As on PostgreSQL: the orphan is made an hour old, then reaped with a long lease.
            ids = [str(task_id) for (task_id,) in orphaned]
            out = subprocess.run([*python, boot + SQLITE_REAP, *ids], env=env, check=True,
                                 capture_output=True, text=True)  # fmt: skip
            assert int(out.stdout.strip()) == len(orphaned)
            pending = f"SELECT count(*) FROM {TASKS} WHERE status IN ('READY','RUNNING')"
            wait_for(lambda: query(pending)[0][0] == 0, 180, "the backlog to drain")
        finally:
            for process in workers.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(20)
        expected = {url for outlet in web.outlets for url in outlet.article_urls()}
        assert {row[0] for row in query("SELECT url FROM news_article")} == expected
        outcomes = dict(query("SELECT outcome, count(*) FROM news_importrecord GROUP BY outcome"))
        assert outcomes == {"created": total}
        hits = [outlet.hits.get(a.path, 0) for outlet in web.outlets for a in outlet.articles]
        assert (hits.count(1), hits.count(2)) == (total - 1, 1)
        workers_seen = {
            w for (ids,) in query(f"SELECT worker_ids FROM {TASKS}") for w in json.loads(ids)
        }
        assert workers_seen == {"w1", "w2"}


def test_the_pool_runs_its_workers_five_steps_below_itself_and_its_grouper_beside_it(
    monkeypatch,
):
    from vnnews.news.management.commands.worker import WORKER_NICENESS, WorkerPool

    pool = WorkerPool(1)
    monkeypatch.setattr(pool, "_argv", lambda index: ["sleep", "30"])
    pool.start()
    try:
        worker, grouper = pool.children
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == min(19, mine + WORKER_NICENESS)
        assert os.getpriority(os.PRIO_PROCESS, grouper.pid) == mine
    finally:
        for child in pool.children:
            child.kill()
            child.wait()
