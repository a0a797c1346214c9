"""RSS 2.0 and Atom feeds for the site, each section and each outlet: valid XML, right items."""

from __future__ import annotations

from datetime import timedelta

import feedparser
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

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def memory_caches(settings):
    use_memory_caches(settings, "f")


@pytest.fixture
def newsroom():
    thoi_su = make_section("thoi-su", "Thời sự", 1)
    the_thao = make_section("the-thao", "Thể thao", 2)
    ldtd = make_source("laodongthudo.vn", "Lao Động Thủ Đô")
    dantri = make_source("dantri.com.vn", "Dân trí")
    now = timezone.now()
    hanoi = make_article(
        "Hà Nội cải tạo hệ thống thoát nước & cống ngầm <2026>",
        sapo="Thành phố công bố kế hoạch chống ngập trước mùa mưa.",
        section=thoi_su,
        source=ldtd,
        published=now - timedelta(hours=3),
        tags=["Hà Nội"],
        byline="Minh Anh",
    )
    make_article(
        "Đội tuyển Việt Nam thắng Thái Lan",
        section=the_thao,
        source=dantri,
        published=now - timedelta(hours=2),
    )
    make_article(
        "Bản đăng lại: Hà Nội cải tạo thoát nước",
        section=thoi_su,
        source=dantri,
        published=now - timedelta(hours=1),
        duplicate_of=hanoi,
    )
    return hanoi


@pytest.mark.parametrize(
    ("path", "titles"),
    [
        (
            "/rss",
            [
                "Đội tuyển Việt Nam thắng Thái Lan",
                "Hà Nội cải tạo hệ thống thoát nước & cống ngầm <2026>",
            ],
        ),
        ("/chuyen-muc/thoi-su/rss", ["Hà Nội cải tạo hệ thống thoát nước & cống ngầm <2026>"]),
        ("/nguon/dantri.com.vn/rss", ["Đội tuyển Việt Nam thắng Thái Lan"]),
        ("/nguon/DanTri.com.vn/rss", ["Đội tuyển Việt Nam thắng Thái Lan"]),  # as the page does
    ],
)
def test_it_serves_valid_rss_without_duplicates(client, newsroom, path, titles):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = etree.fromstring(response.content)  # raises on malformed XML
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert root.findtext("channel/language") == "vi"
    assert [item.findtext("title") for item in root.iter("item")] == titles
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == titles


@pytest.mark.parametrize(
    ("path", "count"),
    [("/atom", 2), ("/chuyen-muc/the-thao/atom", 1), ("/nguon/laodongthudo.vn/atom", 1)],
)
def test_it_serves_valid_atom(client, newsroom, path, count):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == count
    for entry in entries:
        assert entry.findtext(f"{ATOM}id") and entry.findtext(f"{ATOM}updated")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo and parsed.version == "atom10"


def test_it_describes_an_item_with_sapo_author_date_and_categories(client, newsroom):
    parsed = feedparser.parse(client.get("/rss").content)
    entry = next(e for e in parsed.entries if e.title.startswith("Hà Nội"))
    assert entry.summary == "Thành phố công bố kế hoạch chống ngập trước mùa mưa."
    assert "Minh Anh" in entry.author
    assert {t.term for t in entry.tags} == {"Thời sự", "Hà Nội"}
    assert entry.published_parsed is not None
    assert entry.link.startswith(f"http://testserver/bai/{newsroom.pk}-")


@pytest.mark.parametrize("path", ["/chuyen-muc/khong-co/rss", "/nguon/khong.co.vn/atom"])
def test_it_answers_404_for_an_unknown_section_or_outlet(client, newsroom, path):
    assert client.get(path).status_code == 404


def test_it_drops_xml_control_characters_instead_of_failing(client):
    make_article("Tin có ký tự lạ\x0b", sapo="Sapo\x01 có ký tự điều khiển\x1f.")
    response = client.get("/rss")
    assert response.status_code == 200
    entry = feedparser.parse(response.content).entries[0]
    assert entry.title == "Tin có ký tự lạ"
    assert entry.summary == "Sapo có ký tự điều khiển."
