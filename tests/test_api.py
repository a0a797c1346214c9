"""JSON API v1: articles with filters, article detail, search, sections, sources, errors."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import (  # plain_static_files: an autouse fixture
    make_article,
    make_section,
    make_source,
    plain_static_files,  # noqa: F401
    use_memory_caches,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_caches(settings):
    use_memory_caches(settings, "t")


@pytest.fixture
def newsroom():
    thoi_su = make_section("thoi-su", "Thời sự", 1)
    the_thao = make_section("the-thao", "Thể thao", 2)
    ldtd = make_source("laodongthudo.vn", "Lao Động Thủ Đô")
    dantri = make_source("dantri.com.vn", "Dân trí")
    day = timezone.make_aware(datetime(2026, 11, 20, 9, 0))
    articles = {
        "hanoi": make_article(
            "Hà Nội cải tạo hệ thống thoát nước",
            sapo="Thành phố Hà Nội công bố kế hoạch chống ngập.",
            section=thoi_su,
            source=ldtd,
            published=day,
            tags=["Hà Nội", "Chống ngập"],
            authors=["Minh Anh"],
            byline="Minh Anh",
        ),
        "football": make_article(
            "Đội tuyển Việt Nam thắng Thái Lan",
            section=the_thao,
            source=dantri,
            published=day + timedelta(days=1),
            tags=["Bóng đá"],
        ),
        "hue": make_article(
            "Mưa lớn gây ngập ở Huế",
            section=thoi_su,
            source=dantri,
            published=day + timedelta(days=2),
            tags=["Hà Nội mới"],
        ),
    }
    articles["copy"] = make_article(
        "Hà Nội cải tạo thoát nước (bản đăng lại)",
        section=thoi_su,
        source=dantri,
        published=day + timedelta(hours=1),
        duplicate_of=articles["hanoi"],
    )
    return articles


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["results"]]


def test_it_lists_articles_newest_first_without_duplicates(client, newsroom):
    response = client.get("/api/v1/articles")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["count"] == 3
    assert titles(response) == [
        "Mưa lớn gây ngập ở Huế",
        "Đội tuyển Việt Nam thắng Thái Lan",
        "Hà Nội cải tạo hệ thống thoát nước",
    ]
    first = body["results"][2]
    assert first["section"] == {"slug": "thoi-su", "name": "Thời sự"}
    assert first["source"] == {"name": "Lao Động Thủ Đô", "domain": "laodongthudo.vn"}
    assert first["published"].startswith("2026-11-20T09:00:00+07:00")
    assert first["original_url"] == newsroom["hanoi"].url
    assert first["url"].startswith("http://testserver/")
    assert first["tags"] == ["Hà Nội", "Chống ngập"]


def test_a_list_page_costs_a_fixed_number_of_queries_and_its_count_follows_saves(
    client, newsroom, django_assert_max_num_queries, django_assert_num_queries
):
    client.get("/api/v1/articles?section=thoi-su")
    # Only the summary's columns are read: no item loads a field later (a query per item).
    with django_assert_max_num_queries(2):  # the section exists, then one page of rows
        body = client.get("/api/v1/articles?section=thoi-su").json()
    assert body["count"] == 2
    assert all(item["source"]["name"] and item["section"] for item in body["results"])
    make_article("Hà Nội mở thêm tuyến buýt", section=newsroom["hanoi"].section)
    with django_assert_num_queries(3):  # a save changed the content version: counted again
        assert client.get("/api/v1/articles?section=thoi-su").json()["count"] == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("section=the-thao", ["Đội tuyển Việt Nam thắng Thái Lan"]),
        ("source=laodongthudo.vn", ["Hà Nội cải tạo hệ thống thoát nước"]),
        ("tag=Hà Nội", ["Hà Nội cải tạo hệ thống thoát nước"]),  # not "Hà Nội mới"
        ("tag=Bóng đá", ["Đội tuyển Việt Nam thắng Thái Lan"]),
        ("q=ngập", ["Mưa lớn gây ngập ở Huế", "Hà Nội cải tạo hệ thống thoát nước"]),
        ("since=2026-11-21&until=2026-11-21", ["Đội tuyển Việt Nam thắng Thái Lan"]),
        ("since=2026-11-22T00:00", ["Mưa lớn gây ngập ở Huế"]),
        ("section=thoi-su&source=dantri.com.vn", ["Mưa lớn gây ngập ở Huế"]),
    ],
)
def test_it_filters_the_article_list(client, newsroom, query, expected):
    response = client.get(f"/api/v1/articles?{query}")
    assert response.status_code == 200, response.content
    assert titles(response) == expected


def test_it_pages_the_article_list_with_links(client, newsroom):
    response = client.get("/api/v1/articles?per_page=2")
    body = response.json()
    assert (body["count"], body["page"], body["per_page"], len(body["results"])) == (3, 1, 2, 2)
    assert body["previous"] is None
    assert "page=2" in body["next"] and "per_page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert [r["title"] for r in second["results"]] == ["Hà Nội cải tạo hệ thống thoát nước"]
    assert second["next"] is None and "page=1" in second["previous"]


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/v1/articles?per_page=1000", 400, "per_page"),
        ("/api/v1/articles?per_page=0", 400, "per_page"),
        ("/api/v1/articles?page=abc", 400, "số nguyên"),
        ("/api/v1/articles?since=hôm-qua", 400, "ISO 8601"),
        ("/api/v1/articles?since=2026-11-22&until=2026-11-01", 400, "since"),
        ("/api/v1/articles?section=khong-co", 404, "chuyên mục"),
        ("/api/v1/articles?source=khong.co.vn", 404, "nguồn tin"),
        ("/api/v1/articles/999999", 404, "bài báo"),
        ("/api/v1/search", 400, "q"),
        ("/api/v1/khong-co", 404, "API"),
    ],
)
def test_it_answers_bad_requests_with_a_vietnamese_json_error(
    client, newsroom, path, status, words
):
    response = client.get(path)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status
    assert error["code"] == ("bad_request" if status == 400 else "not_found")
    assert words in error["message"]


def test_it_refuses_writes(client, newsroom):
    assert client.post("/api/v1/articles", {}).status_code == 405


def test_it_shows_one_article_with_blocks_and_images(client, newsroom):
    article = newsroom["hanoi"]
    article.images.create(position=0, src="https://laodongthudo.vn/a.jpg", caption="Cống ngầm")
    response = client.get(f"/api/v1/articles/{article.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == article.pk
    assert body["blocks"] == article.blocks and body["blocks"]
    assert body["images"][0]["caption"] == "Cống ngầm"
    assert body["byline"] == "Minh Anh" and body["authors"] == ["Minh Anh"]
    assert body["duplicate_of"] is None
    copy = client.get(f"/api/v1/articles/{newsroom['copy'].pk}").json()
    assert copy["duplicate_of"] == article.pk
    # Vietnamese stays readable in the JSON text, not \\u escapes.
    assert "Hà Nội".encode() in response.content


def test_it_searches_without_diacritics(client, newsroom):
    response = client.get("/api/v1/search?q=ha noi")
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "ha noi"
    assert "Hà Nội cải tạo hệ thống thoát nước" in titles(response)
    assert "Đội tuyển Việt Nam thắng Thái Lan" not in titles(response)
    narrowed = client.get("/api/v1/search?q=ngap&section=the-thao").json()
    assert narrowed["count"] == 0 and narrowed["results"] == []


def test_it_lists_sections_and_sources_with_their_feeds(client, newsroom):
    sections = client.get("/api/v1/sections").json()["results"]
    assert [s["slug"] for s in sections] == ["thoi-su", "the-thao"]
    assert sections[0]["rss"] == "http://testserver/chuyen-muc/thoi-su/rss"
    assert sections[0]["atom"] == "http://testserver/chuyen-muc/thoi-su/atom"
    sources = client.get("/api/v1/sources").json()["results"]
    assert {s["domain"] for s in sources} == {"laodongthudo.vn", "dantri.com.vn"}
    assert all(s["rss"].endswith(f"/nguon/{s['domain']}/rss") for s in sources)


def test_it_lists_its_endpoints_at_the_root(client):
    endpoints = client.get("/api/v1/").json()["endpoints"]
    assert set(endpoints) == {"articles", "search", "sections", "sources"}
