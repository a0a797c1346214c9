"""The real crawler end to end: fixture outlets on 127.0.0.1 -> feed polls -> article tasks ->
store, run by django_tasks_db's own worker loop."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.fixture_web import FixtureWeb
from vnnews.news import ingest_live
from vnnews.news.models import Article, Feed, ImportRecord, Source, Tombstone

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(settings, tmp_path, monkeypatch):
    # db_worker closes "old" connections between tasks; inside the test's transaction that
    # would close the test connection on PostgreSQL. The claim/run code is otherwise the real one.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.FETCH_ALLOW_HOSTS = ["127.0.0.1"]
    settings.HOST_DELAY = 0.0
    settings.FETCH_TIMEOUT = 2.0
    settings.ARCHIVE_DIR = tmp_path / "archive"
    settings.SOURCE_MAX_FAILURES = 3
    monkeypatch.setattr(ingest_live, "BUMP_DELAY_SECONDS", 0.0)  # bump at once, not on a timer
    ingest_live.reset_fetcher()
    yield settings
    ingest_live.reset_fetcher()


@pytest.fixture
def web():
    with FixtureWeb(outlets=3, articles=4) as fixture:
        yield fixture


def run_queue() -> None:
    # db_worker installs its own SIGTERM/SIGINT/SIGQUIT handlers in this (the test) process:
    # put the test run's back, or processes forked later by other tests (an import's pool)
    # inherit them and, when terminated, exit into a copy of the test run.
    signals = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
    saved = {number: signal.getsignal(number) for number in signals}
    try:
        call_command(
            "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
        )
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def register(outlet, path="/rss/home.rss", kind="rss", name=None) -> Feed:
    domain = outlet.base.split("//", 1)[1]
    source, _ = Source.objects.get_or_create(
        domain=domain, defaults={"name": name or outlet.name, "home_url": outlet.base + "/"}
    )
    return Feed.objects.create(source=source, url=outlet.base + path, kind=kind)


def crawl() -> None:
    ingest_live.schedule_due_feeds()
    run_queue()


def test_it_follows_three_outlets_into_the_database(live, web):
    for outlet in web.outlets:
        register(outlet)
    crawl()
    stored = set(Article.objects.values_list("url", flat=True))
    expected = {url for outlet in web.outlets for url in outlet.article_urls()}
    assert stored == expected
    windows = Article.objects.filter(url__in=web.outlets[2].article_urls())
    assert all("Bài số" in a.title for a in windows)  # windows-1258 pages decoded
    # Every crawled article went through the near-duplicate and story layers.
    assert not Article.objects.filter(story__isnull=True).exists()


def test_the_charset_of_the_response_header_reaches_the_extractor(live, web, monkeypatch):
    import vnnews.extract

    real, declared = vnnews.extract.extract, []

    def spy(page, url=None, options=None):
        declared.append(options.declared_encoding if options else None)
        return real(page, url=url, options=options)

    monkeypatch.setattr(vnnews.extract, "extract", spy)
    outlet = web.outlets[2]  # serves "text/html; charset=windows-1258"
    register(outlet)
    crawl()
    assert declared == ["windows-1258"] * len(outlet.articles)
    assert all("Bài số" in a.title for a in Article.objects.all())


def test_a_stored_article_bumps_the_content_version_once_and_saves_bump_it_again(
    live, web, monkeypatch
):
    from vnnews.api import content_version
    from vnnews.news.models import Story
    from vnnews.news.sections import load_sections

    outlet = web.outlets[0]
    register(outlet)
    load_sections()  # seeding the sections bumps the version once per section, once ever
    bumps = []
    real = content_version.bump
    monkeypatch.setattr(content_version, "bump", lambda: bumps.append(1) or real())
    crawl()
    assert Article.objects.count() == len(outlet.articles)
    # The store's save is muted; the story step bumps once for the article.
    assert len(bumps) == len(outlet.articles)
    bumps.clear()
    Story.objects.create(title="x")
    Article.objects.first().save()  # the receivers are connected again after the tasks
    assert len(bumps) == 2


def test_articles_stored_back_to_back_bump_the_content_version_once(live, monkeypatch):
    from vnnews.api import content_version

    bumps = []
    monkeypatch.setattr(content_version, "bump", lambda: bumps.append(1))
    monkeypatch.setattr(ingest_live, "BUMP_DELAY_SECONDS", 3600.0)
    for _ in range(5):
        ingest_live.bump_soon()
    timer = ingest_live._bump_timer
    assert timer is not None and not bumps  # one bump waiting for all five
    timer.cancel()
    ingest_live._bump_now()  # what the timer does when it fires
    assert bumps == [1] and ingest_live._bump_timer is None


def test_a_second_poll_fetches_only_what_is_new(live, web):
    outlet = web.outlets[0]
    feed = register(outlet)
    crawl()
    before = outlet.hits.copy()
    (new,) = outlet.publish(1)
    Feed.objects.filter(pk=feed.pk).update(next_check_at=timezone.now())
    crawl()
    fetched_again = [
        p for p in outlet.hits if p.endswith(".html") and outlet.hits[p] > before.get(p, 0)
    ]
    assert fetched_again == [new.path]
    assert Article.objects.count() == 5


def test_an_unchanged_feed_answers_304_and_enqueues_nothing(live, web):
    feed = register(web.outlets[0])
    crawl()
    Feed.objects.filter(pk=feed.pk).update(next_check_at=timezone.now())
    assert ingest_live.poll_feed(feed.pk) == {"feed": feed.pk, "not_modified": True, "enqueued": 0}
    feed.refresh_from_db()
    assert feed.etag and feed.next_check_at > timezone.now()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/atom.xml", "rss"),
        ("/sitemap.xml", "sitemap"),
        ("/news-sitemap.xml", "news_sitemap"),
        ("/misbehave/feed-is-html", "rss"),
    ],
)
def test_every_kind_of_feed_leads_to_the_articles(live, web, path, kind):
    outlet = web.outlets[0]
    register(outlet, path, kind)
    crawl()
    stored = set(Article.objects.values_list("url", flat=True))
    if path == "/misbehave/feed-is-html":
        # The "feed" is the Thời sự section page: only its articles are linked there.
        expected = {outlet.base + a.path for a in outlet.articles if a.section == "thoi-su"}
    else:
        expected = set(outlet.article_urls())
    assert stored == expected and expected


def test_known_and_deleted_articles_are_not_fetched_again(live, web):
    outlet = web.outlets[0]
    deleted = outlet.article_urls()[0]
    Tombstone.objects.create(url=deleted, reason="gỡ theo yêu cầu")
    register(outlet)
    crawl()
    assert deleted not in set(Article.objects.values_list("url", flat=True))
    assert outlet.hits.get(outlet.articles[0].path) is None


def test_an_article_whose_page_changed_is_updated(live, web):
    outlet = web.outlets[0]
    register(outlet)
    crawl()
    article = outlet.articles[1]
    article.revision = 1
    url = outlet.base + article.path
    result = ingest_live.fetch_article(url, Source.objects.get().pk)
    assert result["outcome"] == "updated"
    stored = Article.objects.get(url=url)
    assert "Cập nhật lần 1" in stored.text and stored.change_count == 1


def test_a_task_run_again_after_its_worker_died_keeps_the_committed_result(live, web):
    """The worker stored the article, then died before marking its task done; the rerun (with
    the task's enqueue time) must neither fetch the page again nor overwrite 'created'."""
    outlet = web.outlets[0]
    source = register(outlet).source
    url = outlet.base + outlet.articles[0].path
    enqueued_at = timezone.now()
    first = ingest_live.fetch_article(url, source.pk)
    assert first["outcome"] == "created"
    rerun = ingest_live.fetch_article(url, source.pk, resumed_since=enqueued_at)
    assert rerun == first
    assert outlet.hits[outlet.articles[0].path] == 1
    assert list(ImportRecord.objects.values_list("outcome", flat=True)) == ["created"]
    # A rerun of a task that never got as far as the store does the work.
    other = outlet.base + outlet.articles[1].path
    assert ingest_live.fetch_article(other, source.pk, resumed_since=timezone.now())["outcome"] == (
        "created"
    )


def test_a_dead_feed_is_recorded_and_disabled_after_repeated_failures(live, web):
    feed = register(web.outlets[1], "/rss/khong-ton-tai.rss")
    for _ in range(3):
        Feed.objects.filter(pk=feed.pk).update(next_check_at=timezone.now())
        crawl()
    feed.refresh_from_db()
    source = feed.source
    source.refresh_from_db()
    assert "HTTP 404" in feed.last_error and not feed.enabled
    assert not source.enabled and "3 lỗi" in source.disabled_reason


def test_a_failing_article_is_recorded_with_its_reason(live, web):
    outlet = web.outlets[0]
    source = register(outlet).source
    url = outlet.base + "/misbehave/to-metadata"
    ingest_live.fetch_article(url, source.pk)
    record = ImportRecord.objects.get(item_key=url)
    assert record.outcome == "failed" and record.stage == "fetch"
    assert "169.254.169.254" in record.reason
    source.refresh_from_db()
    assert source.error_count == 1 and "169.254.169.254" in source.last_error


def test_a_rate_limited_feed_waits_as_long_as_it_was_told(live, web):
    feed = register(web.outlets[1], "/misbehave/429")
    ingest_live.poll_feed(feed.pk)
    feed.refresh_from_db()
    wait = (feed.next_check_at - timezone.now()).total_seconds()
    assert 100 < wait <= 120
    assert feed.source.error_count == 0  # being asked to wait is not a failure


def test_the_scheduler_enqueues_a_due_feed_only_once(live, web):
    register(web.outlets[0])
    assert ingest_live.schedule_due_feeds() == 1
    assert ingest_live.schedule_due_feeds() == 0
    assert ingest_live.queue_depth() == 1


def test_the_backlog_limit_bounds_the_queue_and_the_rest_comes_later(live, web):
    live.QUEUE_MAX_BACKLOG = 3
    outlet = web.outlets[0]
    feed = register(outlet)
    ingest_live.poll_feed(feed.pk)
    assert ingest_live.queue_depth() == 3
    feed.refresh_from_db()
    assert feed.etag == ""  # read in full next time
    run_queue()
    Feed.objects.filter(pk=feed.pk).update(next_check_at=timezone.now())
    crawl()
    assert Article.objects.count() == 4


def test_a_task_left_running_by_a_dead_worker_is_queued_again(live):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from vnnews.news import tasks

    result = tasks.poll_feed.enqueue(feed_id=999)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )
    assert ingest_live.reap_stale_tasks(lease_seconds=600) == 1
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    assert ingest_live.reap_stale_tasks(lease_seconds=600) == 0


