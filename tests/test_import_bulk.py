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


def refuse_bulk_articles(monkeypatch) -> list[int]:
    """The chunk's one insert of its new articles fails, as when another process stored one of
    the addresses meanwhile; returns how many articles each refused insert held."""
    from vnnews.news import bulk

    real, refused = bulk.insert_new, []

    def refuse(model, objs):
        if model is Article:
            refused.append(len(objs))
            raise IntegrityError("UNIQUE constraint failed: news_article.url")
        return real(model, objs)

    monkeypatch.setattr(bulk, "insert_new", refuse)
    return refused


def test_a_failing_bulk_insert_redoes_the_chunk_item_by_item(tmp_path, monkeypatch):
    refused = refuse_bulk_articles(monkeypatch)
    out = run(jsonl(tmp_path / "a.jsonl", 5))
    assert refused == [5]  # the bulk insert did fail
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


def test_overlapping_paths_read_each_file_once(tmp_path):
    """A file given twice, and a folder given with a file in it: each file is read once, so
    each line has one record and the summary counts it once."""
    folder = tmp_path / "in"
    folder.mkdir()
    inside = jsonl(folder / "a.jsonl", 2)
    other = jsonl(folder / "b.jsonl", 1, word="mưa")
    other.write_text(other.read_text(encoding="utf-8").replace("bai-0", "khac-0"), encoding="utf-8")
    out = run(inside, inside, folder, folder / "." / "a.jsonl")
    assert "Đã xử lý 3 mục từ 2 tệp" in out and "tạo mới 3," in out
    assert ImportRecord.objects.count() == 3


def test_a_folder_given_before_the_folder_holding_it_is_read_once(tmp_path):
    """A subfolder, then its parent; a link inside the parent to a file given on its own; a
    link that points at itself (reported, not a crash)."""
    top, sub, other = tmp_path / "top", tmp_path / "top" / "sub", tmp_path / "other"
    sub.mkdir(parents=True)
    other.mkdir()
    jsonl(sub / "a.jsonl", 2)
    given = jsonl(other / "t.jsonl", 1, word="mưa")
    given.write_text(given.read_text(encoding="utf-8").replace("bai-0", "khac-0"), encoding="utf-8")
    (top / "link.jsonl").symlink_to(given)
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    out = run(sub, given, top, tmp_path / "loop")
    assert "Đã xử lý 3 mục từ 2 tệp" in out and "tạo mới 3," in out
    assert "loop" in out  # a path that is not there, said so
    assert ImportRecord.objects.count() == 3


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


def pages_from_outlets(folder: Path, addresses: list[str]) -> Path:
    """One saved HTML page per address (the test store's page, its canonical link changed)."""
    pytest.importorskip("vnnews.extract.engine")
    from tests.test_store import HTML

    folder.mkdir()
    for n, url in enumerate(addresses):
        page = HTML.replace(b"https://vnexpress.net/gia-xang-giam-4800000.html", url.encode())
        page = page.replace(
            b"<head>", '<head><meta property="og:site_name" content="Báo Mới">'.encode()
        )
        (folder / f"p{n}.html").write_bytes(page.replace(b"RON 95", f"RON {n}".encode()))
    return folder


