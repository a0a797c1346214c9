"""Reading an import file: a gzipped page reads exactly as gzip.open reads it (bytes, hash, the
size cap), and a file gzip cannot read fails the same way, whatever shortcut the reader takes."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from vnnews.news.importers.base import read_capped, sha256

PAGE = ("<html><head><title>Hà Nội</title></head><body>" + "Thuỷ thủ hoà giải. " * 5000).encode()


def gzip_reads(path: Path, limit: int) -> bytes:
    with gzip.open(path, "rb") as handle:
        return handle.read(limit + 1)


def files(folder: Path) -> dict[str, Path]:
    one = gzip.compress(PAGE)
    damaged = bytearray(one)
    damaged[-6] ^= 0xFF  # the CRC of the trailer
    made = {
        "one member": one,
        "two members": one + gzip.compress(b"<p>more</p>"),
        "trailing zeros": one + b"\0" * 8,
        "trailing garbage": one + b"garbage",
        "truncated": one[: len(one) // 2],
        "damaged": bytes(damaged),
        "empty": b"",
        "not gzip": PAGE[:100],
    }
    paths = {}
    for name, data in made.items():
        paths[name] = folder / f"{name.replace(' ', '-')}.html.gz"
        paths[name].write_bytes(data)
    return paths


@pytest.mark.parametrize("limit", [15_000_000, len(PAGE), len(PAGE) - 1, 1000, 0])
def test_a_gzipped_file_reads_as_gzip_reads_it(tmp_path, limit):
    for name, path in files(tmp_path).items():
        try:
            expected = gzip_reads(path, limit)
        except (OSError, EOFError, zlib.error) as exc:
            with pytest.raises(type(exc)) as raised:
                read_capped(path, limit)
            assert str(raised.value) == str(exc), name
            continue
        assert read_capped(path, limit) == (expected, sha256(expected)), name


def test_a_page_over_the_cap_is_read_one_byte_past_it(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(PAGE))
    raw, _ = read_capped(path, 1000)
    assert raw == PAGE[:1001]


def test_a_json_line_is_parsed_where_it_is_prepared(tmp_path, monkeypatch):
    """The main process of an import only hashes a JSON line; the worker preparing it parses it,
    and a broken line fails there with the reason (and address) its record always had."""
    from vnnews.news.importers import jsonl
    from vnnews.news.importers.pipeline import prepare_item

    lines = [
        '{"url": "https://x.vn/a", "title": ',
        "[1, 2]",
        '{"url": " https://x.vn/b ", "title": "Tin", "content": "boom"}',
        '{"url": "https://x.vn/c", "title": "Hà Nội", "content": "Mưa to."}',
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(jsonl.iter_items(path))
    assert [(i.key, i.url, i.failed) for i in items] == [
        (f"dòng {n}", "", "") for n in (1, 2, 3, 4)
    ]
    assert [i.raw_hash for i in items] == [sha256(line.strip().encode()) for line in lines]
    parse = jsonl.article_from_record

    def failing(record):  # a field the parser trips on
        if record["content"] == "boom":
            raise TypeError("boom")
        return parse(record)

    monkeypatch.setattr(jsonl, "article_from_record", failing)
    prepared = [prepare_item(item) for item in items]
    assert [(p.stage, p.url) for p in prepared[:3]] == [
        ("parse", ""),
        ("parse", ""),
        ("parse", " https://x.vn/b "),
    ]
    assert prepared[0].reason.startswith("JSON hỏng: ")
    assert prepared[1].reason == "không phải đối tượng JSON (list)"
    assert prepared[2].reason == "TypeError: boom"
    assert (prepared[3].stage, prepared[3].stored_url) == ("", "https://x.vn/c")


def test_a_json_line_whose_preparation_fails_keeps_its_address(tmp_path, monkeypatch):
    """A normaliser or sanitiser bug fails the item at stage "prepare"; the record still names
    the address, which a JSON line's item only learns when the worker parses it."""
    from vnnews.news.importers import jsonl, pipeline

    path = tmp_path / "p.jsonl"
    path.write_text('{"url": "https://x.vn/c", "title": "Hà Nội", "content": "Mưa."}\n', "utf-8")
    (item,) = jsonl.iter_items(path)

    def broken(article, ahead=False):
        raise ValueError("hỏng")

    monkeypatch.setattr(pipeline, "prepare", broken)
    prepared = pipeline.prepare_item(item)
    assert (prepared.stage, prepared.url) == ("prepare", "https://x.vn/c")