def test_two_feeds_of_one_outlet_queue_its_pages_one_delay_apart(live):
    from django_tasks_db.models import DBTaskResult

    from vnnews.feeds import Entry

    live.HOST_DELAY = 2.0
    source = Source.objects.create(domain="tin.example", name="Tin")
    home = [Entry(url=f"https://tin.example/a-{n}.html") for n in range(3)]
    section = [Entry(url=f"https://tin.example/b-{n}.html") for n in range(3)]
    assert ingest_live.enqueue_entries(source, None, home) == (3, False)
    assert ingest_live.enqueue_entries(source, None, section) == (3, False)
    starts = sorted(
        row.run_after for row in DBTaskResult.objects.all() if row.run_after.year < 9999
    )
    # The first page of the home feed goes at once; every other one 2 s after the one before,
    # the section feed's after the home feed's (not at the same moments).
    assert len(starts) == 5
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False)]
    assert all(abs(gap - 2.0) < 0.5 for gap in gaps), gaps


def test_the_feed_section_fills_in_when_the_page_has_none(live):
    source = Source.objects.create(domain="tin.example", name="Tin")
    article = Article.objects.create(
        url="https://tin.example/a-12345.html", source=source, title="A", content_hash="x"
    )
    assert ingest_live._section_from_feed(article, "Kinh tế", source)
    article.refresh_from_db()
    assert article.section.slug == "kinh-doanh"
    assert not ingest_live._section_from_feed(article, "Thể thao", source)  # it has one now


