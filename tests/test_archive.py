"""The WARC archive: what goes in comes back byte for byte, and files rotate."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from vnnews.archive import WarcArchive, append_response, iter_html_records, read_record

PAGE = "<html><head><title>Tin</title></head><body><p>Xin chào Hà Nội</p></body></html>".encode()


def test_a_record_reads_back_from_its_offset(tmp_path):
    path = tmp_path / "a.warc.gz"
    when = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    first = append_response(
        path, "https://x.vn/1", PAGE, {"Content-Type": "text/html; charset=utf-8"}, when
    )
    second = append_response(path, "https://x.vn/2", b"other", {"Content-Type": "text/html"}, when)
    assert first == (str(path), 0)
    assert second[1] > 0
    url, headers, body = read_record(path, first[1])
    assert (url, headers["Content-Type"], body) == (
        "https://x.vn/1",
        "text/html; charset=utf-8",
        PAGE,
    )
    assert headers["Content-Length"] == str(len(PAGE))  # of the stored, decoded body
    assert read_record(path, second[1])[2] == b"other"
    # Each record is a gzip member of its own, so the whole file is still one valid gzip stream.
    assert gzip.decompress(path.read_bytes()).count(b"WARC/1.") == 2


def test_the_record_carries_uri_date_and_headers(tmp_path):
    path = tmp_path / "a.warc.gz"
    when = datetime(2026, 11, 27, 8, 30, 5, tzinfo=UTC)
    append_response(
        path,
        "https://x.vn/1",
        PAGE,
        {"Content-Type": "text/html", "Content-Encoding": "gzip"},
        when,
    )
    item = next(iter_html_records(path))
    assert item.url == "https://x.vn/1"
    assert item.date == "2026-11-27T08:30:05Z"
    # The body is stored decoded, so a transfer encoding header would lie about it.
    assert "Content-Encoding" not in item.headers
    assert item.body == PAGE


def test_files_rotate_by_size(tmp_path):
    archive = WarcArchive(tmp_path, max_bytes=1)
    paths = {archive.append(f"https://x.vn/{i}", PAGE)[0] for i in range(3)}
    assert len(paths) == 3
    assert all("vnnews-" in p and p.endswith(".warc.gz") for p in paths)


def test_files_stay_one_per_day_under_the_size_limit(tmp_path):
    archive = WarcArchive(tmp_path)
    paths = {archive.append(f"https://x.vn/{i}", PAGE)[0] for i in range(3)}
    assert len(paths) == 1
    day = datetime.now(UTC).strftime("%Y%m%d")
    assert day in paths.pop()


@pytest.mark.parametrize("level", [None, 1, 6])  # None: ISA-L when installed, else zlib
def test_every_compression_writes_records_any_reader_reads(tmp_path, level):
    path = tmp_path / "a.warc.gz"
    for i in range(2):
        append_response(path, f"https://x.vn/{i}", PAGE + bytes([i]), compresslevel=level)
    with open(path, "rb") as handle:
        urls = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(handle)]
    assert urls == ["https://x.vn/0", "https://x.vn/1"]
    assert [item.body for item in iter_html_records(path)] == [PAGE + b"\0", PAGE + b"\1"]
    assert gzip.decompress(path.read_bytes()).count(b"WARC/1.0") == 2


def test_the_next_file_is_started_when_another_writer_filled_the_current_one(tmp_path):
    # The archive remembers its current file instead of listing the folder for every record; a
    # file another process filled past the limit meanwhile must still end it.
    archive = WarcArchive(tmp_path, max_bytes=100_000)
    first = archive.append("https://x.vn/1", PAGE)[0]
    assert archive.append("https://x.vn/2", PAGE)[0] == first
    with open(first, "ab") as other_writer:
        other_writer.write(b"\0" * 100_000)
    path, offset = archive.append("https://x.vn/3", PAGE)
    assert path != first and path.endswith("-0001.warc.gz") and offset == 0
    assert read_record(path, 0)[0] == "https://x.vn/3"


def _foreign_warc(gz: bool) -> bytes:
    """A WARC as other crawlers write it: request, HTML, image, redirect and a resource record."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)

    def response(url, status, content_type, body):
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )

    writer.write_record(
        writer.create_warc_record(
            "https://x.vn/a", "request", payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")
        )
    )
    response("https://x.vn/a", "200 OK", "text/html; charset=utf-8", PAGE)
    response("https://x.vn/logo.png", "200 OK", "image/png", b"\x89PNG")
    response("https://x.vn/old", "301 Moved Permanently", "text/html", b"")
    writer.write_record(
        writer.create_warc_record(
            "https://x.vn/r", "resource", payload=io.BytesIO(PAGE), warc_content_type="text/html"
        )
    )
    return out.getvalue()


@pytest.mark.parametrize("gz", [True, False])
def test_only_html_pages_come_with_a_body_and_the_rest_say_why(tmp_path, gz):
    path = tmp_path / ("x.warc.gz" if gz else "x.warc")
    path.write_bytes(_foreign_warc(gz))
    items = list(iter_html_records(path))
    assert [i.url for i in items] == [
        "https://x.vn/a",
        "https://x.vn/logo.png",
        "https://x.vn/old",
        "https://x.vn/r",
    ]
    assert [bool(i.skipped) for i in items] == [False, True, True, False]
    assert "image/png" in items[1].skipped
    assert "301" in items[2].skipped
    assert items[0].body == PAGE and items[3].body == PAGE
    assert read_record(path, items[3].offset)[2] == PAGE


def test_a_file_that_is_not_a_warc_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(b"this is not a warc file at all\n" * 10)
    with pytest.raises(ValueError, match="WARC"):
        list(iter_html_records(path))
