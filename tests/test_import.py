"""`vnnews import`: every format, bad input, idempotence and a kill -9 in the middle."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from vnnews.news.models import Article, ImportRecord

pytestmark = pytest.mark.django_db
Outcome = ImportRecord.Outcome
ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"


@pytest.fixture(autouse=True)
def _archive(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archive"


def run(*paths) -> str:
    out = io.StringIO()
    call_command(
        "import", *[str(p) for p in paths], "--no-progress", stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def binhvq(i: int, **extra) -> dict:
    """A record with the binhvq news corpus's field names."""
    record = {
        "url": f"https://vnexpress.net/bai-{i}.html",
        "title": f"Tin số {i}: Hà Nội có mưa",
        "sapo": "Mưa lớn từ chiều nay.",
        "content": f"Đoạn một của tin {i}.\nĐoạn hai của tin {i}.",
        "publish": "2020-10-01T16:35:34+07:00",
        "cat": "Thời sự",
        "source": "vnexpress.net",
        "author": "Minh Anh",
        "tags": ["mưa", "Hà Nội"],
    }
    record.update(extra)
    return record


def write_jsonl(path: Path, records: list) -> Path:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(
                (record if isinstance(record, str) else json.dumps(record, ensure_ascii=False))
                + "\n"
            )
    return path


def test_jsonl_with_binhvq_field_names(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [binhvq(1), binhvq(2, cat="Kinh doanh")])
    out = run(path)
    assert "tạo mới 2" in out
    stored = Article.objects.get(url="https://vnexpress.net/bai-1.html")
    assert stored.sapo == "Mưa lớn từ chiều nay."
    assert stored.text == "Đoạn một của tin 1.\n\nĐoạn hai của tin 1."
    assert stored.authors == ["Minh Anh"]
    assert stored.tags == ["mưa", "Hà Nội"]
    assert stored.published.isoformat() == "2020-10-01T09:35:34+00:00"
    assert stored.section.slug == "thoi-su"
    assert stored.source.name == "VnExpress"
    assert Article.objects.get(url="https://vnexpress.net/bai-2.html").section.slug == "kinh-doanh"


def test_jsonl_alternative_names_html_bodies_and_gzip(tmp_path):
    record = {
        "link": "https://tuoitre.vn/x-1.htm",
        "title": "Tiêu đề",
        "description": "Mô tả",
        "body": "<p>Đoạn <b>một</b></p><p>Đoạn hai</p>",
        "publish_date": "01/10/2020 08:30",
        "category": "the-thao",
    }
    run(write_jsonl(tmp_path / "b.jsonl.gz", [record]))
    stored = Article.objects.get()
    assert (stored.sapo, stored.text) == ("Mô tả", "Đoạn một\n\nĐoạn hai")
    assert stored.section.slug == "the-thao"
    assert stored.published.isoformat() == "2020-10-01T01:30:00+00:00"


def test_broken_lines_are_listed_and_the_rest_goes_on(tmp_path):
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            binhvq(1),
            '{"url": "https://x.vn/a", "title": ',
            "[1, 2]",
            binhvq(2, url="ftp://x.vn/b"),
            binhvq(3),
        ],
    )
    out = run(path)
    assert Article.objects.count() == 2
    assert "lỗi 3" in out
    for line in ("c.jsonl dòng 2", "c.jsonl dòng 3", "c.jsonl dòng 4"):
        assert line in out
    failed = ImportRecord.objects.filter(outcome=Outcome.FAILED).order_by("item_key")
    assert [(r.item_key, r.stage) for r in failed] == [
        ("dòng 2", "parse"),
        ("dòng 3", "parse"),
        ("dòng 4", "url"),
    ]


def test_importing_twice_creates_nothing_new(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [binhvq(i) for i in range(5)])
    run(path)
    records = list(ImportRecord.objects.values_list("pk", "outcome"))
    out = run(path)
    assert "tạo mới 0" in out and "không đổi 5" in out
    assert Article.objects.count() == 5
    assert list(ImportRecord.objects.values_list("pk", "outcome")) == records


def test_the_same_url_with_new_content_keeps_the_newest_and_records_the_change(tmp_path):
    old = binhvq(1, content="Bản đầu.", publish="2020-10-01T08:00:00+07:00")
    new = binhvq(1, content="Bản đã sửa.", publish="2020-10-01T10:00:00+07:00")
    out = run(write_jsonl(tmp_path / "e.jsonl", [old, new, old]))
    stored = Article.objects.get()
    assert stored.text == "Bản đã sửa."
    assert stored.change_count == 1
    assert "cập nhật 1" in out and "bỏ qua 1" in out


