"""What every importer yields: one item of one file, parsed lazily so that a re-import can skip
items it has already stored (same origin, key and raw hash) without parsing them."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from vnnews.extract.article import Article


@dataclass
class Item:
    """One thing to import. Exactly one of `parse` (-> Article, for formats that already hold the
    fields) or `body` (raw page bytes, archived then extracted) is set, unless `failed` or
    `skipped` already says why the item cannot be imported."""

    key: str  # unique within the file: "line 12", a WARC offset, or the file itself
    # SHA-256 of the raw item, to skip unchanged items on re-import; of `body` exactly, when
    # there is one (the archive's digest of the page is taken from it).
    raw_hash: str
    url: str = ""  # "" for a JSON line until it is parsed (see ParseFailed)
    # A module-level function or a functools.partial of one, not a lambda: items travel to the
    # import's worker processes (pickled).
    parse: Callable[[], Article] | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: datetime | None = None
    source_domain: str = ""  # outlet, when the file says so but gives no URL
    source_name: str = ""
    failed: str = ""  # reason the item could not even be read (stage "parse")
    skipped: str = ""  # reason the item is not something to import (e.g. an image record)


class ParseFailed(Exception):
    """Raised by an item's `parse` that reads its raw form itself (a JSON line, parsed in the
    import's worker process): the reason its record gives, as it is, and the address the item
    names, if it could tell."""

    def __init__(self, reason: str, url: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.url = url


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped on the fly when the name ends in .gz (streamed)."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def read_capped(path: Path, limit: int) -> tuple[bytes, str]:
    """At most `limit` + 1 bytes of the file (one more than allowed, so the caller can tell it is
    too large without reading it all) and the SHA-256 of what was read."""
    raw = _gunzip_capped(path, limit) if path.name.lower().endswith(".gz") else None
    if raw is None:
        with open_binary(path) as handle:
            raw = handle.read(limit + 1)
    return raw, sha256(raw)


_GZIP_CHUNK = 1 << 20
try:
    # ISA-L's inflate: the same bytes for about half zlib's CPU (a dependency already, for the
    # archive's deflate; optional at run time).
    from isal import isal_zlib as _inflate
except ImportError:
    _inflate = zlib


def _gunzip_capped(path: Path, limit: int) -> bytes | None:
    """What gzip.open(path).read(limit + 1) gives for a file of one whole gzip member, in half
    the CPU or less (inflated straight, without GzipFile's buffering); None for anything else
    (more members, trailing bytes, a truncated or damaged file), which gzip then reads, or fails
    to read, as it always did."""
    decompressor = _inflate.decompressobj(wbits=31)  # gzip header and trailer, CRC checked
    pieces, size = [], 0
    try:
        with open(path, "rb") as handle:
            while size <= limit:
                data = decompressor.unconsumed_tail or handle.read(_GZIP_CHUNK)
                if not data:
                    break
                piece = decompressor.decompress(data, limit + 1 - size)
                pieces.append(piece)
                size += len(piece)
                if decompressor.eof:
                    if decompressor.unused_data or handle.read(1):
                        return None
                    break
    except (OSError, zlib.error, _inflate.error):
        return None
    if size <= limit and not decompressor.eof:
        return None  # truncated
    return b"".join(pieces)


def open_text(path: Path) -> IO[str]:
    # newline="" keeps "\r\n" so a line's hash is over what is in the file.
    return io.TextIOWrapper(open_binary(path), encoding="utf-8", errors="replace", newline="")


def name_without_gz(path: Path) -> str:
    name = path.name.lower()
    return name[:-3] if name.endswith(".gz") else name


def sidecar(path: Path) -> dict:
    """Optional `NAME.meta.json` next to a file: {"url", "source", "domain", "section",
    "published"} for pages and dumps that do not carry them (e.g. the seed page)."""
    meta = path.with_name(path.name + ".meta.json")
    if not meta.is_file():
        return {}
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def file_url(path: Path, digest: str) -> str:
    """A stable address for a local file that names none: the same bytes get the same address
    whatever folder or machine they are imported from."""
    return f"file:///imported/{digest[:16]}/{path.name}"
