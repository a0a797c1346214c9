"""Append raw responses to gzipped WARC files, one gzip member per record.

Because every record is its own gzip member, a record can be read back by seeking to its offset
(the usual CDX practice), and appending never rewrites earlier bytes. Several processes may append
to the same file: an exclusive flock around each write keeps records whole and offsets right.
"""

from __future__ import annotations

import fcntl
import io
import os
from datetime import UTC, datetime
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# The body is stored decoded, so transfer-level headers would make readers decode it again.
_DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection"}


def _http_headers(headers: dict[str, str] | None, status: int) -> StatusAndHeaders:
    pairs = [
        (str(k), str(v).replace("\r", " ").replace("\n", " "))
        for k, v in (headers or {}).items()
        if str(k).lower() not in _DROPPED_HEADERS
    ]
    if not any(k.lower() == "content-type" for k, _ in pairs):
        pairs.append(("Content-Type", "text/html"))
    return StatusAndHeaders(
        f"{status} OK" if status == 200 else str(status), pairs, protocol="HTTP/1.1"
    )


def append_response(
    path: str | os.PathLike,
    url: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    fetched_at: datetime | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """Append one `response` record for `url` to the WARC file at `path` (created if missing) and
    return (path, offset of the record)."""
    fetched_at = fetched_at or datetime.now(UTC)
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    warc_date = fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=str(path).endswith(".gz"))
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=_http_headers(headers, status),
        warc_headers_dict={"WARC-Date": warc_date},
    )
    writer.write_record(record)
    data = buffer.getvalue()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            offset = handle.seek(0, os.SEEK_END)
            handle.write(data)
            handle.flush()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return str(path), offset


class WarcArchive:
    """A folder of WARC files that rotate by day and by size:
    `vnnews-YYYYMMDD-NNNN.warc.gz`, a new NNNN once the current file passes `max_bytes`."""

    def __init__(
        self, directory: str | os.PathLike, max_bytes: int = 1_000_000_000, prefix: str = "vnnews"
    ):
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.prefix = prefix

    def current_path(self, when: datetime | None = None) -> Path:
        day = (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d")
        number = 0
        existing = sorted(self.directory.glob(f"{self.prefix}-{day}-*.warc.gz"))
        if existing:
            try:
                number = int(existing[-1].name.split("-")[2].split(".")[0])
            except (IndexError, ValueError):
                number = len(existing)
            if existing[-1].stat().st_size >= self.max_bytes:
                number += 1
        return self.directory / f"{self.prefix}-{day}-{number:04d}.warc.gz"

    def append(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str] | None = None,
        fetched_at: datetime | None = None,
        status: int = 200,
    ) -> tuple[str, int]:
        # Rotation uses the time of writing, not of fetching, so files are appended in order.
        return append_response(self.current_path(), url, body, headers, fetched_at, status)
