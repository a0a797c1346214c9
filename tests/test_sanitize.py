"""Allow-list sanitising: nothing executable or invisible reaches storage."""

from __future__ import annotations

import random

import pytest

from vnnews.extract.article import Article, Block
from vnnews.sanitize import (
    _clean_text_fully,
    clean_text,
    clean_url,
    sanitize_article,
    sanitize_html,
)

TEXT_CASES = [
    ("<b>Hà</b> Nội", "Hà Nội"),
    ("Tin <script>alert(1)</script>nóng", "Tin nóng"),
    ("A &amp; B", "A & B"),
    ("Giá 5 < 7 và 9 > 3", "Giá 5 < 7 và 9 > 3"),
    ("zero\u200bwidth\ufeff", "zerowidth"),
    ("bidi\u202eevil", "bidievil"),
    ("nul\x00byte\x07", "nulbyte"),
    ("dòng 1  \r\ndòng 2\n\n\n\n\ndòng 3", "dòng 1\ndòng 2\n\ndòng 3"),
    ("<p>Đoạn một</p><p onclick='x()'>Đoạn hai</p>", "Đoạn mộtĐoạn hai"),
]


@pytest.mark.parametrize(("raw", "clean"), TEXT_CASES)
def test_it_keeps_only_plain_text(raw, clean):
    assert clean_text(raw) == clean


# Pieces that each trip (or nearly trip) one of clean_text's rules: tags, entities and a bare
# ampersand, carriage returns, tabs, invisible characters, spaces before a newline, runs of newlines.
_TRICKY = ["Hà", " ", "  ", "\n", "\n\n\n", "\r", "\r\n", "\t", " \n", "\u00a0", "\u200b",
           "\ufeff", "\x07", "\x85", "<b>", "</b>", "<", ">", "&", "&amp;", "&#39;", "AT&T",
           "<script>x</script>", "Nội."]  # fmt: skip


def test_the_shortcut_for_plain_text_gives_the_full_answer():
    rng = random.Random(3)
    texts = [t for t, _ in TEXT_CASES] + [
        "".join(rng.choices(_TRICKY, k=rng.randint(1, 12))) for _ in range(3000)
    ]
    for text in texts:
        for multiline in (True, False):
            assert clean_text(text, multiline=multiline) == _clean_text_fully(text, multiline)


def test_it_folds_one_line_fields():
    assert clean_text("  Hoàng\n Phúc \t- Lê Kiên ", multiline=False) == "Hoàng Phúc - Lê Kiên"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://x.vn/a.jpg", True),
        ("http://x.vn/a.jpg", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:image/png;base64,AAAA", False),
        ("vbscript:x", False),
        ("//x.vn/a.jpg", False),
        ("/a.jpg", False),
        ("https://x.vn/a b.jpg", False),
        ("https://x.vn/a\u00a0b.jpg", False),
        ("https://x.vn/a\u200bb.jpg", False),
    ],
)
def test_it_keeps_only_absolute_http_urls(url, kept):
    assert (clean_url(url) == url) is kept


def test_markup_keeps_the_allow_list_only():
    html = (
        '<p style="x" onclick="steal()">Chào <a href="javascript:x()">bạn</a> '
        '<a href="https://x.vn/">đây</a><img src="data:x" onerror="y()"><iframe src="https://evil"></iframe>'
        "<script>alert(1)</script></p>"
    )
    out = sanitize_html(html)
    for banned in (
        "onclick",
        "style",
        "javascript",
        "data:",
        "onerror",
        "iframe",
        "script",
        "alert",
    ):
        assert banned not in out
    assert '<a href="https://x.vn/" rel="noopener noreferrer nofollow">đây</a>' in out


def test_an_article_loses_unsafe_media_and_markup():
    article = Article(
        title="<i>Tiêu đề</i>\n",
        sapo="Sapo <b>đậm</b>",
        blocks=[
            Block(kind="paragraph", text="Đoạn <em>một</em>"),
            Block(kind="image", src="javascript:alert(1)", caption="ảnh xấu"),
            Block(kind="image", src="https://x.vn/a.jpg", caption="<b>Ảnh</b> tốt"),
            Block(kind="paragraph", text="<script>x</script>"),
            Block(kind="list", items=["<b>một</b>", ""]),
        ],
        text="Đoạn <em>một</em>",
        authors=["<b>Hoàng Phúc</b>", ""],
        lead_image="data:image/png;base64,AAA",
        url="https://x.vn/a",
        canonical_url="javascript:x",
    )
    clean = sanitize_article(article)
    assert clean.title == "Tiêu đề"
    assert clean.sapo == "Sapo đậm"
    assert [b.kind for b in clean.blocks] == ["paragraph", "image", "image", "list"]
    assert (clean.blocks[1].src, clean.blocks[1].caption) == ("", "ảnh xấu")  # address gone
    assert clean.blocks[2].caption == "Ảnh tốt"
    assert clean.blocks[3].items == ["một"]
    assert clean.authors == ["Hoàng Phúc"]
    assert clean.lead_image == ""
    assert clean.canonical_url == ""
    assert clean.url == "https://x.vn/a"


def test_a_caption_without_a_picture_address_is_kept_but_an_empty_image_is_not():
    # Plain-text dumps like the seed keep "Phó Bí thư ... phát biểu" but not the photo's address.
    article = Article(
        title="t",
        blocks=[
            Block(kind="image", caption="Phó Bí thư Thành ủy Hà Nội phát biểu"),
            Block(kind="image"),
            Block(kind="video", caption="clip"),
        ],
    )
    clean = sanitize_article(article)
    assert [(b.kind, b.src, b.caption) for b in clean.blocks] == [
        ("image", "", "Phó Bí thư Thành ủy Hà Nội phát biểu")
    ]
