"""Page metadata: dates (JSON-LD, meta, <time>, printed Vietnamese forms; always zone-aware),
canonical URL, site name, language, section, tags and lead image."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from vnnews.extract import extract

ICT = timezone(timedelta(hours=7))
PARAS = "".join(
    f"<p>Đoạn {i} của bài báo, đủ dài và có dấu phẩy, để được tính là nội dung chính.</p>"
    for i in range(4)
)


def page(head: str = "", top: str = "") -> str:
    return f'<html lang="vi"><head>{head}</head><body><article><h1>Tiêu đề bài báo dài</h1>{top}{PARAS}</article></body></html>'


@pytest.mark.parametrize(
    ("head", "top", "published"),
    [
        (
            '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
            '"headline":"Tiêu đề bài báo dài","datePublished":"2026-11-27T08:30:00+07:00"}</script>',
            "",
            datetime(2026, 11, 27, 8, 30, tzinfo=ICT),
        ),
        (
            '<meta property="article:published_time" content="2026-11-27T01:30:00Z">',
            "",
            datetime(2026, 11, 27, 1, 30, tzinfo=UTC),
        ),
        (
            "",
            '<time datetime="2026-11-27T08:30:00">08:30</time>',
            datetime(2026, 11, 27, 8, 30, tzinfo=ICT),
        ),
        (
            "",
            '<span class="date">Thứ Sáu, 27/11/2026 - 08:30</span>',
            datetime(2026, 11, 27, 8, 30, tzinfo=ICT),
        ),
        (
            "",
            '<div class="time">27/11/2026 08:30 (GMT+7)</div>',
            datetime(2026, 11, 27, 8, 30, tzinfo=ICT),
        ),
        (
            '<meta itemprop="datePublished" content="2026-11-27">',
            '<span class="fr">Thứ Sáu, 27/11/2026 - 10:03</span>',
            datetime(2026, 11, 27, 10, 3, tzinfo=ICT),
        ),
    ],
    ids=["json-ld", "meta-utc", "time-element", "thu-sau", "gmt7", "day-meta-plus-printed-time"],
)
def test_it_reads_the_publish_time_with_a_zone(head, top, published):
    article = extract(page(head, top))
    assert article.published == published
    assert article.published.tzinfo is not None


def test_a_ticker_date_elsewhere_on_the_page_does_not_win():
    ticker = (
        '<div class="ticker"><a>Tin cũ <label class="time">11:42 | 26/12/2012</label></a></div>'
    )
    html = page(top='<span class="spanTime">Thứ năm, 20/12/2012, 10:18 GMT+7</span>')
    html = html.replace("<body>", f"<body>{ticker}")
    assert extract(html).published == datetime(2012, 12, 20, 10, 18, tzinfo=ICT)


def test_it_reads_the_page_facts():
    head = (
        '<link rel="canonical" href="/thoi-su/bai-1.html">'
        '<meta property="og:site_name" content="Báo Thử">'
        '<meta property="og:image" content="/anh/dai-dien.jpg">'
        '<meta property="article:tag" content="Hà Nội"><meta property="article:tag" content="Giao thông">'
        '<meta property="article:modified_time" content="2026-11-27T09:00:00+07:00">'
        '<script type="application/ld+json">{"@type":"BreadcrumbList","itemListElement":['
        '{"@type":"ListItem","position":1,"name":"Trang chủ"},'
        '{"@type":"ListItem","position":2,"name":"Thời sự"},'
        '{"@type":"ListItem","position":3,"name":"Giao thông"}]}</script>'
    )
    article = extract(page(head), url="https://bao.vn/x/y.html?utm_source=z")
    assert article.canonical_url == "https://bao.vn/thoi-su/bai-1.html"
    assert article.site_name == "Báo Thử"
    assert article.language == "vi"
    assert article.lead_image == "https://bao.vn/anh/dai-dien.jpg"
    assert article.tags == ["Hà Nội", "Giao thông"]
    assert article.section_path == ["Thời sự", "Giao thông"] and article.section == "Giao thông"
    assert article.updated == datetime(2026, 11, 27, 9, 0, tzinfo=ICT)
    assert article.url == "https://bao.vn/x/y.html?utm_source=z"


def test_the_article_round_trips_through_json():
    from vnnews.extract import Article

    article = extract(
        page('<meta property="article:published_time" content="2026-11-27T08:30:00+07:00">')
    )
    again = Article.from_dict(article.to_dict())
    assert again == article
