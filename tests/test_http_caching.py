"""HTTP behaviour: security headers on every page type, weak ETags and Last-Modified with 304 on
conditional GET (RFC 9110 §13), Cache-Control, the page cache and its invalidation, and
immutable fingerprinted static files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from tests.factories import (  # plain_static_files: an autouse fixture
    make_article,
    make_section,
    make_source,
    plain_static_files,  # noqa: F401
    use_memory_caches,
)
from vnnews.site.middleware import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_caches(settings, plain_static_files):  # noqa: F811 - after it: it turns the cache off
    settings.VNNEWS_PAGE_CACHE_SECONDS = 60
    use_memory_caches(settings, "h")


@pytest.fixture
def article():
    section = make_section("thoi-su", "Thời sự", 1)
    source = make_source("laodongthudo.vn", "Lao Động Thủ Đô")
    return make_article(
        "Hà Nội cải tạo hệ thống thoát nước",
        sapo="Kế hoạch chống ngập.",
        section=section,
        source=source,
        tags=["Hà Nội"],
        published=timezone.now() - timedelta(hours=1),
    )


def page_paths(article) -> dict[str, str]:
    from vnnews.api.links import article_path

    return {
        "home": "/",
        "section": "/chuyen-muc/thoi-su/",
        "source": "/nguon/laodongthudo.vn/",
        "tag": "/the/Hà Nội/",
        "search": "/tim-kiem/?q=ha+noi",
        "article": article_path(article),
        "rss": "/rss",
        "atom": "/atom",
        "section rss": "/chuyen-muc/thoi-su/rss",
        "api list": "/api/v1/articles",
        "api detail": f"/api/v1/articles/{article.pk}",
        "sitemap": "/sitemap.xml",
        "news sitemap": "/sitemap-news.xml",
        "robots": "/robots.txt",
    }


def test_it_sends_security_headers_and_validators_on_every_page_type(client, article):
    for name, path in page_paths(article).items():
        response = client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, name
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"], name
        assert response["ETag"].startswith('W/"'), name
        assert response["Last-Modified"].endswith("GMT"), name
        assert response["Cache-Control"].startswith("public, max-age="), name


def test_it_sends_the_csp_on_errors_too(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("kind", ["article", "rss", "api detail", "home"])
def test_it_answers_304_when_the_etag_matches(client, article, kind):
    path = page_paths(article)[kind]
    first = client.get(path)
    etag = first["ETag"]
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # Weak comparison: a strong form of the same tag matches too (RFC 9110 §13.1.2).
    assert client.get(path, HTTP_IF_NONE_MATCH=etag.removeprefix("W/")).status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH='W/"something-else"').status_code == 200


def test_it_answers_304_to_if_modified_since_unless_if_none_match_disagrees(client, article):
    path = page_paths(article)["api list"]
    first = client.get(path)
    later = http_date(timezone.now().timestamp() + 60)
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=later).status_code == 304
    earlier = http_date(timezone.now().timestamp() - 3600)
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    # If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2).
    response = client.get(path, HTTP_IF_MODIFIED_SINCE=later, HTTP_IF_NONE_MATCH='W/"old"')
    assert response.status_code == 200
    assert first["Last-Modified"]


def test_it_changes_the_etag_when_an_article_is_saved(client, article):
    path = page_paths(article)["api detail"]
    first = client.get(path)
    assert client.get(path)["ETag"] == first["ETag"]
    article.title = "Hà Nội hoàn thành cải tạo hệ thống thoát nước"
    article.save()
    second = client.get(path)
    assert second["ETag"] != first["ETag"]
    assert "hoàn thành" in second.json()["title"]
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_it_serves_anonymous_pages_from_the_cache_until_content_changes(client, article):
    path = page_paths(article)["rss"]
    assert client.get(path)["X-Cache"] == "miss"
    hit = client.get(path)
    assert hit["X-Cache"] == "hit"
    assert "Hà Nội cải tạo" in hit.content.decode()
    make_article("Tin mới về bão số 9", published=timezone.now())
    fresh = client.get(path)
    assert fresh["X-Cache"] == "miss"
    assert "bão số 9" in fresh.content.decode()


def test_it_does_not_cache_for_logged_in_users_or_when_disabled(client, article, settings):
    path = page_paths(article)["api list"]
    with_session = Client()
    with_session.cookies["sessionid"] = "abc"
    response = with_session.get(path)
    assert not response.has_header("X-Cache")
    assert response["Cache-Control"] == "private, no-cache"
    settings.VNNEWS_PAGE_CACHE_SECONDS = 0
    assert not client.get(path).has_header("X-Cache")


def test_it_leaves_admin_pages_out_of_the_cache(client):
    response = client.get("/admin/login/")
    assert not response.has_header("X-Cache")
    assert not response.has_header("ETag")
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_it_serves_fingerprinted_static_files_as_immutable(settings, tmp_path):
    from django.core.management import call_command
    from whitenoise.middleware import WhiteNoiseMiddleware

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    middleware = WhiteNoiseMiddleware(lambda request: None)
    hashed = middleware.immutable_file_test
    fingerprinted = [p for p in (tmp_path / "static").rglob("*.css") if p.stem.count(".") >= 1]
    assert fingerprinted, "collectstatic made no fingerprinted files"
    path = fingerprinted[0]
    url = "/static/" + path.relative_to(tmp_path / "static").as_posix()
    assert hashed(str(path), url)
    assert not hashed(str(path), "/static/reader/site.css")
    # And the header itself, through a client on the collected files.
    client = Client()
    response = client.get(url)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]
