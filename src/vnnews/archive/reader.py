"""Read WARC records back: one by offset (for re-extraction), or all HTML pages of a file
streamed one record at a time (for imports of WARC files of any size)."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class WarcItem:
    """One response or resource record. `skipped` names why it is not an HTML page to import
    (then `body` is empty); records that are never pages (request, metadata, warcinfo) are not
    yielded at all."""

    url: str
    offset: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    date: str = ""
    skipped: str = ""


def _headers(record) -> dict[str, str]:
    if record.http_headers is None:
        return {}
    return {k: v for k, v in record.http_headers.headers}


def read_record(path: str | os.PathLike, offset: int) -> tuple[str, dict[str, str], bytes]:
    """(url, HTTP headers, body) of the record at `offset` in the WARC file at `path`."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        for record in ArchiveIterator(handle):
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            return url, _headers(record), record.content_stream().read()
    raise ValueError(f"không có bản ghi WARC tại {path}:{offset}")


def _check_magic(path: str | os.PathLike) -> None:
    """A WARC file (ISO 28500 section 4) begins with "WARC/1.x", gzipped or not."""
    with open(path, "rb") as handle:
        head = handle.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as handle:
            start = handle.read(5)
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path}: không đọc được WARC ({exc})") from None
    if start != b"WARC/":
        raise ValueError(f"{path}: không phải tệp WARC (không bắt đầu bằng 'WARC/')")


def iter_html_records(path: str | os.PathLike, max_body: int = 15_000_000) -> Iterator[WarcItem]:
    """Every response/resource record of a WARC or WARC.GZ file, in order, with the body of the
    HTML ones; the others come with `skipped` set. Memory holds one record at a time."""
    _check_magic(path)
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        try:
            for record in iterator:
                if record.rec_type not in {"response", "resource"}:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                date = record.rec_headers.get_header("WARC-Date") or ""
                headers = _headers(record)
                if record.rec_type == "response" and record.http_headers is not None:
                    status = record.http_headers.get_statuscode() or ""
                    content_type = record.http_headers.get_header("Content-Type") or ""
                else:
                    status = "200"
                    content_type = record.rec_headers.get_header("Content-Type") or ""
                reason = ""
                if status != "200":
                    reason = f"mã HTTP {status}"
                elif not content_type.lower().startswith(HTML_TYPES):
                    reason = (
                        f"không phải HTML ({content_type.split(';')[0].strip() or 'không rõ kiểu'})"
                    )
                body = b""
                if not reason:
                    body = record.content_stream().read(max_body + 1)
                    if len(body) > max_body:
                        reason, body = f"trang quá lớn (>{max_body} byte)", b""
                yield WarcItem(url, iterator.get_record_offset(), headers, body, date, reason)
        except ArchiveLoadFailed as exc:
            raise ValueError(f"{path}: không đọc được WARC ({exc})") from exc
