"""is_plainly_normal: the shortcut normalize_many takes for text already in normal form (nearly
every extracted page) must only ever say so of text that normalize() leaves as it is."""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

import pytest

from vnnews.text import normalize
from vnnews.text.normalize import _NOT_INERT, is_plainly_normal, normalize_many


@cache
def _second_of_a_composition() -> frozenset[str]:
    """Characters that NFC may compose with the one before (the second of a canonical pair)."""
    seconds = set()
    for cp in range(sys.maxunicode + 1):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                seconds.add(chr(int(parts[1], 16)))
    return frozenset(seconds)


def _inert() -> list[str]:
    return [chr(cp) for cp in range(0x80, 0x10000) if not _NOT_INERT.match(chr(cp))]


def test_inert_characters_are_neither_letters_spaces_nor_marks_and_never_compose():
    inert = _inert()
    assert "\u2019" in inert and "\u2014" in inert and "\u00a0" not in inert
    seconds = _second_of_a_composition()
    for ch in inert:
        assert not re.match(r"\w", ch), hex(ord(ch))
        assert not ch.isspace() and unicodedata.combining(ch) == 0, hex(ord(ch))
        assert unicodedata.category(ch)[0] in "PS", hex(ord(ch))  # punctuation or symbol
        assert unicodedata.normalize("NFC", ch) == ch == unicodedata.normalize("NFD", ch)
        assert ch not in seconds, hex(ord(ch))
        assert normalize(f"Hoà{ch}bình {ch}“thuỷ”{ch}") == f"Hòa{ch}bình {ch}“thủy”{ch}"


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII, one space.",
        "They’re “quoted” — and… €5 × 3 ± 1 ¶ § © ®",
        "a\nb\r\nc",
        "",
        "x\x00y\x7f",
        "line one\n\nline two",
        "«ngoặc»",
        "Hà Nội",
        "a  b",
        "a\tb",
        "a\u00a0b",
        "cafe\u0301",
        "ﬁ",
        "Ⅻ",
        "ＡＢＣ",
        "x\u200bhoà",
        "—\u0301",
        "Ω\u2126",
    ],  # fmt: skip
)
def test_plainly_normal_text_is_its_own_normal_form(text):
    if is_plainly_normal(text):
        assert normalize(text) == text
    assert normalize_many([text, text + "\nhoà"]) == {
        text: normalize(text),
        text + "\nhoà": normalize(text + "\nhoà"),
    }


def test_what_is_and_is_not_plainly_normal():
    assert is_plainly_normal("They’re “quoted” — fine…")
    assert is_plainly_normal("two\nlines")
    # A letter with a mark, a tab, two spaces, an odd space: the exact way decides.
    for text in ("Hà Nội", "a\tb", "a  b", "a\u00a0b", "“a  b”", "é", "a\u2003b"):
        assert not is_plainly_normal(text)


def test_many_texts_mixing_plain_and_other_lines():
    texts = [
        "“Plain” — line\nThuỷ thủ hoà giải\n\nplain again",
        "“Plain” — line",
        "Thuỷ thủ hoà giải",
        "plain  spaced\nok",
        "ok",
        "“Plain” — line\n\nok",  # every line a plain text already: plain
        "ok\nhoà\n",
    ]
    assert normalize_many(texts) == {text: normalize(text) for text in texts}
