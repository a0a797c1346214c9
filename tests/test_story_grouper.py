"""Live ingestion groups stories in one process at a time (news/story_grouper.py): workers put
stored articles in line, the grouper that `vnnews run` and `vnnews worker` start groups them,
and a worker groups them itself when no grouper holds the line."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_article, mark_pending
from tests.processes import process_env
from tests.story_race_worker import assert_one_story_per_event
from tests.test_workers import wait_for
from vnnews.news import story_grouper
from vnnews.news.models import Article

SCRIPT = Path(__file__).parent / "grouper_worker.py"


def test_on_a_sqlite_file_one_grouper_groups_what_workers_stored_and_a_worker_takes_over(
    tmp_path,
):
    _one_grouper_and_a_worker_taking_over(process_env(tmp_path), lock_holders=None)


def test_on_postgresql_one_grouper_groups_what_workers_stored_and_a_worker_takes_over(
    postgres_url, tmp_path
):
    _one_grouper_and_a_worker_taking_over(
        process_env(tmp_path, postgres_url), lock_holders=grouper_lock_holders
    )


def grouper_lock_holders() -> list[int]:
    """Server processes holding the grouper's advisory lock. A killed client's server process
    lets it go only when it notices the connection is gone, a moment after the kill."""
    from django.db import connection

    key = story_grouper._PG_GROUPER_KEY  # a bigint key shows as its high and low 32 bits
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objid = %s AND objsubid = 1 AND granted AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())",
            [key >> 32, key & 0xFFFFFFFF],
        )
        return [pid for (pid,) in cursor.fetchall()]


def _one_grouper_and_a_worker_taking_over(env: dict, lock_holders) -> None:
    """A real grouper process groups three events a worker stored, in store order; while it
    lives, a worker leaves what it stores in line for it; once it is killed, the worker that
    stores an article groups it itself."""

    def run(*args: str):
        done = subprocess.run([sys.executable, str(SCRIPT), *args], env=env, capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout)

    pks = run("setup")  # three events, two articles each, stored and waiting
    grouper = subprocess.Popen(
        [sys.executable, "-m", "django", "group_stories", "--follow", "--idle", "0.05"], env=env
    )
    try:
        wait_for(lambda: run("waiting") == [], 60, "the grouper to group the waiting articles")
        copy_of = assert_one_story_per_event(run("report"), pks)
        flood, fuel, bridge = pks[0:2], pks[2:4], pks[4:6]
        assert copy_of[bridge[1]] == bridge[0]  # grouped in the order stored
        assert copy_of[flood[1]] is copy_of[fuel[1]] is None
        # While the grouper lives (frozen here, so it cannot take the article first), a worker
        # that stores an article leaves it in line for the grouper.
        grouper.send_signal(signal.SIGSTOP)
        paused = run("add", "Bão số 3 đổ bộ", "Bão số 3 đổ bộ vào Quảng Ninh chiều nay.")
        assert run("group-if-free") == 0
        assert run("waiting") == [paused]
        if lock_holders:
            assert len(lock_holders()) == 1  # the grouper's lock, as the wait below sees it
        grouper.send_signal(signal.SIGCONT)
        wait_for(lambda: run("waiting") == [], 60, "the grouper to take the new article")
    finally:
        grouper.send_signal(signal.SIGKILL)  # the lock goes with the process
        grouper.wait(20)
    if lock_holders:  # ... on PostgreSQL, once its server process has noticed
        wait_for(lambda: not lock_holders(), 30, "the killed grouper's lock to be let go")
    late = run("add", "Giá vàng tăng mạnh", "Giá vàng miếng tăng 1 triệu đồng mỗi lượng.")
    assert run("waiting") == [late]
    assert run("group-if-free") == 1  # no grouper: the worker that stored it groups it
    assert run("waiting") == []


def test_a_grouper_stopped_by_sigterm_exits_cleanly(tmp_path):
    env = process_env(tmp_path)
    subprocess.run([sys.executable, str(SCRIPT), "setup"], env=env, check=True, timeout=120,
                   capture_output=True)  # fmt: skip
    grouper = subprocess.Popen([sys.executable, "-m", "django", "group_stories", "--follow"],
                               env=env)  # fmt: skip
    try:
        waiting = [sys.executable, str(SCRIPT), "waiting"]
        wait_for(
            lambda: (
                subprocess.run(waiting, env=env, capture_output=True, text=True).stdout == "[]\n"
            ),
            60,
            "the grouper to group the waiting articles",
        )
        grouper.send_signal(signal.SIGTERM)
        assert grouper.wait(20) == 0
    finally:
        if grouper.poll() is None:
            grouper.kill()


def test_an_article_whose_grouping_fails_leaves_the_line_and_the_rest_are_grouped(
    db, monkeypatch, caplog
):
    from vnnews.news import stories_sync

    good, bad, last = (make_article(f"Tin {n}", text=f"Nội dung tin {n}.") for n in range(3))
    for article in (good, bad, last):
        mark_pending(article.pk)
    assign = stories_sync.assign_story

    def assign_or_fail(article, *args, **kwargs):
        if article.pk == bad.pk:
            raise RuntimeError("hỏng")
        return assign(article, *args, **kwargs)

    monkeypatch.setattr(stories_sync, "assign_story", assign_or_fail)
    with caplog.at_level(logging.ERROR, logger="vnnews.stories"):
        assert story_grouper.group_pending(bump=False) == 2  # grouped: the other two
    assert story_grouper.pending_ids() == []  # out of line, not retried forever
    rows = dict(Article.objects.values_list("pk", "story_id"))
    assert rows[good.pk] and rows[last.pk] and rows[bad.pk] is None
    assert bad.url in caplog.text and "assign_failed" in caplog.text


def test_an_article_met_by_a_database_error_stays_in_line_until_its_third_in_a_row(db, monkeypatch):
    from django.db import OperationalError

    from vnnews.news import stories_sync

    article = make_article("Tin chờ", text="Nội dung tin chờ.")
    mark_pending(article.pk)

    def locked(article, *args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(stories_sync, "assign_story", locked)
    for _ in range(story_grouper.DB_ERROR_TRIES - 1):
        with pytest.raises(OperationalError):
            story_grouper.group_pending(bump=False)
        assert story_grouper.pending_ids() == [article.pk]  # grouped by a later try
    # The same error every time is the article's, not a passing lock: it no longer holds the line.
    assert story_grouper.group_pending(bump=False) == 0
    assert story_grouper.pending_ids() == []


def test_waiting_does_not_lower_the_assignment_numbers_other_processes_read_past(db):
    from vnnews.news.stories_sync import assign_story
    from vnnews.news.story_candidates import last_assignment

    first, last = (make_article(f"Tin {n}", text=f"Nội dung riêng {n}.") for n in range(2))
    assign_story(first, bump=False)
    assign_story(last, bump=False)
    latest = last_assignment()
    mark_pending(last.pk)  # the newest assignment's article changed
    assert last_assignment() == latest  # the next one is numbered after it, as readers expect


def test_an_article_changed_while_it_is_grouped_stays_in_line_for_its_new_version(db, monkeypatch):
    from vnnews.news import stories_sync

    article = make_article("Bản đầu", text="Nội dung bản đầu.")
    mark_pending(article.pk)
    assign = stories_sync.assign_story

    grouped = []

    def stored_again_meanwhile(chosen, *args, **kwargs):
        grouped.append(chosen.text)
        if len(grouped) == 1:
            # A worker stores a new version of the page (and puts it in line) while the story
            # of this one is chosen: what the grouper read is no longer the article.
            Article.objects.filter(pk=chosen.pk).update(text="Nội dung bản hai.", change_count=1)
            mark_pending(chosen.pk)
        return assign(chosen, *args, **kwargs)

    monkeypatch.setattr(stories_sync, "assign_story", stored_again_meanwhile)
    assert story_grouper.group_pending(bump=False) == 2
    # The new version was grouped too, after the first: its text, not the old one, decided.
    assert grouped == ["Nội dung bản đầu.", "Nội dung bản hai."]
    assert story_grouper.pending_ids() == []


def test_a_stop_is_heeded_between_articles(db, monkeypatch):
    import threading

    from vnnews.news import stories_sync

    articles = [make_article(f"Tin {n}", text=f"Nội dung riêng {n}.") for n in range(3)]
    for article in articles:
        mark_pending(article.pk)
    stop, assign = threading.Event(), stories_sync.assign_story

    def stopped_during(article, *args, **kwargs):
        stop.set()  # SIGTERM while the first article is grouped
        return assign(article, *args, **kwargs)

    monkeypatch.setattr(stories_sync, "assign_story", stopped_during)
    assert story_grouper.group_pending(stop, bump=False) == 1
    assert story_grouper.pending_ids() == [a.pk for a in articles[1:]]


def _page(sentence: str) -> bytes:
    return (
        "<html><head><title>Giá vàng tăng</title></head><body><article><h1>Giá vàng tăng</h1>"
        f"<p>{sentence}</p></article></body></html>"
    ).encode()


GOLD = "Giá vàng miếng hôm nay tăng 1 triệu đồng mỗi lượng so với hôm qua."
GOLD_LATER = "Giá vàng miếng chiều nay tăng thêm 300.000 đồng mỗi lượng, lên mức cao nhất."


def test_live_ingestion_stores_an_article_already_in_line(db, tmp_path, settings):
    from vnnews.news.store import ingest_page

    settings.ARCHIVE_DIR = tmp_path
    live = ingest_page("https://vnexpress.net/a.html", _page(GOLD), batch="b", origin="live:x",
                       group_later=True)  # fmt: skip
    imported = ingest_page("https://vnexpress.net/b.html", _page(GOLD), batch="b", origin="import")
    assert live.article.story_waiting and not imported.article.story_waiting
    assert story_grouper.pending_ids() == [live.article_id]
    story_grouper.group_pending(bump=False)
    # A new version of the page goes back in line.
    again = ingest_page("https://vnexpress.net/a.html", _page(GOLD_LATER), batch="b",
                        origin="live:x", group_later=True)  # fmt: skip
    assert again.outcome == "updated" and story_grouper.pending_ids() == [live.article_id]


def test_a_new_version_stored_leaves_an_assignment_made_meanwhile(
    db, tmp_path, settings, monkeypatch
):
    """On PostgreSQL the grouper may write between the store's read of an article and its
    write of the new version: the store must not write back the story it read."""
    from vnnews.news import store
    from vnnews.news.models import Story

    settings.ARCHIVE_DIR = tmp_path
    url = "https://vnexpress.net/a.html"
    first = store.ingest_page(url, _page(GOLD), batch="b", origin="live:x", group_later=True)
    story = Story.objects.create(title="Giá vàng", size=1)
    resolve = store.resolve_section

    def grouped_meanwhile(*args, **kwargs):  # runs after the store read the row
        Article.objects.filter(pk=first.article_id).update(
            story=story, story_seq=7, simhash=42, story_waiting=False, view_count=3
        )
        return resolve(*args, **kwargs)

    monkeypatch.setattr(store, "resolve_section", grouped_meanwhile)
    second = store.ingest_page(url, _page(GOLD_LATER), batch="b", origin="live:x",
                               group_later=True)  # fmt: skip
    assert second.outcome == "updated"
    row = Article.objects.get(pk=first.article_id)
    assert (row.story_id, row.story_seq, row.simhash, row.view_count) == (story.pk, 7, 42, 3)
    assert row.story_waiting and GOLD_LATER in row.text  # the new version, in line
