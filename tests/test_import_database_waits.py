"""A database that cannot be used for a while (SQLite locked by another process past its busy
timeout, a PostgreSQL server restarting) makes `vnnews import` wait and try the chunk again; if
it stays so past VNNEWS_IMPORT_DB_WAIT, the import stops with a message naming the first item not
stored, having lost nothing, and a second run goes on from there."""

from __future__ import annotations

import io
import logging
import sqlite3
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, InterfaceError, OperationalError

from tests.test_import_bulk import jsonl
from vnnews.news.importers import runner
from vnnews.news.importers.runner import database_unavailable
from vnnews.news.models import Article, ImportRecord

Outcome = ImportRecord.Outcome


@pytest.fixture(autouse=True)
def _archive(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archive"


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    """The import's pauses between attempts, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(runner.time, "sleep", slept.append)
    return slept


def locked_for(monkeypatch, attempts: int, from_line: int = 1) -> list[str]:
    """The database locked for the next `attempts` writes of a chunk starting at `from_line` or
    later, as SQLite says it past its busy timeout (on PostgreSQL an OperationalError without
    the server's SQLSTATE: a connection the client found gone); returns the chunks' first keys
    tried."""
    write, tried, refused = runner.Importer._write_chunk, [], []

    def locked(self, jobs, bulk):
        key = jobs[0][1].key
        tried.append(key)
        if int(key.split()[-1]) >= from_line and len(refused) < attempts:
            refused.append(key)
            raise OperationalError("database is locked")
        return write(self, jobs, bulk)

    monkeypatch.setattr(runner.Importer, "_write_chunk", locked)
    return tried


def run(*args) -> str:
    out = io.StringIO()
    call_command("import", *map(str, args), "--no-progress", "--workers", "0", stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    return out.getvalue()


# Not inside a test's transaction: an import waits only when it runs on its own, as `vnnews import`
# does (a lost connection would have taken the caller's transaction with it).
@pytest.mark.django_db(transaction=True)
def test_a_chunk_met_by_a_locked_database_is_written_once_the_lock_goes(
    tmp_path, monkeypatch, pauses, caplog
):
    tried = locked_for(monkeypatch, attempts=2)
    with caplog.at_level(logging.WARNING, logger="vnnews.import"):
        out = run(jsonl(tmp_path / "a.jsonl", 3))
    assert "tạo mới 3," in out and "lỗi 0" in out  # counted once, not once an attempt
    assert tried == ["dòng 1"] * 3 and pauses == [1.0, 2.0]  # growing pauses
    assert Article.objects.count() == 3 and ImportRecord.objects.count() == 3
    warnings = [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 2 and all("a.jsonl dòng 1" in w for w in warnings)


@pytest.mark.django_db(transaction=True)
def test_a_database_locked_past_the_wait_stops_the_import_naming_the_first_item_not_stored(
    tmp_path, monkeypatch, pauses, settings
):
    settings.IMPORT_DATABASE_WAIT = 0  # give up at the first "locked"
    path = jsonl(tmp_path / "a.jsonl", runner.BATCH_SIZE + 3)
    locked_for(monkeypatch, attempts=1, from_line=runner.BATCH_SIZE + 1)
    out = io.StringIO()
    with pytest.raises(CommandError) as stopped:
        call_command("import", str(path), "--no-progress", "--workers", "0", stdout=out,
                     stderr=io.StringIO())  # fmt: skip
    message = str(stopped.value)
    assert f"a.jsonl dòng {runner.BATCH_SIZE + 1}" in message and "database is locked" in message
    assert "chạy lại" in message
    # What was done before is said, and kept.
    assert f"tạo mới {runner.BATCH_SIZE}," in out.getvalue()
    assert Article.objects.count() == runner.BATCH_SIZE

    monkeypatch.undo()  # the lock has gone
    again = run(path)
    assert f"tạo mới 3, cập nhật 0, không đổi {runner.BATCH_SIZE}," in again
    assert Article.objects.count() == ImportRecord.objects.count() == runner.BATCH_SIZE + 3


@pytest.mark.django_db(transaction=True)
def test_an_error_that_would_only_happen_again_is_not_waited_for(tmp_path, monkeypatch, pauses):
    write, calls = runner.Importer._write_chunk, []

    def clashing(self, jobs, bulk):
        calls.append(bulk)
        if bulk:
            raise IntegrityError("UNIQUE constraint failed: news_article.url")
        return write(self, jobs, bulk)

    monkeypatch.setattr(runner.Importer, "_write_chunk", clashing)
    assert "tạo mới 2," in run(jsonl(tmp_path / "a.jsonl", 2))
    assert calls == [True, False] and pauses == []  # redone item by item at once


def test_only_a_locked_or_unreachable_database_is_waited_for(tmp_path):
    # SQLite's own words when another connection holds the write lock past the busy timeout.
    path = str(tmp_path / "locked.sqlite3")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    try:
        sqlite3.connect(path, timeout=0.01).execute("INSERT INTO t VALUES (1)")
    except sqlite3.OperationalError as exc:
        locked = OperationalError(str(exc))
    holder.execute("ROLLBACK")
    from django.db import connection

    if connection.vendor == "sqlite":
        assert database_unavailable(locked)
        assert not database_unavailable(OperationalError("no such table: news_article"))
    else:
        assert database_unavailable(OperationalError("server closed the connection"))
    assert database_unavailable(InterfaceError("connection already closed"))
    assert not database_unavailable(IntegrityError("UNIQUE constraint failed"))
    assert not database_unavailable(ValueError("database is locked"))


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_import_whose_connection_is_cut_connects_again_and_goes_on(
    tmp_path, monkeypatch, pauses, postgres_url, settings
):
    """The server ends the import's session (a restart, an administrator's
    pg_terminate_backend) between two chunks: the next chunk fails on the dead connection, which
    is closed and opened again."""
    import psycopg
    from django.db import connection

    write, cut = runner.Importer._write_chunk, threading.Event()

    def cut_before_the_second_chunk(self, jobs, bulk):
        if jobs[0][1].key != "dòng 1" and not cut.is_set():
            cut.set()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            with psycopg.connect(postgres_url.replace("postgres://", "postgresql://", 1),
                                 autocommit=True) as admin:  # fmt: skip
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return write(self, jobs, bulk)

    monkeypatch.setattr(runner.Importer, "_write_chunk", cut_before_the_second_chunk)
    settings.IMPORT_DATABASE_WAIT = 5  # (pauses are not slept: a few attempts at most)
    path = jsonl(tmp_path / "a.jsonl", runner.BATCH_SIZE + 3)
    assert f"tạo mới {runner.BATCH_SIZE + 3}," in run(path)
    assert cut.is_set() and pauses == [1.0]
    assert Article.objects.count() == ImportRecord.objects.count() == runner.BATCH_SIZE + 3


@pytest.mark.django_db
def test_inside_a_callers_transaction_an_unavailable_database_is_not_waited_for(
    tmp_path, monkeypatch, pauses
):
    from vnnews.news.importers.runner import run_import

    locked_for(monkeypatch, attempts=99)
    with pytest.raises(OperationalError):  # the test's own transaction is the caller's
        run_import([jsonl(tmp_path / "a.jsonl", 2)], batch="b", progress=False, workers=0)
    assert pauses == []


def locked_at_the_commit_once(monkeypatch, when=lambda origin, key: True) -> list[str]:
    """The first chunk whose first item (origin, key) `when` accepts is written, then meets the
    lock at its commit and is rolled back; returns that item's key once it happened."""
    from django.db import transaction

    write, failed = runner.Importer._write_chunk, []

    def locked_at_the_commit(self, jobs, bulk):
        origin, item, _ = jobs[0]
        if not failed and when(origin, item.key):
            failed.append(item.key)
            with transaction.atomic():
                write(self, jobs, bulk)
                raise OperationalError("database is locked")
        return write(self, jobs, bulk)

    monkeypatch.setattr(runner.Importer, "_write_chunk", locked_at_the_commit)
    return failed


@pytest.mark.django_db(transaction=True)
def test_a_chunk_that_failed_at_its_end_is_counted_once_when_written_again(
    tmp_path, monkeypatch, pauses
):
    """The lock met at the commit, after the chunk counted its items and kept its new rows:
    all of that is forgotten before the next attempt."""
    failed = locked_at_the_commit_once(monkeypatch)
    out = run(jsonl(tmp_path / "a.jsonl", 3))
    assert failed and "tạo mới 3," in out and pauses == [1.0]
    assert Article.objects.count() == ImportRecord.objects.count() == 3


def answer_lost_once(monkeypatch) -> list[tuple[str, bool]]:
    """The first chunk written commits, then its answer is lost (the client sees the database
    unavailable); returns (its first item's key, whether written in bulk) once it happened."""
    write, lost = runner.Importer._write_chunk, []

    def answer_lost(self, jobs, bulk):
        write(self, jobs, bulk)  # committed
        if not lost:
            lost.append((jobs[0][1].key, bulk))
            raise OperationalError("database is locked")

    monkeypatch.setattr(runner.Importer, "_write_chunk", answer_lost)
    return lost


@pytest.mark.django_db(transaction=True)
def test_a_chunk_whose_commit_went_through_unanswered_is_not_written_twice(
    tmp_path, monkeypatch, pauses
):
    """The connection lost just as the chunk committed: the database has it all, the import was
    told nothing. The next attempt finds the chunk's records and counts it as that attempt did,
    instead of storing its items again (which recorded each one twice, as unchanged)."""
    lost = answer_lost_once(monkeypatch)
    out = run(jsonl(tmp_path / "a.jsonl", 3))
    assert lost == [("dòng 1", True)] and pauses == [1.0]
    assert "tạo mới 3," in out and "không đổi 0" in out
    assert Article.objects.count() == 3
    assert sorted(ImportRecord.objects.values_list("outcome", flat=True)) == [Outcome.CREATED] * 3


@pytest.mark.django_db(transaction=True)
def test_a_chunk_redone_item_by_item_still_knows_its_commit_may_have_gone_through(
    tmp_path, monkeypatch, pauses
):
    """The commit goes through unanswered, then the look for its records fails with an error
    that is not waited for (it ends the bulk attempt): the chunk is redone item by item, and
    that redo looks again before writing, instead of recording every item a second time."""
    from django.db import ProgrammingError

    lost, looks, still_there = answer_lost_once(monkeypatch), [], runner._still_there

    def failing_once(record):
        looks.append(record.item_key)
        if len(looks) == 1:
            raise ProgrammingError("canceling statement due to statement timeout")
        return still_there(record)

    monkeypatch.setattr(runner, "_still_there", failing_once)
    out = run(jsonl(tmp_path / "a.jsonl", 3))
    assert lost == [("dòng 1", True)] and looks == [
        "dòng 1",
        "dòng 1",
    ]  # the bulk attempt, then the redo's
    assert "tạo mới 3," in out and "lỗi 0" in out
    assert ImportRecord.objects.count() == Article.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_file_read_twice_does_not_pass_for_a_failed_chunk_already_written(
    tmp_path, monkeypatch, pauses
):
    """A chunk whose first new item has a record written by an earlier chunk (here the same file
    read twice; `walk` reads it once, so it is made to read it twice) fails before its commit:
    the next attempt must write it, not take that record for its own and leave the rest of the
    chunk out."""
    a = jsonl(tmp_path / "a.jsonl", 2)
    (tmp_path / "b").mkdir()
    b = jsonl(tmp_path / "b" / "b.jsonl", 3)
    b.write_text(b.read_text(encoding="utf-8").replace("https://", "https://b-"), encoding="utf-8")
    failed = locked_at_the_commit_once(
        monkeypatch, when=lambda origin, key: key == "dòng 2" and origin.endswith("a.jsonl")
    )
    monkeypatch.setattr(runner, "walk", lambda paths, summary: iter(paths))
    summary = runner.Importer("twice", batch_size=3, workers=0).run([a, a, b])
    assert failed and pauses == [1.0]
    assert Article.objects.filter(url__contains="b-").count() == 3
    assert summary.counts[Outcome.CREATED] == Article.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_chunk_of_updates_whose_commit_went_unanswered_is_recorded_once(
    tmp_path, monkeypatch, pauses
):
    """With no new item in the chunk there is no new record to tell whether the commit went
    through: the chunk is written again, and each item finds its record and keeps it (an update
    that did go through is then counted unchanged)."""
    path = jsonl(tmp_path / "a.jsonl", 3)
    run(path)
    jsonl(path, 3, word="mưa")  # every article changes
    lost = answer_lost_once(monkeypatch)
    out = run(path)
    assert lost == [("dòng 1", True)] and "lỗi 0" in out
    assert Article.objects.count() == 3 and ImportRecord.objects.count() == 3
    assert all("mưa" in text for text in Article.objects.values_list("text", flat=True))


@pytest.mark.django_db(transaction=True)
def test_giving_up_while_chunks_wait_to_be_written_names_the_oldest_ones_first_item(
    tmp_path, monkeypatch, pauses, settings
):
    """Chunks are read and prepared ahead of the writing: when the database is given up on
    while the next one is read, the chunks before it are not stored either."""
    settings.IMPORT_DATABASE_WAIT = 0
    recorded = runner.recorded_pairs

    def locked_from_the_fourth_chunk(pairs):
        if pairs[0][1] == "dòng 7":
            raise OperationalError("database is locked")
        return recorded(pairs)

    monkeypatch.setattr(runner, "recorded_pairs", locked_from_the_fourth_chunk)
    importer = runner.Importer("b", batch_size=2, workers=0)
    with pytest.raises(runner.DatabaseUnavailable) as stopped:
        importer.run([jsonl(tmp_path / "a.jsonl", 8)])
    stored = Article.objects.count()
    assert stored == 0 and stopped.value.item == "a.jsonl dòng 1"


@pytest.mark.parametrize(
    ("sqlstate", "waited_for"),
    [
        ("08006", True),  # connection failure
        ("57P01", True),  # the server shutting down (a restart)
        ("53300", True),  # too many connections
        ("40P01", True),  # deadlock: rolled back, to be tried again
        (None, True),  # said by the client: no connection
        ("57014", False),  # statement timeout
        ("54000", False),  # a value too long for a tsvector
        ("53100", False),  # disk full
    ],
)
def test_on_postgresql_only_connection_troubles_are_waited_for(sqlstate, waited_for):
    cause = Exception("from the server")
    cause.sqlstate = sqlstate
    error = OperationalError("psycopg said so")
    error.__cause__ = cause
    assert database_unavailable(error, vendor="postgresql") is waited_for


def test_a_database_locked_at_start_is_said_to_be_locked(tmp_path, monkeypatch):
    import importlib

    command = importlib.import_module("vnnews.news.management.commands.import")

    def locked():
        raise OperationalError("database is locked")

    monkeypatch.setattr(command, "load_sections", locked)
    monkeypatch.setattr(command, "database_unavailable", lambda exc: True)  # either engine
    with pytest.raises(CommandError, match="đang bị một tiến trình khác khoá"):
        call_command("import", str(tmp_path), "--no-progress", stdout=io.StringIO())
