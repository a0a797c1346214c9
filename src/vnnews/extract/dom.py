"""Bytes or text in, a parsed Lexbor tree out — with the guards that keep bad input from
crashing or hanging the extractor (empty, binary, too large, not HTML)."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from vnnews.extract.encoding import check_binary, decode_page
from vnnews.extract.errors import (
    EmptyPageError,
    ExtractionError,
    NotHTMLError,
    PageTooLargeError,
)

_TAG = re.compile(r"<\s*(?:html|head|body|div|p|meta|title|article|span|a|table|!doctype)\b", re.I)


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text. Valid UTF-8 is UTF-8 whatever the page declares (decode_page's first rule
    too), and needs no NFC pass here: every string we output is normalised on its own. Anything
    else (BOMs, UTF-16, lying declarations, windows-1258, TCVN3, VNI, VISCII) is decode_page's."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return decode_page(data, declared=declared)  # refuses binary input itself
    check_binary(data, declared)
    return text


def check_bytes(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise PageTooLargeError(f"page is {len(data)} bytes, over the limit of {max_bytes} bytes")
    if not data.strip():
        raise EmptyPageError("page is empty")


def to_text(page: bytes | str, max_bytes: int, declared: str | None = None) -> str:
    """Validate and decode the input into text that looks like HTML."""
    if isinstance(page, (bytes, bytearray, memoryview)):
        data = bytes(page)
        check_bytes(data, max_bytes)
        text = decode(data, declared)
    elif isinstance(page, str):
        if len(page) > max_bytes:
            raise PageTooLargeError(
                f"page is {len(page)} characters, over the limit of {max_bytes} bytes"
            )
        text = page
    else:
        raise NotHTMLError(f"expected bytes or str, got {type(page).__name__}")
    if not text.strip():
        raise EmptyPageError("page is empty")
    if "\x00" in text[:8192]:
        raise NotHTMLError("input contains NUL characters: binary, not HTML")
    if not _TAG.search(text[:65536]) and "<" not in text[:65536]:
        raise NotHTMLError("input holds no HTML markup (use extract_text for plain text)")
    # No whole-page NFC pass here (it costs as much as parsing): every string the extractor
    # outputs goes through vnnews.text.normalize on its own, which gives NFC.
    return text


# Void tags, and tags the parser closes by itself when left open (<p>, <li>, <td>, ...).
_VOID = ("<br", "<BR", "<img", "<IMG", "<meta", "<link", "<input", "<hr", "<!", "<source",
         "<p", "<P", "<li", "<LI", "<td", "<TD", "<tr", "<TR", "<option", "<dd", "<dt")  # fmt: skip
_CHUNK = 8192


def nesting_estimate(text: str) -> int:
    """Rough deepest nesting, from tag counts per 8 KB chunk (C-speed str.count, no parse).

    Lexbor's tree builder is quadratic in nesting depth (20,000 levels take ~0.5 s, 100,000 take
    minutes), so hostile pages must be refused before parsing. Counting at chunk boundaries can
    miss a burst shorter than a chunk, but such a burst is at most ~1,600 levels: harmless.
    """
    size = len(text)
    if size < 200_000:
        return 0  # at most ~40,000 levels (~2 s to parse) whatever it is
    # One pass of two counts per 8 KB chunk (str.count with bounds: no slice copies).
    count = text.count
    deltas = [
        count("<", start, start + _CHUNK) - 2 * count("</", start, start + _CHUNK)
        for start in range(0, size, _CHUNK)
    ]
    # Void tags (<br>, <img>), comments, doctypes and auto-closed tags (<p>, <li>) do not nest:
    # what the page leaves open is spread evenly over it. Counted only when a lot is left open.
    leftover = max(0, sum(deltas))
    if leftover > 2000:
        leftover = min(leftover, sum(text.count(tag) for tag in _VOID))
    spread = leftover / len(deltas)
    depth = deepest = 0.0
    for delta in deltas:
        depth += delta - spread
        if depth < 0:
            depth = 0.0
        elif depth > deepest:
            deepest = depth
    return int(deepest)


def parse(text: str, max_nesting: int = 5000) -> LexborHTMLParser:
    depth = nesting_estimate(text)
    if depth > max_nesting:
        raise ExtractionError(
            f"markup nests about {depth} levels deep (limit {max_nesting}): refusing to parse a"
            " page built to be slow"
        )
    return LexborHTMLParser(text)
