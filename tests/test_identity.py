"""Article identity: one canonical spelling of a URL, and a content hash blind to spelling noise."""

from __future__ import annotations

import pytest

from vnnews.stories.identity import (
    canonical_url,
    content_hash,
    site_domain,
)
from vnnews.text import normalize

SAME_ARTICLE = [
    # (as found, as stored)
    ("HTTPS://VnExpress.NET/a-123.html", "https://vnexpress.net/a-123.html"),
    ("https://vnexpress.net:443/a-123.html", "https://vnexpress.net/a-123.html"),
    ("http://dantri.com.vn:80/x.htm", "http://dantri.com.vn/x.htm"),
    ("https://vnexpress.net/a-123.html#box-comment", "https://vnexpress.net/a-123.html"),
    (
        "https://vnexpress.net/a.html?utm_source=fb&utm_medium=social",
        "https://vnexpress.net/a.html",
    ),
    ("https://x.vn/a?fbclid=IwAR0&id=5", "https://x.vn/a?id=5"),
    ("https://x.vn/a?gclid=1&_ga=2&_gl=3&msclkid=4", "https://x.vn/a"),
    ("https://thanhnien.vn/a.htm?zarsrc=31&gidzl=abc&utm_campaign=z", "https://thanhnien.vn/a.htm"),
    ("https://x.vn/a?b=2&a=1", "https://x.vn/a?a=1&b=2"),
    ("https://x.vn/tin-tuc/a-1.html/amp", "https://x.vn/tin-tuc/a-1.html"),
    ("https://x.vn/a-1.html?amp", "https://x.vn/a-1.html"),
    ("https://x.vn/a-1.html?outputType=amp", "https://x.vn/a-1.html"),
    ("https://x.vn", "https://x.vn/"),
    ("  https://x.vn/a \n", "https://x.vn/a"),
    ("https://user:pw@x.vn/a", "https://x.vn/a"),
    ("https://x.vn:8080/a", "https://x.vn:8080/a"),
    ("https://vi.wikipedia.org/wiki/Hà_Nội", "https://vi.wikipedia.org/wiki/H%C3%A0_N%E1%BB%99i"),
    (
        "https://vi.wikipedia.org/wiki/H%C3%A0_N%E1%BB%99i",
        "https://vi.wikipedia.org/wiki/H%C3%A0_N%E1%BB%99i",
    ),
]


@pytest.mark.parametrize(("found", "stored"), SAME_ARTICLE)
def test_it_spells_one_article_one_way(found, stored):
    assert canonical_url(found) == stored


def test_it_keeps_parameters_that_choose_the_article():
    assert (
        canonical_url("https://x.vn/news.php?id=42&page=2") == "https://x.vn/news.php?id=42&page=2"
    )
    assert canonical_url("https://x.vn/amp-la-gi.html") == "https://x.vn/amp-la-gi.html"


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://x.vn/a",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "mailto:a@x.vn",
        "/relative/path",
        "",
        "https://",
        "http://[::1",
    ],
)
def test_it_refuses_what_is_not_a_web_address(bad):
    with pytest.raises(ValueError):
        canonical_url(bad)


def test_the_hash_ignores_composition_tone_placement_case_and_spacing():
    a = content_hash("Hoà bình ở Thủy Nguyên", "Khoẻ  mạnh.\n\nTOẢ sáng")
    b = content_hash("hòa bình ở thuỷ nguyên", "khỏe mạnh. tỏa   sáng")
    assert a == b
    assert len(a) == 64


def test_the_hash_changes_when_the_words_change():
    assert content_hash("Tiêu đề", "Nội dung một") != content_hash("Tiêu đề", "Nội dung hai")
    assert content_hash("Tiêu đề A", "x") != content_hash("Tiêu đề B", "x")


def test_the_memoised_normalize_equals_placing_marks_word_by_word(seed_text):
    import unicodedata

    from vnnews.text.normalize import _SPACES, _WORD, place_tone_marks

    def by_word(text: str) -> str:
        text = _SPACES.sub(" ", unicodedata.normalize("NFC", text))
        return unicodedata.normalize("NFC", _WORD.sub(lambda m: place_tone_marks(m.group(0)), text))

    samples = [
        seed_text,
        "Thuỷ, hoà, khoẻ, QUỲNH, nghiêng",
        "khoẻ khoẻkhoẻ hoàhoà",  # a moved syllable inside a longer letter run is another word
        "a  b\t\tc\u00a0d \u3000 e\u2009f",
        "नमस्ते दुनिया",
        "Ελληνικά ά",
        "",
    ]
    for text in samples:
        assert normalize(text) == by_word(text)
        assert normalize(text) == normalize(text)  # the memo answers the same the second time


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://ione.vnexpress.net/x", "vnexpress.net"),
        ("https://www.dantri.com.vn/x", "dantri.com.vn"),
        ("https://laodongthudo.vn/a.html", "laodongthudo.vn"),
        ("https://news.bbc.co.uk/a", "bbc.co.uk"),
        ("file:///imported/x.txt", ""),
        ("not a url", ""),
    ],
)
def test_it_names_the_outlet_by_its_registrable_domain(url, domain):
    assert site_domain(url) == domain
