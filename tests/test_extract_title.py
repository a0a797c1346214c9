"""Headline choice: the on-page headline that matches the page's metadata, never a logo."""

from __future__ import annotations

import pytest

from vnnews.extract import extract

BODY = "<p>" + "Nội dung bài viết đủ dài, có dấu phẩy, để thành một đoạn văn thật. " * 4 + "</p>"


def page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}{BODY}</body></html>"


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        (
            '<meta property="og:title" content="Giá vàng tăng mạnh">',
            "<h1>Giá vàng tăng mạnh</h1>",
            "Giá vàng tăng mạnh",
        ),
        (
            "<title>Giá vàng tăng mạnh - Báo Thử</title>",
            "<h1>Báo Thử</h1><h3 class=Title>Giá vàng tăng mạnh</h3>",
            "Giá vàng tăng mạnh",
        ),
        (
            "<title>Giá vàng tăng mạnh hôm nay - Kinh doanh | Báo Thử</title>",
            "<div>no heading here</div>",
            "Giá vàng tăng mạnh hôm nay",
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle",'
            ' "headline": "Hà Nội mưa lớn", "datePublished": "2026-11-27T08:30:00+07:00"}</script>',
            "<div class=logo><h1>Báo Thử</h1></div>",
            "Hà Nội mưa lớn",
        ),
        (
            '<meta property="og:title" content="Hà Nội mưa lớn - Báo Thử">',
            "<h1>Hà Nội mưa lớn</h1>",
            "Hà Nội mưa lớn",
        ),
    ],
    ids=["og-and-h1", "title-part-printed-as-h3", "first-title-part", "json-ld", "h1-inside-og"],
)
def test_it_picks_the_headline(head, body, title):
    assert extract(page(head, body)).title == title


def test_the_headline_is_not_repeated_in_the_body():
    article = extract(page("<title>Giá vàng tăng mạnh</title>", "<h1>Giá vàng tăng mạnh</h1>"))
    assert "Giá vàng tăng mạnh" not in article.text


def test_the_title_is_nfc():
    decomposed = "Gia\u0301 va\u0300ng"  # NFD input
    article = extract(page(f'<meta property="og:title" content="{decomposed}">', ""))
    assert article.title == "Giá vàng"
