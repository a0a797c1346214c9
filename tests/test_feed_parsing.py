"""Discovery (vnnews.feeds): RSS/Atom, sitemaps, Google News sitemaps and section pages, with the
quirks Vietnamese outlets have."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from tests.fixture_web import to_cp1258
from vnnews.feeds import FeedError, looks_like_article, parse_document, parse_sitemap
from vnnews.feeds.dates import parse_feed_date
from vnnews.feeds.detect import sniff

FEED_URL = "https://nld.com.vn/rss/thoi-su.rss"


def rss(items: str, encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>Người Lao Động</title><link>https://nld.com.vn</link>{items}</channel></rss>"
    )


def item(link: str, title: str = "Tin", guid: str = "", date: str = "") -> str:
    guid_xml = f"<guid>{guid}</guid>" if guid else ""
    date_xml = f"<pubDate>{date}</pubDate>" if date else ""
    return f"<item><title>{title}</title><link>{link}</link>{guid_xml}{date_xml}</item>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # nld.com.vn: .NET en-US month/day/year with AM/PM, no zone -> Vietnam time.
        ("9/7/2018 9:59:00 AM", datetime(2018, 9, 7, 2, 59, tzinfo=UTC)),
        ("9/7/2018 9:59:00 PM", datetime(2018, 9, 7, 14, 59, tzinfo=UTC)),
        ("25/12/2025 08:00", datetime(2025, 12, 25, 1, 0, tzinfo=UTC)),  # Vietnamese d/m/y
        ("05/01/2026 08:00", datetime(2026, 1, 5, 1, 0, tzinfo=UTC)),
        ("2026-01-05T08:30:00", datetime(2026, 1, 5, 1, 30, tzinfo=UTC)),
        ("2026-01-05T08:30:00+07:00", datetime(2026, 1, 5, 1, 30, tzinfo=UTC)),
        ("Mon, 05 Jan 2026 08:30:00 +0700", datetime(2026, 1, 5, 1, 30, tzinfo=UTC)),
        ("Mon, 05 Jan 2026 08:30:00 GMT", datetime(2026, 1, 5, 8, 30, tzinfo=UTC)),
        ("", None),
        ("không rõ", None),
    ],
)
def test_it_reads_vietnamese_feed_dates(text, expected):
    assert parse_feed_date(text) == expected


def test_it_reads_an_nld_style_feed_with_day_first_dates():
    body = rss(
        item(
            "https://nld.com.vn/a-b-c-d-196180709095900.htm", "Tin một", date="9/7/2018 9:59:00 AM"
        )
    )
    result = parse_document(body.encode(), FEED_URL)
    assert [e.published for e in result.entries] == [datetime(2018, 9, 7, 2, 59, tzinfo=UTC)]


def test_it_resolves_relative_links_against_the_feed_url():
    body = rss(item("/thoi-su/bai-moi-12345.htm") + item("bai-ke-tiep-67890.htm"))
    urls = [e.url for e in parse_document(body.encode(), FEED_URL).entries]
    assert urls == [
        "https://nld.com.vn/thoi-su/bai-moi-12345.htm",
        "https://nld.com.vn/rss/bai-ke-tiep-67890.htm",
    ]


def test_it_keeps_entries_whose_guids_are_duplicated_but_not_repeated_urls():
    body = rss(
        item("https://x.vn/a-1.html", guid="0")
        + item("https://x.vn/b-2.html", guid="0")
        + item("https://x.vn/a-1.html", guid="a")
    )
    entries = parse_document(body.encode(), FEED_URL).entries
    assert [e.url for e in entries] == ["https://x.vn/a-1.html", "https://x.vn/b-2.html"]
    assert len({e.guid for e in entries}) == 2


@pytest.mark.parametrize(
    ("raw", "declared"),
    [
        ("utf8-as-latin1", "iso-8859-1"),  # UTF-8 bytes under a Latin-1 declaration
        ("cp1258-as-utf8", "utf-8"),  # windows-1258 bytes under a UTF-8 declaration
        ("cp1258-declared", "windows-1258"),
    ],
)
def test_it_decodes_feeds_whose_charset_is_declared_wrongly(raw, declared):
    title = "Người dân đón Tết"
    text = rss(item("https://x.vn/bai-viet-nguoi-dan-don-tet-12345.html", title), encoding=declared)
    body = text.encode("utf-8") if raw == "utf8-as-latin1" else to_cp1258(text)
    entries = parse_document(body, FEED_URL).entries
    assert [e.title for e in entries] == [title]


def test_it_reads_atom_with_xml_base_and_categories():
    body = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://vnexpress.net/">'
        "<title>VnExpress</title><id>x</id><updated>2026-01-01T00:00:00Z</updated>"
        '<entry><title>Bài</title><link href="kinh-doanh/gia-vang-tang-manh-4812345.html"/>'
        '<id>urn:1</id><updated>2026-01-01T07:00:00+07:00</updated><category term="Kinh doanh"/></entry></feed>'
    ).encode()
    (entry,) = parse_document(body, "https://vnexpress.net/atom.xml").entries
    assert entry.url == "https://vnexpress.net/kinh-doanh/gia-vang-tang-manh-4812345.html"
    assert entry.section == "Kinh doanh"
    assert entry.published == datetime(2026, 1, 1, tzinfo=UTC)


def test_a_feed_that_is_html_falls_back_to_link_discovery_with_a_warning():
    page = b"<!doctype html><html><body><a href='/thoi-su/mot-bai-bao-rat-dai-123456.html'>Bai</a></body></html>"
    result = parse_document(page, FEED_URL, kind="rss")
    assert result.kind == "section_page"
    assert [e.url for e in result.entries] == [
        "https://nld.com.vn/thoi-su/mot-bai-bao-rat-dai-123456.html"
    ]
    assert "HTML" in result.warnings[0]


@pytest.mark.parametrize(
    "body", [b"", b"not xml at all", b"<?xml version='1.0'?><unknown/>", b'{"json": 1}']
)
def test_garbage_gives_a_clear_error_naming_the_url(body):
    with pytest.raises(FeedError) as caught:
        parse_document(body, FEED_URL)
    assert caught.value.url == FEED_URL


SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>https://tuoitre.vn/bai-mot-2026010108.htm</loc><lastmod>2026-01-01T08:00:00+07:00</lastmod></url>"
    "<url><loc>https://tuoitre.vn/bai-hai-2026010109.htm</loc></url></urlset>"
)


@pytest.mark.parametrize("compress", [False, True])
def test_it_reads_sitemaps_plain_and_gzipped(compress):
    body = SITEMAP.encode()
    if compress:
        body = gzip.compress(body)
    result = parse_document(body, "https://tuoitre.vn/sitemap.xml.gz", kind="sitemap")
    assert result.kind == "sitemap"
    assert [e.url for e in result.entries] == [
        "https://tuoitre.vn/bai-mot-2026010108.htm",
        "https://tuoitre.vn/bai-hai-2026010109.htm",
    ]
    assert result.entries[0].published == datetime(2026, 1, 1, 1, tzinfo=UTC)


def test_it_lists_the_children_of_a_sitemap_index():
    body = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://x.vn/s1.xml</loc></sitemap><sitemap><loc>https://x.vn/s2.xml.gz</loc></sitemap>"
        b"</sitemapindex>"
    )
    result = parse_document(body, "https://x.vn/sitemap.xml", kind="sitemap")
    assert result.kind == "sitemap_index" and result.sitemaps == [
        "https://x.vn/s1.xml",
        "https://x.vn/s2.xml.gz",
    ]


def test_it_reads_google_news_sitemaps():
    body = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://x.vn/bai-12345.html</loc>'
        "<news:news><news:publication><news:name>X</news:name><news:language>vi</news:language></news:publication>"
        "<news:publication_date>2026-02-03T10:00:00+07:00</news:publication_date>"
        "<news:title>Giá xăng giảm</news:title></news:news></url></urlset>"
    ).encode()
    result = parse_document(body, "https://x.vn/news.xml", kind="news_sitemap")
    assert result.kind == "news_sitemap"
    (entry,) = result.entries
    assert entry.title == "Giá xăng giảm"
    assert entry.published == datetime(2026, 2, 3, 3, tzinfo=UTC)


def test_it_stops_at_the_protocol_limit_of_50000_urls():
    urls = "".join(f"<url><loc>https://x.vn/bai-{n}.html</loc></url>" for n in range(50_003))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
    result = parse_sitemap(body, "https://x.vn/sitemap.xml")
    assert len(result.entries) == 50_000
    assert "50000" in result.warnings[0]


def test_it_does_not_expand_entities_from_a_hostile_sitemap():
    body = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.vn/a-1.html&x;</loc></url></urlset>'
    )
    try:
        result = parse_sitemap(body, "https://x.vn/s.xml")
    except FeedError:
        return
    assert all("root:" not in e.url for e in result.entries)


SECTION_PAGE = b"""<!doctype html><html><body>
<header><nav><a href="/thoi-su/menu-bai-bao-dang-nhe-12345.html">menu</a></nav></header>
<main>
 <a href="/thoi-su/xe-buyt-dien-chay-them-tuyen-moi-20260101123456.htm">Xe bu\xc3\xbdt \xc4\x91i\xe1\xbb\x87n</a>
 <a href="https://www.baomoi.vn/thoi-su/tin-khac-site-khac-1234567.html">other site</a>
 <a href="https://m.x.vn/kinh-te/gia-vang-hom-nay-tang-manh-post812345.html">mobile host same site</a>
 <a href="/video/clip-bong-da-hay-nhat-1234567.html">video</a>
 <a href="/tag/bong-da">tag</a>
 <a href="/the-thao">section</a>
 <a href="/thoi-su/xe-buyt-dien-chay-them-tuyen-moi-20260101123456.htm#comments">again</a>
