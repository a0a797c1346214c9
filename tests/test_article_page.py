"""The seed's article page: everything the reader of the original page gets (title, sapo, every
body paragraph, images with their captions, byline, outlet and time) and none of its clutter;
OpenGraph and NewsArticle JSON-LD; outlet text always escaped; the page fits its byte budget."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from lxml import html as lxml_html

from tests.factories import (
    SEED_BOILERPLATE,
    SEED_BYLINE,
    SEED_CAPTIONS,
    make_article,
    make_articles,
    make_seed_article,
    plain_static_files,  # noqa: F401  (autouse)
    seed_by_hand,
    seed_fields,
    seed_paragraphs,
)
from vnnews.news.models import Story
from vnnews.reader.links import article_path
from vnnews.text import normalize

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 100 * 1024  # article HTML + CSS + JS, before images


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def seed(seed_text):
    story = Story.objects.create(title="Đại hội Đảng bộ các khu công nghiệp Hà Nội")
    article = make_seed_article(seed_text, story=story)
    # Neighbours, so "Tin khác" and "Có thể bạn quan tâm" have something to show.
    make_articles(4, section=article.section, source=article.source)
    make_article(
        "Đại hội Đảng bộ các khu công nghiệp và chế xuất Hà Nội bầu Ban Chấp hành khoá mới",
        sapo="Phó Bí thư Thành ủy Đào Đức Toàn dự và chỉ đạo Đại hội.",
        section=article.section,
        story=story,
    )
    return article


@pytest.fixture
def seed_page(client, seed):
    response = client.get(article_path(seed))
    assert response.status_code == 200
    return response, lxml_html.fromstring(response.content)


def test_it_shows_the_title_sapo_and_every_body_paragraph(seed_text, seed_page):
    _, doc = seed_page
    fields = seed_fields(seed_text)
    story = doc.xpath("//article[contains(@class,'story')]")[0]
    assert squash(story.xpath(".//h1")[0].text_content()) == normalize(fields["title"])
    assert squash(story.xpath(".//p[@class='sapo']")[0].text_content()).startswith(
        "(LĐTĐ) Sáng 01/8, Đại hội đại biểu Đảng bộ"
    )
    body = squash(story.xpath(".//div[@class='story-body']")[0].text_content())
    # The truth is the seed read by hand, not whatever the extractor made of it.
    expected = [normalize(p) for p in seed_paragraphs(seed_by_hand(seed_text))]
    assert len(expected) == 10
    at = 0
    for paragraph in expected:
        found = body.find(paragraph, at)
        assert found >= 0, paragraph[:60]
        at = found + len(paragraph)


def test_captions_sit_under_their_images(seed_page):
    _, doc = seed_page
    figures = doc.xpath("//div[@class='story-body']/figure")
    assert len(figures) == 2
    for figure, caption in zip(figures, SEED_CAPTIONS, strict=True):
        img, figcaption = figure.xpath("./img")[0], figure.xpath("./figcaption")[0]
        assert figure.index(img) < figure.index(figcaption)
        assert squash(figcaption.text_content()).startswith(normalize(caption))
        assert img.get("src").startswith("https://")


def test_it_shows_byline_outlet_time_breadcrumb_and_tags(seed, seed_page):
    _, doc = seed_page
    assert squash(doc.xpath("//p[@class='byline']")[0].text_content()) == SEED_BYLINE
    original = doc.xpath("//p[@class='origin']//a[.='Xem bài gốc']")[0]
    assert original.get("href") == seed.url
    assert doc.xpath("//p[@class='origin']//a[.='Lao Động Thủ Đô']")
    time = doc.xpath("//p[@class='story-meta']/time")[0]
    assert time.text_content() == "Thứ Bảy, 01/08/2020, 11:30 (GMT+7)"
    assert time.get("datetime").startswith("2020-08-01T11:30:00+07:00")
    crumbs = [squash(a.text_content()) for a in doc.xpath("//nav[@aria-label='Đường dẫn']//a")]
    assert crumbs == ["Trang chủ", "Thời sự"]
    assert [squash(a.text_content()) for a in doc.xpath("//ul[@class='tags']//a")] == [
        "Đảng bộ",
        "Khu công nghiệp",
    ]


def test_it_has_related_latest_and_most_viewed_boxes(client, seed, seed_page):
    _, doc = seed_page
    headings = [squash(h.text_content()) for h in doc.xpath("//aside//h2")]
    assert "Có thể bạn quan tâm" in headings and "Tin khác" in headings
    other = doc.xpath("//section[h2='Tin khác']//li/a")
    assert other and all("seed" not in a.get("href") for a in other)
    assert article_path(seed) not in [a.get("href") for a in doc.xpath("//aside//li/a")]


def test_none_of_the_seed_pages_boilerplate_appears(seed_page):
    response, _ = seed_page
    page = response.content.decode()
    for clutter in SEED_BOILERPLATE:
        assert clutter not in page, clutter


def test_it_carries_opengraph_and_news_article_json_ld(seed, seed_page):
    _, doc = seed_page

    def og(prop):
        return doc.xpath(f"//meta[@property='{prop}']/@content")

    assert og("og:type") == ["article"]
    assert og("og:title") == [seed.title]
    assert og("og:url")[0].endswith(article_path(seed))
    assert og("og:image") == [seed.lead_image]
    scripts = doc.xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 1
    data = json.loads(scripts[0].text)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == seed.title
    assert data["datePublished"].startswith("2020-08-01T")
    assert data["publisher"]["name"] == "Lao Động Thủ Đô"
    assert [a["name"] for a in data["author"]] == ["Hoàng Phúc", "Lê Kiên"]
    assert len(data["image"]) == 2


def test_outlet_text_is_always_escaped(client):
    hostile = '</script><script>alert(1)</script><img src=x onerror="alert(2)">'
    article = make_article(
        f"Tiêu đề {hostile}",
        sapo=hostile,
        blocks=[
            {"kind": "paragraph", "text": f"Đoạn {hostile}"},
            {"kind": "heading", "level": 9, "text": hostile},
            {"kind": "list", "items": [hostile], "ordered": True},
            {"kind": "table", "rows": [[hostile, "ô"]]},
            {"kind": "image", "src": "javascript:alert(3)", "caption": hostile},
            {"kind": "video", "src": "data:text/html,<script>alert(4)</script>"},
            {"kind": "embed", "src": "https://www.youtube.com/embed/x", "caption": hostile},
            {"kind": "script", "text": "alert(5)"},
        ],
        tags=[hostile],
        byline=hostile,
    )
    response = client.get(article_path(article))
    page = response.content.decode()
    doc = lxml_html.fromstring(response.content)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "javascript:" not in page and "data:text/html" not in page and "alert(5)" not in page
    assert not doc.xpath("//*[@onerror]") and not doc.xpath("//img[@src='x']")
    assert [s.get("type") for s in doc.xpath("//script[not(@src)]")] == ["application/ld+json"]
    data = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["headline"].startswith("Tiêu đề </script>")  # survives, escaped, as data
    assert doc.xpath("//div[@class='story-body']//figure/figcaption")  # caption kept, src dropped
    assert not doc.xpath("//div[@class='story-body']//figure/img")
    assert doc.xpath("//a[@href='https://www.youtube.com/embed/x']")


def test_the_article_page_fits_its_byte_budget(client, seed, seed_page):
    response, doc = seed_page
    total = len(response.content)
    assets = doc.xpath("//link[@rel='stylesheet']/@href") + doc.xpath("//script/@src")
    assert assets
    for url in assets:
        path = finders.find(url.removeprefix("/static/"))
        assert path, url
        with open(path, "rb") as handle:
            total += len(handle.read())
    assert total < PAGE_BUDGET, f"{total} bytes"
