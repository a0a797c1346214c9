"""Bulk import writes a chunk at once: articles searchable, caches invalidated, nothing lost
when a bulk insert fails, and the per-save receivers back in place afterwards."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from vnnews.api import content_version
from vnnews.news.models import Article, ImportRecord
from vnnews.news.search import search

pytestmark = pytest.mark.django_db
Outcome = ImportRecord.Outcome


@pytest.fixture(autouse=True)
def _archive(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archive"


def jsonl(path: Path, count: int, word: str = "lũ") -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            record = {
                "url": f"https://dantri.com.vn/xa-hoi/bai-{i}.htm",
                "title": f"Tin {i}: {word} về miền Trung",
                "content": f"Đoạn một của tin {i}.\nNước {word} dâng cao.",
                "publish": "2024-10-01T08:00:00+07:00",
                "source": "dantri.com.vn",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def run(*paths) -> str:
    out = io.StringIO()
    call_command("import", *map(str, paths), "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_imported_articles_are_searchable_and_the_content_version_moves(tmp_path):
    before = content_version.current()
    content_version.forget()
    out = run(jsonl(tmp_path / "a.jsonl", 7))
    assert "tạo mới 7" in out
    assert search("lu mien trung").total == 7
    content_version.forget()
    assert content_version.current() != before


def test_saving_an_article_after_an_import_still_updates_search_and_caches(tmp_path):
    run(jsonl(tmp_path / "a.jsonl", 2))
    content_version.forget()
    before = content_version.current()
    article = Article.objects.order_by("pk").first()
    article.title = "Bão số năm đổ bộ"
    article.save()  # the receivers muted during the import are connected again
    assert search("bao so nam").total == 1
    content_version.forget()
    assert content_version.current() != before


def test_a_failing_bulk_insert_redoes_the_chunk_item_by_item(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: news_article.url")

    monkeypatch.setattr(Article.objects, "bulk_create", refuse)
    out = run(jsonl(tmp_path / "a.jsonl", 5))
    assert "tạo mới 5" in out and "lỗi 0" in out
    assert Article.objects.count() == 5
    assert ImportRecord.objects.filter(outcome=Outcome.CREATED).count() == 5
    assert search("lu").total == 5


def test_a_chunk_spans_files_and_each_file_keeps_its_records(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(3):
        with open(folder / f"f{n}.jsonl", "w", encoding="utf-8") as out:
            record = {"url": f"https://vnexpress.net/tin-{n}.html", "title": f"Tin {n}",
                      "content": "Nội dung.", "source": "vnexpress.net"}  # fmt: skip
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    assert "tạo mới 3" in run(folder)
    assert ImportRecord.objects.values("origin").distinct().count() == 3
    assert "không đổi 3" in run(folder)


def test_a_database_error_while_storing_a_new_article_loses_nothing(tmp_path, monkeypatch):
    """A new article of a bulk chunk is stored without a savepoint of its own: a database error
    there (here: a query on a missing table, once) either fails that item alone or, where it
    breaks the transaction (PostgreSQL), makes the chunk be redone item by item."""
    from django.db import connection

    from vnnews.news import store

    real, calls = store.resolve_section, []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM no_such_table")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "resolve_section", failing_once)
    run(jsonl(tmp_path / "a.jsonl", 6))
    assert len(calls) >= 3  # the error did happen
    failed = ImportRecord.objects.filter(outcome=Outcome.FAILED).count()
    assert failed == (0 if connection.vendor == "postgresql" else 1)
    assert Article.objects.count() == 6 - failed
    assert Article.objects.values("url").distinct().count() == Article.objects.count()
    assert ImportRecord.objects.count() == 6
    assert search("lu").total == 6 - failed