</main><footer><a href="/lien-he-quang-cao-ngay-hom-nay-1.html">ads</a></footer></body></html>"""


def test_it_discovers_article_links_on_a_section_page():
    result = parse_document(
        SECTION_PAGE, "https://x.vn/thoi-su", kind="section_page", section="Thời sự"
    )
    assert [(e.url, e.section) for e in result.entries] == [
        ("https://x.vn/thoi-su/xe-buyt-dien-chay-them-tuyen-moi-20260101123456.htm", "Thời sự"),
        ("https://m.x.vn/kinh-te/gia-vang-hom-nay-tang-manh-post812345.html", "Thời sự"),
    ]
    assert result.entries[0].title == "Xe buýt điện"


@pytest.mark.parametrize(
    ("path", "article"),
    [
        ("/thoi-su/ten-bai-viet-rat-dai-20260101123456789.htm", True),
        ("/kinh-te/gia-vang-hom-nay-post812345.html", True),
        ("/the-thao/doi-tuyen-viet-nam-thang-lon.html", True),
        ("/thoi-su/ong-a-noi-ve-1234567.ldo", True),
        ("/thoi-su", False),
        ("/tag/bong-da-viet-nam-2026.html", False),
        ("/video/clip-hay-nhat-tuan-123456.html", False),
        ("/", False),
        ("/lien-he.html", False),
    ],
)
def test_it_tells_article_urls_from_navigation(path, article):
    assert looks_like_article(path) is article


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b'<?xml version="1.0"?>\n<!-- x --><rss version="2.0">', "rss"),
        (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'>", "rss"),
        (b"<rdf:RDF xmlns:rdf='x'>", "rss"),
        (b"<?xml version='1.0'?><urlset>", "sitemap"),
        (b"\x1f\x8b\x08\x00", "sitemap"),
        (b"<!DOCTYPE html><html>", "html"),
        (b"<html lang=vi>", "html"),
        (b"hello", "unknown"),
    ],
)
def test_it_sniffs_what_a_feed_url_really_returned(head, kind):
    assert sniff(head) == kind
