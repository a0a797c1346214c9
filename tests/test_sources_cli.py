"""`vnnews sources`, the default registry, and the /healthz endpoint."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from vnnews.news.models import Article, Feed, ImportRecord, SectionAlias, Source

pytestmark = pytest.mark.django_db

DEFAULTS = (
    Path(__file__).resolve().parent.parent / "src" / "vnnews" / "news" / "default_sources.json"
)


def sources(*args: str) -> str:
    out = io.StringIO()
    call_command("sources", *args, stdout=out)
    return out.getvalue()


def test_the_default_registry_has_at_least_25_outlets_with_mapped_sections():
    data = json.loads(DEFAULTS.read_text(encoding="utf-8"))
    outlets = data["sources"]
    assert len(outlets) >= 25
    slugs = {
        s["slug"]
        for s in json.loads((DEFAULTS.parent / "data" / "sections.json").read_text())["sections"]
    }
    feeds = [f for o in outlets for f in o["feeds"]]
    assert all(f["url"].startswith("https://") for f in feeds)
    assert {f["section"] for f in feeds} - {""} <= slugs  # only our own section slugs
    assert len({f["url"] for f in feeds}) == len(feeds)
    assert len({o["domain"] for o in outlets}) == len(outlets)


def test_load_defaults_is_idempotent_and_maps_outlet_categories():
    first = sources("load-defaults")
    counts = (Source.objects.count(), Feed.objects.count())
    second = sources("load-defaults")
    assert (Source.objects.count(), Feed.objects.count()) == counts
    assert counts[0] >= 25 and "0 mới" in second and "0 mới" not in first.split(",")[0]
    # nhandan.vn calls its economy feed "kinhte": stored as an alias onto our kinh-doanh.
    alias = SectionAlias.objects.get(source__domain="nhandan.vn", name_key="kinhte")
    assert alias.section.slug == "kinh-doanh"


def test_load_defaults_does_not_re_enable_a_source_the_operator_disabled():
    sources("load-defaults")
    sources("disable", "vnexpress.net", "--reason", "quá tải")
    sources("load-defaults")
    assert not Source.objects.get(domain="vnexpress.net").enabled


def test_add_disable_enable_round_trip():
    out = sources(
        "add",
        "https://www.baomoi.example/",
        "--name",
        "Báo Mới Thử",
        "--feed",
        "https://www.baomoi.example/rss.xml",
    )
    assert "Đã thêm" in out
    source = Source.objects.get(domain="baomoi.example")
    assert source.feeds.count() == 1
    Source.objects.filter(pk=source.pk).update(error_count=7)
    Feed.objects.filter(source=source).update(enabled=False, error_count=7)
    sources("disable", "baomoi.example", "--reason", "thử")
    assert "TẮT" in sources("list") and "[thử]" in sources("list")
    sources("enable", "https://baomoi.example")
    source.refresh_from_db()
    feed = source.feeds.get()
    assert source.enabled and source.error_count == 0 and feed.enabled and feed.error_count == 0


@pytest.mark.parametrize(
    "args",
    [
        ("disable", "khong-co.vn"),
        ("add", "không phải tên miền"),
        ("add", "x.vn", "--feed", "ftp://x.vn/rss"),
    ],
)
def test_bad_input_gives_a_clear_error(args):
    with pytest.raises(CommandError):
        sources(*args)


def test_list_shows_health_figures():
    source = Source.objects.create(
        domain="tin.example",
        name="Tin",
        last_success_at=timezone.now(),
        last_error="HTTP 503 (https://tin.example/rss)",
        last_error_at=timezone.now(),
    )
    Article.objects.create(
        url="https://tin.example/a-1.html", source=source, title="A", content_hash="x"
    )
    ImportRecord.objects.create(
        batch="b",
        origin="live:tin.example",
        item_key="k",
        outcome="failed",
        stage="extract",
        reason="trống",
    )
    ImportRecord.objects.create(
        batch="b",
        origin="live:tin.example",
        item_key="k2",
        outcome="failed",
        stage="fetch",
        reason="404",
    )
    (row,) = json.loads(sources("list", "--json"))
    assert row["articles_today"] == 1
    assert row["extraction_failures"] == 1  # fetch failures are not extraction failures
    assert "HTTP 503" in row["last_error"] and row["last_success_at"]
    assert "HTTP 503" in sources("list")


def test_opml_export_then_import_restores_the_feeds(tmp_path):
    sources(
        "add",
        "https://vnexpress.net/",
        "--name",
        "VnExpress",
        "--feed",
        "https://vnexpress.net/rss/the-thao.rss",
        "--section",
        "Thể thao",
    )
    sources(
        "add",
        "https://tuoitre.vn/",
        "--name",
        "Tuổi Trẻ",
        "--feed",
        "https://tuoitre.vn/sitemap.xml",
        "--kind",
        "sitemap",
    )
    path = tmp_path / "nguon.opml"
    sources("export-opml", str(path))
    Feed.objects.all().delete()
    Source.objects.all().delete()
    assert "2 nguồn mới, 2 kênh mới" in sources("import-opml", str(path))
    feeds = {
        f.url: (f.source.name, f.kind, f.source_section)
        for f in Feed.objects.select_related("source")
    }
    assert feeds == {
        "https://vnexpress.net/rss/the-thao.rss": ("VnExpress", "rss", "Thể thao"),
        "https://tuoitre.vn/sitemap.xml": ("Tuổi Trẻ", "sitemap", ""),
    }


def test_import_opml_from_another_reader(tmp_path):
    path = tmp_path / "khac.opml"
    path.write_text(
        '<?xml version="1.0"?><opml version="1.0"><body><outline text="Tin Việt">'
        '<outline text="Dân trí" xmlUrl="https://dantri.com.vn/rss/home.rss" htmlUrl="https://dantri.com.vn"/>'
        '<outline text="bỏ qua" xmlUrl="javascript:alert(1)"/></outline></body></opml>',
        encoding="utf-8",
    )
    sources("import-opml", str(path))
    assert list(Feed.objects.values_list("url", "source__domain")) == [
        ("https://dantri.com.vn/rss/home.rss", "dantri.com.vn")
    ]


def test_import_opml_refuses_a_broken_file(tmp_path):
    path = tmp_path / "hong.opml"
    path.write_text("<opml><body><outline", encoding="utf-8")
    with pytest.raises(CommandError):
        sources("import-opml", str(path))


def test_healthz_reports_database_queue_and_last_poll(client):
    from tests.factories import make_article, mark_pending
    from vnnews.news import tasks

    source = Source.objects.create(domain="tin.example", name="Tin")
    feed = Feed.objects.create(
        source=source, url="https://tin.example/rss", last_checked_at=timezone.now()
    )
    tasks.poll_feed.enqueue(feed_id=feed.pk)
    waiting = make_article("Tin chờ gom", source=source)
    mark_pending(waiting.pk)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["db"] == "ok" and body["queue"]["ready"] == 1
    assert body["stories_waiting"] == 1
    assert body["last_poll"].startswith(str(feed.last_checked_at.year))
    assert response["Cache-Control"] == "no-store"
