"""Bylines as printed and the author names in them."""

from __future__ import annotations

import pytest

from vnnews.extract import extract
from vnnews.extract.byline import looks_like_byline, names

PARA = "Đoạn văn dài của bài báo, kể lại sự việc với nhiều chi tiết, số liệu và lời kể nhân chứng."


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("Hoàng Phúc - Lê Kiên", False, True),
        ("Theo VnExpress", False, True),
        ("Nguồn: TTXVN", False, True),
        ("Quang Phong", True, True),
        ("PV", True, True),
        ("MINH ANH", False, True),
        ("Người dân đổ ra đường rất đông vào tối qua.", False, False),
        (
            "Ông Lê Quang Long cho biết, mặc dù chịu ảnh hưởng xấu, thu hút đầu tư vẫn đạt.",
            True,
            False,
        ),
    ],
)
def test_it_recognises_bylines(text, hint, expected):
    assert looks_like_byline(text, hint) is expected


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("Hoàng Phúc - Lê Kiên", ["Hoàng Phúc", "Lê Kiên"]),
        ("Theo Dân trí", []),
        ("Nhóm PV - Theo Infonet", ["Nhóm PV"]),
        ("Bài và ảnh: Trọng Đức", ["Trọng Đức"]),
        ("MINH ANH (tổng hợp)", ["Minh Anh"]),
        ("Lan Anh, Hải Yến", ["Lan Anh", "Hải Yến"]),
    ],
)
def test_it_reads_author_names_from_a_byline(byline, authors):
    assert names(byline) == authors


@pytest.mark.parametrize(
    ("tail", "byline", "authors"),
    [
        (
            '<p align="right"><strong>Hoàng Phúc - Lê Kiên</strong></p>',
            "Hoàng Phúc - Lê Kiên",
            ["Hoàng Phúc", "Lê Kiên"],
        ),
        ('<p class="author">Lê Phương</p>', "Lê Phương", ["Lê Phương"]),
        ('<p style="text-align: right"><b>Theo VnExpress</b></p>', "Theo VnExpress", []),
        (
            '<p class="pAuthor">Nhóm PV</p><p class="pSource">Theo Infonet</p>',
            "Nhóm PV - Theo Infonet",
            ["Nhóm PV"],
        ),
    ],
    ids=["right-bold", "p.author", "theo", "two-lines"],
)
def test_the_byline_at_the_end_leaves_the_body(tail, byline, authors):
    paras = "".join(f"<p>{PARA} {i}.</p>" for i in range(4))
    page = f'<html lang="vi"><head><meta name="author" content="Ban biên tập"></head><body><article><h1>Tiêu đề bài báo dài</h1>{paras}{tail}</article></body></html>'
    article = extract(page)
    assert article.byline == byline
    assert article.authors == (authors or ["Ban biên tập"])
    assert byline.split(" - ")[0] not in article.text


def test_english_pages_take_authors_from_metadata():
    page = (
        '<html lang="en"><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"H",'
        '"author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Roe"}]}</script></head>'
        "<body><article><h1>H</h1>"
        + "<p>Long English paragraph with words, commas, and more.</p>" * 4
        + "</article></body></html>"
    )
    assert extract(page).authors == ["Jane Doe", "John Roe"]