def sectionless_outlet() -> Source:
    """The built-in sections, and an outlet whose pages say no section (the feed may)."""
    from vnnews.news.sections import load_sections

    load_sections()
    return Source.objects.create(domain="tin.example", name="Tin")


def unsectioned(source: Source, n: int) -> Article:
    url = f"https://{source.domain}/a-{n}.html"
    return Article.objects.create(url=url, source=source, title="A", content_hash=str(n))


def test_a_worker_remembers_its_section_lookups_until_the_sections_change(live):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vnnews.news.models import Section, SectionAlias

    source = sectionless_outlet()
    assert ingest_live._section_from_feed(unsectioned(source, 1), "Kinh tế", source)
    second = unsectioned(source, 2)
    with CaptureQueriesContext(connection) as queries:
        assert ingest_live._section_from_feed(second, "Kinh tế", source)
    # The next article of the worker costs its one UPDATE, no section lookups.
    assert [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")] == []
    assert second.section.slug == "kinh-doanh"

    # An alias added in the worker's own process is seen by the very next article.
    sport = Section.objects.get(slug="the-thao")
    SectionAlias.objects.create(name_key="kinh te", section=sport, source=source)
    third = unsectioned(source, 3)
    assert ingest_live._section_from_feed(third, "Kinh tế", source)
    assert third.section.slug == "the-thao"


def test_an_alias_added_in_another_process_reaches_the_worker_within_the_memo_time(live):
    """The admin runs in the web process: no signal reaches the workers, whose memo keeps
    their section lookups for up to SECTION_MEMO_SECONDS."""
    from vnnews.news.models import Section, SectionAlias

    source = sectionless_outlet()
    assert ingest_live._section_from_feed(unsectioned(source, 1), "Kinh tế", source)
    sport = Section.objects.get(slug="the-thao")
    # Written as another process's write is seen from here: no post_save in this process.
    SectionAlias.objects.bulk_create([SectionAlias(name_key="kinh te", section=sport)])
    remembered = unsectioned(source, 2)
    assert ingest_live._section_from_feed(remembered, "Kinh tế", source)
    assert remembered.section.slug == "kinh-doanh"  # "no custom alias" is still remembered

    ingest_live._section_memo_at -= ingest_live.SECTION_MEMO_SECONDS + 1  # as if it had passed
    later = unsectioned(source, 3)
    assert ingest_live._section_from_feed(later, "Kinh tế", source)
    assert later.section.slug == "the-thao"


def test_a_worker_asks_for_its_sections_again_after_a_store_failed(live, web, monkeypatch):
    """A section deleted in the admin (another process: no signal) is still in a worker's memo,
    and the articles mapped to it fail to store: the worker does not wait out the memo time."""
    from vnnews.news import store

    feed = register(web.outlets[0])
    forgotten = []  # calls by the worker itself (the signals hold the real function)
    monkeypatch.setattr(ingest_live, "forget_sections", lambda **kw: forgotten.append(kw))
    real = store.ingest_page

    def failing(*args, **kwargs):
        record = real(*args, **kwargs)
        record.outcome, record.stage, record.article_id = "failed", "store", None
        return record

    monkeypatch.setattr(store, "ingest_page", failing)
    ingest_live.fetch_article(web.outlets[0].article_urls()[0], feed.source_id)
    assert forgotten == [{}]  # asked afresh from the next article on


@pytest.mark.slow
def test_vnnews_run_follows_the_fixture_web_until_stopped(tmp_path, web):
    """The real command in its own process with its own SQLite file: migrate, scheduler, workers."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vnnews.site.settings",
        "VNNEWS_DATA_DIR": str(tmp_path),
        "VNNEWS_FETCH_ALLOW_HOSTS": "127.0.0.1",
        "VNNEWS_HOST_DELAY": "0",
        "VNNEWS_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    python = [sys.executable, "-m", "vnnews.cli"]
    subprocess.run([*python, "migrate", "-v0"], env=env, check=True)
    for outlet in web.outlets[:2]:
        subprocess.run([*python, "sources", "add", outlet.base, "--name", outlet.name, "--feed", outlet.base + "/rss/home.rss"],
                       env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    log = open(tmp_path / "run.log", "w")  # noqa: SIM115  (closed below)
    run = subprocess.Popen([*python, "run", "--no-web", "--workers", "1", "--tick", "0.5"], env=env,
                           stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip
    expected = {url for outlet in web.outlets[:2] for url in outlet.article_urls()}
    stored: set[str] = set()
    try:
        # Only a bound against a hang: the loop ends as soon as all is stored. The worker runs
        # niced, so on a loaded machine it may take many times its usual few seconds.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and stored != expected and run.poll() is None:
            time.sleep(0.5)
            with sqlite3.connect(tmp_path / "vnnews.sqlite3", timeout=20) as db:
                stored = {row[0] for row in db.execute("SELECT url FROM news_article")}
        crashed = run.poll()  # a crash is reported as one, not as a missing article
    finally:
        if run.poll() is None:
            run.send_signal(signal.SIGTERM)
        code = run.wait(30)
        log.close()
    assert crashed is None, (tmp_path / "run.log").read_text()[-2000:]
    assert stored == expected
    assert code == 0, (tmp_path / "run.log").read_text()[-2000:]


def test_articles_waiting_for_a_source_that_was_disabled_are_left_alone(live, web):
    outlet = web.outlets[0]
    feed = register(outlet)
    ingest_live.poll_feed(feed.pk)
    Source.objects.update(enabled=False, disabled_reason="tắt bằng tay")
    run_queue()
    assert Article.objects.count() == 0
    assert not any(path.endswith(".html") for path in outlet.hits)


def test_fetch_slots_of_one_outlet_are_taken_one_delay_apart(live):
    now = timezone.now()
    tin = Source.objects.create(domain="tin.example", name="Tin")
    bao = Source.objects.create(domain="bao.example", name="Báo")
    slots = [ingest_live.claim_fetch_slot(tin.pk, 2.0, now) for _ in range(3)]
    assert slots == [now, now + timedelta(seconds=2), now + timedelta(seconds=4)]
    # Another outlet keeps its own pace; an outlet idle for a while starts again from now.
    assert ingest_live.claim_fetch_slot(bao.pk, 2.0, now) == now
    later = now + timedelta(minutes=1)
    assert ingest_live.claim_fetch_slot(tin.pk, 2.0, later) == later


def test_overdue_fetches_of_one_outlet_take_turns_whatever_the_number_of_workers(
    live, web, monkeypatch
):
    """Tasks whose start times have all passed (workers behind) come due together; each claims
    the outlet's next slot, so only the first fetches now and the rest wait their turn in the
    queue, one host delay apart, without holding a worker."""
    from dataclasses import replace

    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from vnnews.news import tasks

    # A delay far longer than any task takes, however loaded the machine: the second and third
    # claims can never come due while the batch runs.
    live.HOST_DELAY = 60.0
    delay = timedelta(seconds=60)
    # As if every task ran in its own worker process: no in-process spacing between them, only
    # the slots shared through the database.
    options = ingest_live.fetch_options
    monkeypatch.setattr(ingest_live, "fetch_options", lambda: replace(options(), min_host_delay=0))
    ingest_live.reset_fetcher()
    # The slots the tasks really got: the times below follow from them, not from a clock read
    # before the worker started.
    claimed, claim = [], ingest_live.claim_fetch_slot

    def spy(*args, **kwargs):
        claimed.append(claim(*args, **kwargs))
        return claimed[-1]

    monkeypatch.setattr(ingest_live, "claim_fetch_slot", spy)
    feed = register(web.outlets[0])
    urls = web.outlets[0].article_urls()[:3]
    for url in urls:  # all due now, as after a backlog
        tasks.fetch_article.enqueue(url=url, source_id=feed.source_id, feed_id=feed.pk)
    started = timezone.now()
    run_queue()
    assert Article.objects.count() == 1
    first = claimed[0]
    assert started <= first <= timezone.now()  # the first task's slot was "now": it fetched
    assert claimed == [first, first + delay, first + 2 * delay]  # one delay apart
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("run_after")
    assert [w.args_kwargs["kwargs"]["url"] for w in waiting] == urls[1:]
    assert [w.run_after for w in waiting] == [first + delay, first + 2 * delay]
    # Their slots are kept for them.
    assert [w.args_kwargs["kwargs"]["slot"] for w in waiting] == [
        (first + delay).isoformat(),
        (first + 2 * delay).isoformat(),
    ]

    # Their turn comes: they fetch with the slot they hold, not a new one behind each other.
    live.HOST_DELAY = 600.0  # a fresh claim would now wait ten minutes: none is made
    ingest_live.reset_fetcher()
    for task in waiting:
        task.run_after = timezone.now()
        task.args_kwargs["kwargs"]["slot"] = timezone.now().isoformat()
        task.save(update_fields=["run_after", "args_kwargs"])
    run_queue()
    assert len(claimed) == 3  # no fresh claim
    assert set(Article.objects.values_list("url", flat=True)) == set(urls)
    created = ImportRecord.objects.filter(outcome="created").values_list("url", flat=True)
    assert sorted(created) == sorted(urls)


def test_a_feed_poll_waits_its_turn_behind_the_outlets_article_fetches(live, web, monkeypatch):
    """Feed requests share the outlet's pace with article fetches across workers: a poll that
    finds the outlet's slots taken goes back to the queue for its own slot, keeps the feed
    claimed meanwhile, and when its turn comes fetches the feed with that slot."""
    from dataclasses import replace

    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    live.HOST_DELAY = 3.0
    # As if in separate worker processes: only the slots shared through the database space them.
    options = ingest_live.fetch_options
    monkeypatch.setattr(ingest_live, "fetch_options", lambda: replace(options(), min_host_delay=0))
    feed = register(web.outlets[0])
    taken = timezone.now()
    ingest_live.claim_fetch_slot(feed.source_id, 3.0, taken)  # another worker's fetch, now
    outcome = ingest_live.poll_feed(feed.pk)
    assert "waiting_until" in outcome
    assert not any(path.endswith(".rss") for path in web.outlets[0].hits)  # not fetched yet
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.args_kwargs["kwargs"]["feed_id"] == feed.pk
    assert round((waiting.run_after - taken).total_seconds()) == 3
    feed.refresh_from_db()
    assert feed.next_check_at > waiting.run_after  # still claimed: no second poll is scheduled
    assert ingest_live.schedule_due_feeds() == 0

    waiting.run_after = timezone.now()  # its turn comes
    waiting.args_kwargs["kwargs"]["slot"] = waiting.run_after.isoformat()
    waiting.save(update_fields=["run_after", "args_kwargs"])
    live.HOST_DELAY = 600.0  # a fresh claim would wait ten minutes: the poll uses its own slot
    run_queue()
    assert any(path.endswith("home.rss") for path in web.outlets[0].hits)
    assert Article.objects.count() == 0  # the articles wait for their own slots, after it
    fetches = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert fetches.count() == len(web.outlets[0].article_urls())
    assert all(f.args_kwargs["kwargs"].get("url") for f in fetches)


def test_a_poll_reads_child_sitemaps_only_in_its_outlets_turn(live):
    live.HOST_DELAY = 1.0
    live.FETCH_TIMEOUT = 20.0  # as by default: a request may take far longer than a turn
    free = Source.objects.create(domain="bao.example", name="Báo")
    assert ingest_live._take_slot_now(free)  # the outlet is free: at once
    busy = Source.objects.create(domain="tin.example", name="Tin")
    start = timezone.now()
    for _ in range(3):  # three fetches of other workers: the next free turn is 3 s away
        ingest_live.claim_fetch_slot(busy.pk, 1.0, start)
    # More than a turn away (if well within a request's timeout): left for the next poll, not
    # waited for with a worker held...
    assert not ingest_live._take_slot_now(busy)
    # ...and without taking that slot from the article fetch that comes next.
    after = ingest_live.claim_fetch_slot(busy.pk, 1.0)
    assert 2.9 < (after - start).total_seconds() < 3.1
