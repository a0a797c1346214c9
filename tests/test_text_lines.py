"""normalize_lines and fold_lines: many short strings normalised or folded in one call give
exactly what normalize() and fold() give one by one (search indexing learns new words so)."""

from __future__ import annotations

import pytest

from vnnews.text import fold, normalize
from vnnews.text.normalize import fold_lines, normalize_lines, normalize_many

WORDS = [
    "Hà", "Nội", "hoà", "hòa", "ho\u0300a", "TOẢ", "toả", "tỏa", "thuỷ", "QUÝ", "giữa", "Đà",
    "đ", "Đ", "x\u200bhoà", "a\u00a0b", "\u0301", "x\u0301\u0301y", "COVID-19:", "1.234",
    "«ngoặc»", "t/p.HCM", "ﬁ", "Ⅻ", "ＡＢＣ", "İstanbul", "", "nguyễn", "khuỷu", "ươn",
]  # fmt: skip
BEYOND = ["Σίσυφος", "ΣΑΣ", "Привет", "日本語", "テスト"]
# Whole lines, in Latin letters or not, with spaces to fold away: Latin lines are folded
# together even among lines in other scripts.
LINES = [
    "Hà  Nội ", " \u0301 hoà", "Σίσυφος hoà", "a\tb\u2003c", "€ 5", "ĐÀ NẴNG", "", "日本 語",
]  # fmt: skip


@pytest.mark.parametrize(
    "words",
    [WORDS, WORDS + BEYOND, BEYOND, [], ["a"], ["", ""], LINES, BEYOND[:1] + WORDS + LINES],
)
def test_lines_give_what_one_by_one_gives(words):
    assert normalize_lines(words) == [normalize(w) for w in words]
    assert fold_lines(words) == [fold(w) for w in words]
    normal = [normalize(w) for w in words]
    assert fold_lines(normal, normalized=True) == [fold(w, normalized=True) for w in normal]


def test_many_texts_with_newlines_give_what_one_by_one_gives():
    # An article's fields: paragraphs with newlines, the body text repeating them, empty lines,
    # a combining mark right after a newline, odd spaces around one.
    texts = [
        *WORDS, *BEYOND, "Thuỷ thủ\n\nhoà giải,  toả\u00a0sáng", "Thuỷ thủ", "\n", "\n\n",
        "a\n\u0301b", "x \n\ty", "hoà\r\nbình", "Hà\nNội\n", "Σίσυφος\nhoà",
    ]  # fmt: skip
    assert normalize_many(texts) == {text: normalize(text) for text in texts}
    assert normalize_many([]) == {}
    assert normalize_many([None, ""]) == {None: "", "": ""}


def test_a_line_with_a_newline_takes_the_slow_way_with_the_same_answer():
    words = ["Hà\nNội", "hoà"]
    assert normalize_lines(words) == [normalize(w) for w in words]
    assert fold_lines(words) == [fold(w) for w in words]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thuỷ thủ hoà giải, toả sáng", "Thủy thủ hòa giải, tỏa sáng"),
        ("Hà Nội,  mưa\u00a0to", "Hà Nội, mưa to"),
        ("tỏa\u2003sáng\tnhé", "tỏa sáng nhé"),
        ("ho\u0300a\u200bbình", "hòa bình"),
    ],
)
def test_normalize_answers_the_same_the_second_time(text, expected):
    # The second call finds the text's pieces remembered as canonical or not.
    assert normalize(text) == expected
    assert normalize(text) == expected
    assert normalize(f"{text} {text}") == f"{expected} {expected}"
