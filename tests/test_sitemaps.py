"""Sitemap index, article and section sitemaps (paginated at the protocol's limit), the Google
News sitemap and robots.txt."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from lxml import etree

from tests.factories import (  # plain_static_files: an autouse fixture
    make_article,
    make_section,
    make_source,
    plain_static_files,  # noqa: F401
    use_memory_caches,
)
from vnnews.api import sitemaps

pytestmark = pytest.mark.django_db
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture(autouse=True)
def memory_caches(settings):
    use_memory_caches(settings, "s")


@pytest.fixture
def newsroom():
    thoi_su = make_section("thoi-su", "Thời sự", 1)
    make_section("the-thao", "Thể thao", 2)
    source = make_source("dantri.com.vn", "Dân trí")
    now = timezone.now()
    fresh = make_article(
        "Tin mới: Hà Nội & Huế <mưa lớn>",
        section=thoi_su,
        source=source,
        published=now - timedelta(hours=5),
    )
    old = make_article(
        "Tin cũ từ tuần trước", section=thoi_su, source=source, published=now - timedelta(days=7)
    )
    copy = make_article(
        "Bản sao tin mới", source=source, published=now - timedelta(hours=4), duplicate_of=fresh
    )
    return {"fresh": fresh, "old": old, "copy": copy}


def xml(response):
    assert response.status_code == 200, response.content[:300]
    return etree.fromstring(response.content)


def test_it_indexes_the_article_and_section_sitemaps(client, newsroom):
    root = xml(client.get("/sitemap.xml"))
    assert root.tag == f"{SM}sitemapindex"
    locations = [loc.text for loc in root.iter(f"{SM}loc")]
    assert "http://testserver/sitemap-articles.xml" in locations
    assert "http://testserver/sitemap-sections.xml" in locations
    articles = next(
        s for s in root.iter(f"{SM}sitemap") if s.findtext(f"{SM}loc").endswith("articles.xml")
    )
    newest = max(a.updated or a.published for a in newsroom.values() if not a.duplicate_of_id)
    lastmod = datetime.fromisoformat(articles.findtext(f"{SM}lastmod"))
    assert abs(lastmod - newest) < timedelta(seconds=1)


def test_it_lists_every_original_article_with_lastmod(client, newsroom):
    root = xml(client.get("/sitemap-articles.xml"))
    urls = root.findall(f"{SM}url")
    assert len(urls) == 2  # the copy is left out
    assert all(u.findtext(f"{SM}loc").startswith("http://testserver/") for u in urls)
    assert all(u.findtext(f"{SM}lastmod") for u in urls)
    sections = xml(client.get("/sitemap-sections.xml")).findall(f"{SM}url")
    assert len(sections) == 2


def test_it_paginates_articles_at_the_protocol_limit():
    assert sitemaps.ArticleSitemap.limit == 50_000


def test_it_splits_the_article_sitemap_into_pages(client, newsroom, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 1)
    index = xml(client.get("/sitemap.xml"))
    locations = [loc.text for loc in index.iter(f"{SM}loc")]
    assert "http://testserver/sitemap-articles.xml?p=2" in locations
    second = xml(client.get("/sitemap-articles.xml?p=2"))
    assert len(second.findall(f"{SM}url")) == 1


def test_it_lists_only_the_last_two_days_in_the_news_sitemap(client, newsroom):
    response = client.get("/sitemap-news.xml")
    assert response["Content-Type"].startswith("application/xml")
    root = xml(response)
    urls = root.findall(f"{SM}url")
    assert len(urls) == 1
    news = urls[0].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "vnnews"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "vi"
    assert news.findtext(f"{NEWS}title") == "Tin mới: Hà Nội & Huế <mưa lớn>"
    published = news.findtext(f"{NEWS}publication_date")
    assert published.startswith(
        timezone.localtime(newsroom["fresh"].published).strftime("%Y-%m-%dT%H:%M")
    )


def test_it_points_robots_to_the_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines
    assert "Disallow: /admin/" in lines


@pytest.mark.parametrize(
    "title",
    ["Hà Nội & Huế <mưa lớn>", "ĐÀ NẴNG: khai trương cầu Rồng", "Thuỷ điện Hoà Bình", "!!!", ""],
)
def test_it_links_articles_exactly_like_the_reader(title):
    from types import SimpleNamespace

    from vnnews.api.links import article_path
    from vnnews.reader.links import article_path as reader_article_path

    article = SimpleNamespace(pk=42, title=title)
    assert article_path(article) == reader_article_path(article)


@pytest.mark.parametrize("query", ["?p=0", "?p=2", "?p=abc"])
def test_it_answers_404_for_a_sitemap_page_that_does_not_exist(client, newsroom, query):
    assert client.get(f"/sitemap-articles.xml{query}").status_code == 404


def test_it_answers_404_for_an_unknown_sitemap_section(client, newsroom):
    assert client.get("/sitemap-khong-co.xml").status_code == 404