def test_dantri_unc_files(tmp_path):
    files = sorted((DEMO / "dantri-unc").glob("news_*.txt"))[:3]
    for f in files:
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "LICENSE").write_text("GPL")
    out = run(tmp_path)
    assert "tạo mới 3" in out and "không rõ định dạng" not in out
    first = files[0].read_text(encoding="utf-8").splitlines()
    stored = Article.objects.get(title=first[3].strip())
    assert stored.url == first[1].split("=", 1)[1].strip()
    assert stored.sapo == first[4].strip()
    assert stored.source.domain == "dantri.com.vn"
    assert stored.section is not None
    assert stored.published.year in (2020, 2021)


def test_html_files_use_the_canonical_link_and_gzip_works(tmp_path):
    pytest.importorskip("vnnews.extract.engine")
    from tests.test_store import HTML

    (tmp_path / "a.html").write_bytes(HTML)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html.gz").write_bytes(
        gzip.compress(HTML.replace(b"4800000", b"4800001"))
    )
    out = run(tmp_path)
    assert "tạo mới 2" in out, out
    assert sorted(Article.objects.values_list("url", flat=True)) == [
        "https://vnexpress.net/gia-xang-giam-4800000.html",
        "https://vnexpress.net/gia-xang-giam-4800001.html",
    ]
    assert all(a.raw_page is not None for a in Article.objects.all())
    # The archive's digest of each page is that of its bytes (taken from the item's raw hash).
    digests = {a.raw_page.sha256 for a in Article.objects.select_related("raw_page")}
    pages = (HTML, HTML.replace(b"4800000", b"4800001"))
    assert digests == {hashlib.sha256(page).hexdigest() for page in pages}


def test_a_page_without_an_address_gets_a_stable_file_address(tmp_path):
    pytest.importorskip("vnnews.extract.engine")
    from tests.test_store import HTML

    page = HTML.replace(
        b'<link rel="canonical" href="https://vnexpress.net/gia-xang-giam-4800000.html">', b""
    )
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "page.html").write_bytes(page)
    run(tmp_path / "one")
    run(tmp_path / "two")
    stored = Article.objects.get()
    assert stored.url.startswith("file:///imported/") and stored.url.endswith("/page.html")


def test_warc_imports_html_and_lists_other_records(tmp_path):
    pytest.importorskip("vnnews.extract.engine")
    from tests.test_store import HTML

    out_bytes = io.BytesIO()
    writer = WARCWriter(out_bytes, gzip=True)
    for url, ctype, body in [
        ("https://vnexpress.net/gia-xang-giam-4800000.html", "text/html; charset=utf-8", HTML),
        ("https://vnexpress.net/logo.png", "image/png", b"\x89PNG"),
    ]:
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(out_bytes.getvalue())
    out = run(path)
    assert "tạo mới 1" in out and "bỏ qua 1" in out
    skipped = ImportRecord.objects.filter(outcome=Outcome.SKIPPED)
    assert not skipped.exists() or "image/png" in skipped.get().reason
    assert Article.objects.get().raw_page.warc_path.startswith(str(tmp_path / "archive"))
    assert Article.objects.get().raw_page.sha256 == hashlib.sha256(HTML).hexdigest()
    assert "tạo mới 0" in run(path)


def test_plain_text_dump_like_the_seed(tmp_path):
    try:
        from vnnews.extract import extract_text  # noqa: F401
    except ImportError:
        pytest.skip("extract_text has not landed yet")
    shutil.copy(DEMO / "seed" / "000_3c0ab09296547af8.txt", tmp_path)
    shutil.copy(DEMO / "seed" / "000_3c0ab09296547af8.txt.meta.json", tmp_path)
    out = run(tmp_path)
    assert "tạo mới 1" in out, out
    stored = Article.objects.get()
    assert stored.title == "Tiếp tục làm tốt vai trò “cầu nối” giữa doanh nghiệp và chính quyền"
    assert stored.source.name == "Lao Động Thủ Đô"
    assert "Phiên bản di động" not in stored.text


def test_unknown_files_are_named_and_missing_paths_reported(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / "README.md").write_text("docs are not articles")
    out = run(tmp_path, tmp_path / "nope.jsonl")
    assert "photo.jpg" in out and "notes.docx" in out
    assert "README.md" not in out
    assert "nope.jsonl" in out


