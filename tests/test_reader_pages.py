"""The reading site's pages, in Vietnamese: home, section, outlet, tag, search, 404 and 500; every
list paginated with "Xem thêm"; a search box everywhere; no inline script or style anywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from tests.factories import (
    make_article,
    make_articles,
    make_section,
    make_seed_article,
    make_source,
    plain_static_files,  # noqa: F401  (autouse)
)
from vnnews.news.models import ArticleViewHour
from vnnews.reader import dates, view_counter
from vnnews.reader.links import article_path
from vnnews.reader.view_counter import is_robot

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def page(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code)
    return response, lxml_html.fromstring(response.content)


def texts(doc, xpath):
    return [" ".join(e.text_content().split()) for e in doc.xpath(xpath)]


@pytest.fixture
def site(seed_text):
    politics = make_section("thoi-su", "Thời sự", position=1)
    sport = make_section("the-thao", "Thể thao", position=2)
    seed = make_seed_article(seed_text, section=politics)
    sport_items = make_articles(3, section=sport, source=make_source("vnexpress.net", "VnExpress"))
    return {"politics": politics, "sport": sport, "seed": seed, "sport_items": sport_items}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 27, 1, 30, tzinfo=UTC), "Thứ Sáu, 27/11/2026, 08:30 (GMT+7)"),
        (datetime(2026, 11, 29, 16, 59, tzinfo=UTC), "Chủ Nhật, 29/11/2026, 23:59 (GMT+7)"),
        (datetime(2026, 11, 29, 17, 0, tzinfo=UTC), "Thứ Hai, 30/11/2026, 00:00 (GMT+7)"),
        (datetime(2020, 8, 1, 4, 5, tzinfo=UTC), "Thứ Bảy, 01/08/2020, 11:05 (GMT+7)"),
        (None, ""),
    ],
)
def test_it_prints_dates_the_vietnamese_way(value, expected):
    assert dates.long_form(value) == expected


def test_the_home_page_shows_latest_and_top_stories_by_section(client, site):
    response, doc = page(client, "/")
    assert doc.get("lang") == "vi"
    latest = texts(doc, '//ol[@id="moi-nhat"]//h3')
    assert latest[0] == site["sport_items"][0].title  # newest first
    assert site["seed"].title in latest
    headings = texts(doc, '//aside//h2[@class="section-title"]')
    assert headings == ["Thời sự", "Thể thao"]
    assert doc.xpath('//header//nav[@aria-label="Chuyên mục"]//a[.="Thể thao"]')


def test_a_section_page_lists_only_its_articles(client, site):
    response, doc = page(client, reverse("reader:section", args=["the-thao"]))
    titles = texts(doc, '//ol[@class="items"]//h3')
    assert titles == [a.title for a in site["sport_items"]]
    assert texts(doc, "//h1") == ["Thể thao"]
    assert doc.xpath('//nav[@aria-label="Chuyên mục"]//a[@aria-current="page"][.="Thể thao"]')


def test_an_outlet_page_lists_its_articles(client, site):
    response, doc = page(client, reverse("reader:source", args=["laodongthudo.vn"]))
    assert texts(doc, '//ol[@class="items"]//h3') == [site["seed"].title]
    page(client, reverse("reader:source", args=["khong-co.vn"]), status=404)


def test_a_tag_page_lists_tagged_articles(client, site):
    make_article("Bài không gắn thẻ", tags=["Khác"])
    response, doc = page(client, reverse("reader:tag", args=["Đảng bộ"]))
    assert texts(doc, '//ol[@class="items"]//h3') == [site["seed"].title]
    page(client, reverse("reader:tag", args=["Không ai dùng"]), status=404)


def test_lists_page_with_xem_them_that_works_without_javascript(client):
    section = make_section("kinh-te", "Kinh tế")
    made = make_articles(45, section=section)
    url = reverse("reader:section", args=["kinh-te"])
    _, first = page(client, url)
    assert len(first.xpath('//ol[@class="items"]/li')) == 20
    more = first.xpath('//a[@class="more"]')[0]
    assert more.text_content() == "Xem thêm"
    assert more.get("href") == "?trang=2"
    # The plain link is a full page; the fragment has only the next items and the next link.
    _, second = page(client, url + more.get("href"))
    assert texts(second, '//ol[@class="items"]//h3') == [a.title for a in made[20:40]]
    fragment = client.get(url + more.get("data-fragment"))
    assert b"<html" not in fragment.content and b"<header" not in fragment.content
    fragment_doc = lxml_html.fragment_fromstring(fragment.content.decode(), create_parent="div")
    assert texts(fragment_doc, ".//h3") == [a.title for a in made[20:40]]
    assert fragment_doc.xpath('.//a[@class="more"]')[0].get("href") == "?trang=3"
    _, last = page(client, url + "?trang=3")
    assert len(last.xpath('//ol[@class="items"]/li')) == 5
    assert not last.xpath('//a[@class="more"]')


def test_odd_page_numbers_fall_back_to_the_first_page(client, site):
    for value in ["abc", "-3", "0", "99999999999999999999"]:
        page(client, f"/?trang={value}")


def test_search_finds_the_seed_without_diacritics(client, site):
    response, doc = page(client, reverse("reader:search") + "?q=dao+duc+toan")
    assert texts(doc, '//ol[@id="ket-qua"]//h3') == [site["seed"].title]
    assert "Tìm thấy 1 bài" in texts(doc, '//p[@id="so-ket-qua"]')[0]
    assert doc.xpath('//input[@id="q"]')[0].get("value") == "dao duc toan"


def test_search_can_be_narrowed_to_a_section(client, site):
    url = reverse("reader:search")
    _, doc = page(client, url + "?q=bai+bao&chuyen-muc=thoi-su")
    assert "Không tìm thấy" in texts(doc, '//p[@id="so-ket-qua"]')[0]
    _, doc = page(client, url + "?q=bai+bao&chuyen-muc=the-thao")
    assert len(doc.xpath('//ol[@id="ket-qua"]/li')) == 3


def test_search_can_be_narrowed_to_an_outlet(client, site):
    url = reverse("reader:search")
    _, doc = page(client, url + "?q=bai+bao&nguon=vnexpress.net")
    assert len(doc.xpath('//ol[@id="ket-qua"]/li')) == 3
    assert "của VnExpress" in texts(doc, '//p[@id="so-ket-qua"]')[0]
    _, doc = page(client, url + "?q=bai+bao&nguon=laodongthudo.vn")
    assert not doc.xpath('//ol[@id="ket-qua"]/li')


def test_an_empty_search_explains_what_to_type(client, site):
    _, doc = page(client, reverse("reader:search"))
    assert "ha noi" in doc.text_content()


def test_every_page_has_a_search_box_and_no_inline_script_or_style(client, site):
    seed = site["seed"]
    urls = [
        "/",
        reverse("reader:section", args=["thoi-su"]),
        reverse("reader:source", args=["laodongthudo.vn"]),
        reverse("reader:tag", args=["Đảng bộ"]),
        reverse("reader:search") + "?q=ha+noi",
        article_path(seed),
        "/khong-co-trang-nay/",
    ]
    for url in urls:
        response = client.get(url)
        doc = lxml_html.fromstring(response.content)
        assert doc.xpath('//form[@role="search"][@action="/tim-kiem/"]//input[@name="q"]'), url
        assert doc.xpath("//a[@class='skip'][@href='#noi-dung']") and doc.xpath(
            "//main[@id='noi-dung']"
        )
        for script in doc.xpath("//script"):
            assert script.get("src") or script.get("type") == "application/ld+json", url
        assert not doc.xpath("//*[@style]"), url
        assert not [
            a for e in doc.iter() if isinstance(e.tag, str) for a in e.attrib if a.startswith("on")
        ]


def test_unknown_pages_get_a_vietnamese_404(client, site):
    response, doc = page(client, "/khong-co-trang-nay/", status=404)
    assert texts(doc, "//h1") == ["Không tìm thấy trang"]
    assert doc.get("lang") == "vi"
    page(client, reverse("reader:section", args=["khong-co"]), status=404)
    page(client, "/bai/999999-khong-co/", status=404)


def test_a_server_error_gets_a_vietnamese_500(monkeypatch, site):
    from vnnews.reader import queries

    def broken():
        raise RuntimeError("hỏng")

    monkeypatch.setattr(queries, "listed", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert "máy chủ đang gặp sự cố" in response.content.decode()


def test_old_or_wrong_article_addresses_redirect_to_the_right_one(client, site):
    seed = site["seed"]
    right = article_path(seed)
    for wrong in [f"/bai/{seed.pk}/", f"/bai/{seed.pk}-sai-duong-dan/"]:
        response = client.get(wrong)
        assert (response.status_code, response["Location"]) == (301, right)
    copy = make_article(seed.title, source=make_source(), duplicate_of=seed)
    response = client.get(article_path(copy))
    assert (response.status_code, response["Location"]) == (301, right)


def views_of(article) -> int:
    """An article's counted views over all its hour rows: views around the turn of an hour are
    written to two rows."""
    return sum(ArticleViewHour.objects.filter(article=article).values_list("count", flat=True))


def test_article_views_are_counted_per_hour_without_robots_or_cookies(client, site):
    seed = site["seed"]
    url = article_path(seed)
    for agent in [BROWSER, BROWSER, "Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5"]:
        response = client.get(url, HTTP_USER_AGENT=agent)
        assert not response.cookies
    view_counter.flush()  # counts are written in batches
    assert views_of(seed) == 2
    seed.refresh_from_db()
    assert seed.view_count == 2


@pytest.mark.parametrize(
    ("agent", "robot"),
    [
        (BROWSER, False),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1", False),
        ("Mozilla/5.0 (compatible; bingbot/2.0)", True),
        ("facebookexternalhit/1.1", True),
        ("Mozilla/5.0 HeadlessChrome/131.0", True),
        ("python-httpx/0.27", True),
        ("", True),
    ],
)
def test_it_tells_robots_from_readers(agent, robot):
    assert is_robot(agent) is robot


def test_nen_xem_shows_the_most_viewed_of_the_last_24_hours(client, site):
    seed, (a, b, c) = site["seed"], site["sport_items"]
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    ArticleViewHour.objects.create(article=a, hour=hour, count=3)
    ArticleViewHour.objects.create(article=b, hour=hour - timedelta(hours=5), count=9)
    ArticleViewHour.objects.create(article=c, hour=hour - timedelta(hours=30), count=50)  # too old
    _, doc = page(client, "/")
    box = doc.xpath('//section[h2[.="Nên xem"]]')[0]
    assert texts(box, ".//li/a") == [b.title, a.title]
    _, doc = page(client, article_path(seed), HTTP_USER_AGENT=BROWSER)
    box = doc.xpath('//section[h2[.="Nên xem"]]')[0]
    assert c.title not in texts(box, ".//li/a")


def test_views_served_from_the_page_cache_or_as_304_still_count(client, settings, site):
    settings.VNNEWS_PAGE_CACHE_SECONDS = 60
    url = article_path(site["seed"])
    first = client.get(url, HTTP_USER_AGENT=BROWSER)
    client.get(url, HTTP_USER_AGENT=BROWSER)
    revalidated = client.get(url, HTTP_USER_AGENT=BROWSER, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304
    view_counter.flush()
    assert views_of(site["seed"]) == 3


def test_views_are_gathered_in_memory_and_written_in_one_batch(monkeypatch, site):
    seed = site["seed"]
    monkeypatch.setattr(view_counter, "FLUSH_SECONDS", 3600.0)
    monkeypatch.setattr(view_counter, "_last_flush", __import__("time").monotonic())
    for _ in range(3):
        view_counter.record_view(seed.pk)
    assert not ArticleViewHour.objects.filter(article=seed).exists()
    assert view_counter.flush() == 3
    assert view_counter.flush() == 0
    assert views_of(seed) == 3


# --- what pages share is kept per process under the content version -----------------------------


def test_an_edited_article_shows_at_once_in_lists_kept_per_process(client, site):
    item = site["sport_items"][1]
    for url in ["/", reverse("reader:section", args=["the-thao"])]:
        page(client, url)  # the list and its teasers are now kept
    item.title = "Tiêu đề đã sửa của bài thể thao"
    item.save()  # a save changes the content version
    for url in ["/", reverse("reader:section", args=["the-thao"])]:
        _, doc = page(client, url)
        assert item.title in texts(doc, '//ol[@class="items"]//h3'), url


def test_an_article_page_reads_only_its_article_once_the_shared_boxes_are_kept(
    client, site, django_assert_max_num_queries
):
    a, b, _ = site["sport_items"]
    page(client, article_path(a), HTTP_USER_AGENT="Googlebot")  # boxes, outlets and sections
    # The next article: its own row; related rows come with the similarity index, "Tin khác",
    # "Nên xem", outlets and sections from what the first page kept.
    with django_assert_max_num_queries(2):
        _, doc = page(client, article_path(b), HTTP_USER_AGENT="Googlebot")
    assert texts(doc, "//h1") == [b.title]
    assert doc.xpath('//p[@class="origin"]/a[.="VnExpress"]')


def test_a_repeated_search_page_needs_no_query_until_content_changes(
    client, site, django_assert_num_queries
):
    url = reverse("reader:search") + "?q=the+thao"
    first, _ = page(client, url)
    with django_assert_num_queries(0):
        again, _ = page(client, url)
    assert again.content == first.content
    make_article("Thể thao cuối tuần", section=site["sport"])  # a save: the next search looks again
    _, doc = page(client, url)
    assert "Thể thao cuối tuần" in texts(doc, '//ol[@class="items"]//h3')


def test_views_of_an_article_deleted_before_the_flush_are_dropped_alone(monkeypatch, site):
    kept, gone = site["sport_items"][:2]
    monkeypatch.setattr(view_counter, "FLUSH_SECONDS", 3600.0)
    monkeypatch.setattr(view_counter, "_last_flush", __import__("time").monotonic())
    view_counter.record_view(kept.pk)
    view_counter.record_view(gone.pk)
    view_counter.record_view(kept.pk)
    gone.delete()
    view_counter.flush()
    assert views_of(kept) == 2
    assert not ArticleViewHour.objects.filter(article_id=gone.pk).exists()
    kept.refresh_from_db()
    assert kept.view_count == 2
