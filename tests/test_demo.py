"""`vnnews demo --no-serve`: the bundled corpus imports into a working site, once."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.factories import SEED_BOILERPLATE
from vnnews.news.models import Article, ImportRecord, Source

pytestmark = pytest.mark.django_db
SEED_TITLE = "Tiếp tục làm tốt vai trò “cầu nối” giữa doanh nghiệp và chính quyền"


@pytest.fixture
def demo(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archive"
    settings.DATA_DIR = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_demo_shows_three_outlets_the_clean_seed_and_an_admin_to_browse_them(demo, client):
    outlets = {s.domain for s in Source.objects.all() if s.articles.exists()}
    assert {"laodongthudo.vn", "dantri.com.vn", "vnexpress.net"} <= outlets, demo
    assert Article.objects.count() >= 300
    assert "http://127.0.0.1:8000" in demo

    seed = Article.objects.get(source__domain="laodongthudo.vn")
    assert seed.title == SEED_TITLE
    assert seed.sapo.startswith("(LĐTĐ) Sáng 01/8")
    for line in SEED_BOILERPLATE:
        assert line not in seed.text, line
    assert "Hoàng Phúc - Lê Kiên" not in seed.text
    assert seed.byline == "Hoàng Phúc - Lê Kiên"
    # The dump has no photo addresses, but its two captions belong to the article page.
    captions = [b.get("caption", "") for b in seed.blocks if b["kind"] == "image"]
    assert len(captions) == 2 and captions[0].startswith("Phó Bí thư Thành ủy Hà Nội")
    page = client.get(f"/bai/{seed.pk}/", follow=True).content.decode()
    assert "<figcaption>" + captions[0] in page

    admin = User.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-dai-123")
    client.force_login(admin)
    article = Article.objects.filter(source__domain="dantri.com.vn").first()
    pages = {
        "/admin/news/article/": "Bài báo",
        "/admin/news/article/?q=" + article.title.split()[0]: article.title[:30],
        f"/admin/news/article/{article.pk}/change/": article.title[:30],
        "/admin/news/source/": "Dân trí",
        "/admin/news/section/": "Thời sự",
        "/admin/news/importrecord/?outcome=created": "tạo mới",
        "/admin/news/feed/": "kênh tin",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected.lower() in response.content.decode().lower(), url


def test_a_second_demo_creates_nothing_new(demo):
    articles = Article.objects.count()
    records = ImportRecord.objects.count()
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out, stderr=io.StringIO())
    assert "tạo mới 0" in out.getvalue()
    assert (Article.objects.count(), ImportRecord.objects.count()) == (articles, records)