def test_a_chunk_of_pages_from_many_outlets_looks_its_outlets_up_in_one_query(tmp_path):
    """A crawl of many sites: the outlets a chunk's new articles need are looked up together
    (one query, not one per outlet), the missing ones created as each is first needed, named as
    one at a time would be, and an outlet that exists already is reused as it is."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vnnews.news.models import Source, Tombstone

    Source.objects.create(domain="tuoitre.vn", name="Tuổi Trẻ (sửa tay)")
    Tombstone.objects.create(url="https://xoa.vn/bai-1.html")
    folder = pages_from_outlets(tmp_path / "pages", [
        "https://vnexpress.net/a-1.html", "https://vnexpress.net/a-2.html",
        "https://tuoitre.vn/b-1.html", "https://mot.example/c-1.html",
        "https://hai.example/d-1.html", "https://xoa.vn/bai-1.html",
    ])  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        out = run(folder)
    assert "tạo mới 5" in out and "bỏ qua 1" in out, out
    lookups = [q["sql"] for q in queries if 'FROM "news_source" WHERE' in q["sql"]]
    assert len(lookups) == 1, lookups
    names = dict(Source.objects.values_list("domain", "name"))
    # Our table's name for a known outlet, the page's site name for another; the tombstoned
    # page's outlet is not created.
    assert names == {
        "vnexpress.net": "VnExpress", "tuoitre.vn": "Tuổi Trẻ (sửa tay)",
        "mot.example": "Báo Mới", "hai.example": "Báo Mới",
    }  # fmt: skip
    assert Article.objects.filter(source__domain="vnexpress.net").count() == 2
    assert Source.objects.get(domain="hai.example").home_url == "https://hai.example/"


def test_a_page_that_is_not_stored_creates_no_outlet(tmp_path, monkeypatch):
    from vnnews.news import store
    from vnnews.news.models import Source

    def full_disk(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(store, "save_raw_page", full_disk)
    folder = pages_from_outlets(
        tmp_path / "pages", ["https://mot.example/c-1.html", "https://hai.example/d-1.html"]
    )
    assert "lỗi 2" in run(folder)
    assert not Source.objects.exists()


def test_a_chunk_of_pages_written_again_archives_each_page_once(tmp_path, monkeypatch, settings):
    """A chunk rolled back and written again (item by item after its bulk insert failed, or
    after a lost connection) keeps the WARC records its first attempt appended: each page's row
    points to the one record of it, and the archive holds no second copy."""
    from warcio.archiveiterator import ArchiveIterator

    from vnnews.archive import read_record
    from vnnews.news.models import RawPage

    addresses = [f"https://vnexpress.net/tin-{n}.html" for n in range(3)]
    folder = pages_from_outlets(tmp_path / "pages", addresses)
    refused = refuse_bulk_articles(monkeypatch)
    assert "tạo mới 3" in run(folder)
    assert refused == [3]
    archived = []
    for path in sorted(Path(settings.ARCHIVE_DIR).rglob("*.warc*")):
        with open(path, "rb") as handle:
            archived += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(handle)
                         if r.rec_type == "response"]  # fmt: skip
    assert sorted(archived) == sorted(RawPage.objects.values_list("url", flat=True))
    assert len(archived) == 3
    for page in RawPage.objects.all():
        assert read_record(page.warc_path, page.warc_offset)[0] == page.url


def test_a_sidecar_names_the_outlet_when_its_page_is_the_first_to_need_it(tmp_path):
    from vnnews.news.models import Source

    folder = pages_from_outlets(
        tmp_path / "pages", ["https://mot.example/c-1.html", "https://mot.example/c-2.html"]
    )
    sidecar = {"domain": "mot.example", "source": "Báo Một (tệp kèm)"}
    (folder / "p0.html.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    assert "tạo mới 2" in run(folder)
    assert Source.objects.get(domain="mot.example").name == "Báo Một (tệp kèm)"
    assert Article.objects.filter(source__domain="mot.example").count() == 2


def test_an_outlet_created_by_another_process_meanwhile_is_the_one_used(
    tmp_path, monkeypatch, caplog
):
    """Another process creates an outlet between the chunk's look-up and our insert: the insert
    fails alone (its own savepoint) and the other copy is used; the chunk goes on."""
    from vnnews.news.importers import runner
    from vnnews.news.models import Source

    real = runner.sources_ahead

    def someone_else_right_after(prepared, memo):
        real(prepared, memo)
        Source.objects.create(domain="mot.example", name="Đã có")

    monkeypatch.setattr(runner, "sources_ahead", someone_else_right_after)
    folder = pages_from_outlets(tmp_path / "pages", ["https://mot.example/c-1.html"])
    out = run(folder)
    assert "tạo mới 1" in out and "lỗi 0" in out, out
    assert "redoing the chunk" not in caplog.text
    assert Source.objects.get(domain="mot.example").name == "Đã có"
    assert Article.objects.get().source.name == "Đã có"


def test_an_article_made_a_copy_while_its_new_version_is_imported_stays_out_of_search(
    tmp_path, monkeypatch
):
    """On PostgreSQL the story grouper may mark an article a copy between the import's read of it
    and its write of the new version: the chunk's index entries follow the rows as written, not
    the copies of them the import read."""
    from vnnews.news import store

    run(jsonl(tmp_path / "a.jsonl", 2))
    original, other = Article.objects.order_by("pk")
    resolve = store.resolve_section

    def grouped_meanwhile(names, url, *args, **kwargs):  # runs after the store read the row
        if url == other.url:
            Article.objects.filter(pk=other.pk).update(duplicate_of=original)
        return resolve(names, url, *args, **kwargs)

    monkeypatch.setattr(store, "resolve_section", grouped_meanwhile)
    assert "cập nhật 2" in run(jsonl(tmp_path / "b.jsonl", 2, word="bão"))
    assert [a.pk for a in search("bao mien trung").articles] == [original.pk]