def test_json_documents_arrays_and_pretty_printed_objects_work_too(tmp_path):
    (tmp_path / "arr.json").write_text(json.dumps([binhvq(1), binhvq(2)]))
    (tmp_path / "one.json").write_text(json.dumps(binhvq(3), indent=2))
    (tmp_path / "arr.jsonl").write_text(json.dumps([binhvq(4)]))
    (tmp_path / "bad.json").write_text('{"url": "https://x.vn/a",\n "title": ')
    out = run(tmp_path)
    assert Article.objects.count() == 4
    assert "bad.json" in out and "không phải JSON Lines cũng không phải JSON hợp lệ" in out
    assert "tạo mới 0" in run(tmp_path)


def _count(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute(f"select count(*) from {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_a_killed_import_resumes_without_loss_or_doubles(tmp_path):
    """kill -9 half-way through, run again: every record once. (A real process on SQLite.)"""
    # The kill comes once the first chunk of 200 is in; 3000 records (15 chunks) leave the
    # import seconds still to run then, so a slow poll cannot see it already finished.
    total = 3000
    path = write_jsonl(tmp_path / "big.jsonl", [binhvq(i) for i in range(total)])
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["VNNEWS_DATA_DIR"] = str(tmp_path / "var")
    env["VNNEWS_LOG_LEVEL"] = "WARNING"
    vnnews = [sys.executable, "-m", "vnnews.cli"]
    (tmp_path / "var").mkdir()
    subprocess.run([*vnnews, "migrate", "-v0"], env=env, check=True, timeout=120)
    db = tmp_path / "var" / "vnnews.sqlite3"
    log = open(tmp_path / "first-run.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([*vnnews, "import", "--no-progress", str(path)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 300
    while _count(db, "news_article") < 200 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    log.close()
    killed_at = _count(db, "news_article")
    assert 0 < killed_at < total, (
        "not killed half-way: " + (tmp_path / "first-run.log").read_text()[-2000:]
    )

    done = subprocess.run([*vnnews, "import", "--no-progress", str(path)], env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _count(db, "news_article") == total
    assert _count(db, "news_importrecord") == total
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(distinct url) from news_article").fetchone()[0] == total
    assert f"không đổi {killed_at}" in done.stdout or "không đổi" in done.stdout


def test_reextract_rebuilds_from_the_archive_and_counts_changes(tmp_path, monkeypatch):
    pytest.importorskip("vnnews.extract.engine")
    from tests.test_store import HTML
    from vnnews.news.management.commands import reextract

    (tmp_path / "a.html").write_bytes(HTML)
    run(tmp_path)
    out = io.StringIO()
    call_command("reextract", stdout=out)
    assert "thay đổi 0" in out.getvalue() and "không đổi 1" in out.getvalue()

    real = reextract.run_extractor

    def improved(body, url):
        article = real(body, url)
        article.text += "\n\nĐoạn mà bộ trích xuất mới tìm thêm được."
        return article

    monkeypatch.setattr(reextract, "run_extractor", improved)
    out = io.StringIO()
    call_command("reextract", stdout=out)
    assert "thay đổi 1" in out.getvalue()
    stored = Article.objects.get()
    assert stored.text.endswith("tìm thêm được.") and stored.change_count == 1


@pytest.mark.django_db
def test_an_import_groups_copies_of_one_story_when_asked(tmp_path):
    from django.core.management import call_command

    from vnnews.news.models import Article

    body = (
        "Sáng 01/8, Đại hội đại biểu Đảng bộ Các khu công nghiệp và chế xuất Hà Nội lần thứ II "
        "tiến hành phiên làm việc chính thức với 180 đại biểu. "
    ) * 6
    lines = [
        {"url": "https://a.vn/dai-hoi-1.html", "title": "Đại hội Đảng bộ", "content": body,
         "source": "a.vn", "publish_date": "2020-08-01 09:00"},
        {"url": "https://b.vn/dai-hoi-2.html", "title": "Khai mạc Đại hội", "content": body,
         "source": "b.vn", "publish_date": "2020-08-01 10:00"},
    ]  # fmt: skip
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    call_command("import", str(path), "--no-progress")
    assert Article.objects.filter(story__isnull=False).count() == 0
    path2 = tmp_path / "again.jsonl"
    path2.write_text(path.read_text(encoding="utf-8").replace("dai-hoi", "tin"), encoding="utf-8")
    call_command("import", str(path2), "--stories", "--no-progress")
    grouped = Article.objects.filter(url__contains="/tin-")
    assert {a.story_id for a in grouped} != {None}
    assert len({a.story_id for a in grouped}) == 1
