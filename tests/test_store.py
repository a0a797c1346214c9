"""store_article / ingest_page: the one writer of articles."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from vnnews.extract.article import Article as Extracted
from vnnews.extract.article import Block
from vnnews.news.models import Article, Image, ImportRecord, RawPage, Source, Tombstone
from vnnews.news.sections import load_sections, resolve_section
from vnnews.news.store import ingest_page, store_article

pytestmark = pytest.mark.django_db
Outcome = ImportRecord.Outcome


@pytest.fixture(autouse=True)
def _archive(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archive"
    load_sections()


def article(**overrides) -> Extracted:
    values = {
        "title": "Hà Nội khai mạc lễ hội hoa",
        "sapo": "Sáng nay, lễ hội hoa mở cửa.",
        "blocks": [
            Block(kind="paragraph", text="Đoạn một của bài."),
            Block(
                kind="image", src="https://cdn.x.vn/a.jpg", caption="Ảnh lễ hội", credit="Ảnh: T.L"
            ),
            Block(kind="paragraph", text="Đoạn hai của bài."),
        ],
        "text": "Đoạn một của bài.\n\nĐoạn hai của bài.",
        "authors": ["Hoàng Phúc"],
        "published": datetime(2026, 11, 27, 1, 0, tzinfo=UTC),
        "section": "Xã hội",
        "url": "https://dantri.com.vn/xa-hoi/le-hoi-hoa-123.htm?utm_source=zalo",
    }
    values.update(overrides)
    return Extracted(**values)


def store(item: Extracted, key: str = "k1", **kw):
    return store_article(
        item, source=None, raw_page=None, batch="t", origin="test", item_key=key, **kw
    )


def test_it_creates_the_article_with_source_section_and_images():
    record = store(article())
    assert record.outcome == Outcome.CREATED
    stored = Article.objects.get()
    assert stored.url == "https://dantri.com.vn/xa-hoi/le-hoi-hoa-123.htm"
    assert stored.source.domain == "dantri.com.vn"
    assert stored.source.name == "Dân trí"
    assert stored.section.slug == "thoi-su"
    assert stored.source_section == "Xã hội"
    assert [(i.src, i.caption, i.credit) for i in Image.objects.all()] == [
        ("https://cdn.x.vn/a.jpg", "Ảnh lễ hội", "Ảnh: T.L")
    ]
    assert len(stored.content_hash) == 64
    assert record.article == stored


def test_the_same_article_again_changes_nothing():
    store(article())
    record = store(article(url="https://DANTRI.com.vn/xa-hoi/le-hoi-hoa-123.htm#top"), key="k2")
    assert record.outcome == Outcome.UNCHANGED
    assert Article.objects.count() == 1
    assert Article.objects.get().change_count == 0


def test_new_content_at_the_same_address_replaces_it_and_counts_the_change():
    store(article())
    record = store(
        article(
            text="Đoạn một đã sửa.",
            blocks=[Block(kind="paragraph", text="Đoạn một đã sửa.")],
            updated=datetime(2026, 11, 27, 3, 0, tzinfo=UTC),
        ),
        key="k2",
    )
    assert record.outcome == Outcome.UPDATED
    stored = Article.objects.get()
    assert stored.text == "Đoạn một đã sửa."
    assert stored.change_count == 1
    assert Image.objects.count() == 0  # images are replaced with the new version's


def test_an_older_copy_does_not_overwrite_a_newer_one():
    store(article(updated=datetime(2026, 11, 27, 5, 0, tzinfo=UTC)))
    record = store(article(text="Bản cũ.", published=datetime(2026, 11, 26, tzinfo=UTC)), key="k2")
    assert record.outcome == Outcome.SKIPPED
    assert "cũ" in record.reason
    assert Article.objects.get().text.startswith("Đoạn một")


def test_stored_text_has_one_tone_mark_placement_and_nfc():
    decomposed = "Tây Hồ toả sáng".replace("ả", "a\u0309")
    store(article(title=decomposed, text="Khoẻ mạnh, hoà bình", blocks=[]))
    stored = Article.objects.get()
    assert stored.title == "Tây Hồ tỏa sáng"
    assert stored.text == "Khỏe mạnh, hòa bình"


def test_json_columns_keep_vietnamese_letters_unescaped_and_read_back_the_same():
    """Blocks, authors and tags are JSON; on SQLite JSON is text, and escaping every accented
    letter as \\uXXXX made it half as large again as the article (6 bytes a letter)."""
    from django.db import connection, transaction

    from vnnews.news.bulk import insert_new

    store(article(tags=["lễ hội"]))
    with transaction.atomic():  # the import's bulk insert writes them through the same field
        copy = Article.objects.get()
        copy.pk, copy.url = None, "https://dantri.com.vn/xa-hoi/ban-sao-124.htm"
        insert_new(Article, [copy])
    with connection.cursor() as cursor:
        cursor.execute("SELECT blocks, authors, tags FROM news_article ORDER BY id")
        rows = cursor.fetchall()
    for blocks, authors, tags in rows:
        raw = blocks if isinstance(blocks, str) else json.dumps(blocks, ensure_ascii=False)
        assert "Đoạn một của bài." in raw and "\\u" not in raw
        assert "Hoàng Phúc" in str(authors) and "lễ hội" in str(tags)
    for stored in Article.objects.all():
        assert stored.blocks[0] == {"kind": "paragraph", "text": "Đoạn một của bài."}
        assert stored.authors == ["Hoàng Phúc"] and stored.tags == ["lễ hội"]


def test_markup_and_unsafe_urls_never_reach_the_database():
    store(
        article(
            title="<script>alert(1)</script>Tin <b>nóng</b>",
            lead_image="javascript:alert(1)",
            blocks=[
                Block(kind="image", src="data:image/png;base64,AA"),
                Block(kind="paragraph", text="<i>x</i> y"),
            ],
            text="<i>x</i> y",
        )
    )
    stored = Article.objects.get()
    assert stored.title == "Tin nóng"
    assert stored.lead_image == ""
    assert stored.blocks == [{"kind": "paragraph", "text": "x y"}]


@pytest.mark.parametrize(
    ("overrides", "stage"),
    [
        ({"url": "", "canonical_url": ""}, "url"),
        ({"url": "ftp://x.vn/a"}, "url"),
        ({"title": "  "}, "validate"),
        ({"text": "", "sapo": "", "blocks": []}, "validate"),
    ],
)
def test_a_bad_item_is_a_failed_record_not_an_exception(overrides, stage):
    record = store(article(**overrides))
    assert record.outcome == Outcome.FAILED
    assert record.stage == stage
    assert record.reason
    assert Article.objects.count() == 0


def test_a_deleted_article_is_not_brought_back():
    Tombstone.objects.create(url="https://dantri.com.vn/xa-hoi/le-hoi-hoa-123.htm")
    record = store(article())
    assert record.outcome == Outcome.SKIPPED
    assert Article.objects.count() == 0


def test_a_canonical_link_to_another_site_is_not_trusted():
    store(article(url="https://a.vn/tin-1", canonical_url="https://b.vn/khac"))
    store(
        article(url="https://c.vn/tin-2", canonical_url="https://www.c.vn/tin-2?utm_source=x"),
        key="k2",
    )
    assert sorted(Article.objects.values_list("url", flat=True)) == [
        "https://a.vn/tin-1",
        "https://www.c.vn/tin-2",
    ]


def test_one_record_per_item_holds_the_latest_outcome():
    store(article())
    store(article())
    assert ImportRecord.objects.filter(origin="test", item_key="k1").count() == 1
    assert ImportRecord.objects.get().outcome == Outcome.UNCHANGED


@pytest.mark.parametrize(
    ("names", "url", "slug"),
    [
        (["Kinh doanh"], "", "kinh-doanh"),
        (["KINH-DOANH"], "", "kinh-doanh"),
        (["business"], "", "kinh-doanh"),
        ([""], "https://dantri.com.vn/suc-manh-so/abc.htm", "cong-nghe"),
        (["Số hóa"], "", "cong-nghe"),
        (["Chính trị"], "", "thoi-su"),
        (["Bóng đá quốc tế"], "", "the-thao"),
        (["Ô tô - Xe máy"], "", "xe"),
        (["Góc nhìn"], "", "y-kien"),
        (["Không có mục này"], "https://x.vn/a.html", None),
    ],
)
def test_outlet_sections_map_onto_ours(names, url, slug):
    section = resolve_section(names, url)
    assert (section.slug if section else None) == slug


def test_ingest_archives_the_page_and_records_extraction_failures(settings):
    record = ingest_page(
        "https://x.vn/trang-trong",
        b"\x00\x01\x02 binary",
        headers={"Content-Type": "application/octet-stream"},
        batch="t",
        origin="test",
    )
    assert record.outcome == Outcome.FAILED
    assert record.stage == "extract"
    raw = RawPage.objects.get()
    assert raw.size == 10 and raw.warc_path.startswith(str(settings.ARCHIVE_DIR))


def test_a_raw_page_is_the_row_and_id_the_orm_would_write(settings):
    from django.db import transaction
    from django.forms.models import model_to_dict

    from vnnews.news.store import save_raw_page

    gone = RawPage.objects.create(url="https://x.vn/a", warc_path="w", warc_offset=0, sha256="0")
    gone_id = gone.pk
    gone.delete()
    with transaction.atomic():  # as ingest_page calls it: the import's plain INSERT
        page = save_raw_page("https://x.vn/b", b"<p>b</p>", {"content-type": "text/html"})
    stored = RawPage.objects.get()
    assert stored.pk == page.pk == gone_id + 1  # AUTOINCREMENT: an id is never used again
    assert model_to_dict(stored) == model_to_dict(page)
    assert (stored.content_type, stored.size, stored.url) == ("text/html", 8, "https://x.vn/b")


def test_ingest_refuses_a_non_web_address_without_archiving():
    record = ingest_page("javascript:alert(1)", b"<html></html>", batch="t", origin="test")
    assert (record.outcome, record.stage) == (Outcome.FAILED, "url")
    assert RawPage.objects.count() == 0


HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Giá xăng giảm mạnh từ chiều nay</title>
<link rel="canonical" href="https://vnexpress.net/gia-xang-giam-4800000.html">
<meta property="og:title" content="Giá xăng giảm mạnh từ chiều nay"></head>
<body><article><h1>Giá xăng giảm mạnh từ chiều nay</h1>
<p class="description">Giá xăng RON 95 giảm hơn 600 đồng mỗi lít từ 15h chiều nay theo điều chỉnh của liên bộ.</p>
<p>Liên bộ Công Thương - Tài chính vừa công bố điều chỉnh giá bán lẻ xăng dầu trong nước, theo đó xăng RON 95 giảm 620 đồng mỗi lít.</p>
<p>Đây là lần giảm thứ ba liên tiếp trong tháng, do giá thế giới đi xuống sau khi các nước tăng sản lượng khai thác dầu thô.</p>
<p>Các doanh nghiệp đầu mối được yêu cầu bảo đảm nguồn cung, không để thiếu hàng tại các cửa hàng bán lẻ trên cả nước.</p>
</article></body></html>""".encode()


def test_ingest_extracts_and_stores_a_real_page():
    pytest.importorskip("vnnews.extract.engine")
    record = ingest_page(
        "https://vnexpress.net/gia-xang-giam-4800000.html?utm_source=rss",
        HTML,
        headers={"Content-Type": "text/html; charset=utf-8"},
        batch="t",
        origin="feed",
    )
    assert record.outcome == Outcome.CREATED, record.reason
    stored = Article.objects.get()
    assert stored.url == "https://vnexpress.net/gia-xang-giam-4800000.html"
    assert "RON 95" in stored.text
    assert stored.raw_page is not None
    assert Source.objects.get().name == "VnExpress"
    again = ingest_page(
        "https://vnexpress.net/gia-xang-giam-4800000.html?utm_source=rss",
        HTML,
        batch="t",
        origin="feed",
    )
    assert again.outcome == Outcome.UNCHANGED
    assert RawPage.objects.count() == 1  # an identical page is not archived twice


def test_an_alias_set_in_the_admin_wins_and_one_for_the_outlet_wins_over_all():
    from vnnews.news.models import Section, SectionAlias

    culture = Section.objects.get(slug="van-hoa")
    travel = Section.objects.get(slug="du-lich")
    outlet = Source.objects.create(name="Báo A", domain="a.vn")
    SectionAlias.objects.create(name_key="goc phim", section=culture)
    assert resolve_section(["Góc phim"], "", outlet).slug == "van-hoa"
    SectionAlias.objects.create(name_key="goc phim", section=travel, source=outlet)
    assert resolve_section(["Góc phim"], "", outlet).slug == "du-lich"
    assert resolve_section(["Góc phim"], "", None).slug == "van-hoa"


def test_an_outlet_is_created_once_and_a_lost_race_for_it_ends_in_the_other_copy(monkeypatch):
    from vnnews.news import store as store_module

    first = store_module.source_for("https://vnexpress.net/a-1.html")
    assert first.domain == "vnexpress.net" and first.home_url == "https://vnexpress.net/"
    assert store_module.source_for("https://e.vnexpress.net/b-2.html") == first

    # Another process creates the outlet between our look-up and our insert.
    with monkeypatch.context() as patched:
        patched.setattr(store_module, "_first_id", lambda model, **equal: None)
        assert store_module.source_for("https://vnexpress.net/c-3.html") == first
    assert Source.objects.filter(domain="vnexpress.net").count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"title": "Thuỷ thủ hoà giải " * 80},  # cut to its column for the index, hashed whole
        {"text": "Đoạn \u0301 một.\n\nho\u0300a  giải\u00a0TOẢ", "blocks": []},
        {"sapo": "", "text": "Σίσυφος ΣΑΣ, Привет мир, 日本語", "blocks": []},
    ],
)
def test_an_article_prepared_ahead_has_the_hash_and_keys_of_one_prepared_in_place(overrides):
    """An import's workers fold each text once for both the content hash and the search keys:
    the same hash and keys as the store computes them apart."""
    from vnnews.news.search.terms import document_keys
    from vnnews.news.store import prepare
    from vnnews.stories.identity import content_hash, site_domain

    ahead, in_place = prepare(article(**overrides), ahead=True), prepare(article(**overrides))
    clean = in_place.clean
    assert ahead.digest == in_place.digest
    assert in_place.digest == content_hash(clean.title, clean.sapo + "\n" + clean.text)
    text, document = ahead.index_keys
    assert text == (clean.title[:1000], clean.sapo, clean.text)
    assert document == document_keys(*text)
    assert ahead.domain == site_domain(in_place.stored_url) == "dantri.com.vn"


def test_a_stored_article_is_indexed_with_the_keys_folded_with_its_hash(monkeypatch):
    """The store folds an article's text once, for its content hash and its search keys; the
    index (the post_save receiver) takes those keys while the text is still theirs."""
    from types import SimpleNamespace

    from vnnews.news.search import search, terms

    calls = []
    real = terms.document_keys
    monkeypatch.setattr(terms, "document_keys", lambda *a: calls.append(a) or real(*a))
    record = store_article(
        article(), source=None, raw_page=None, batch="b", origin="o", item_key="1"
    )
    assert record.outcome == Outcome.CREATED
    assert calls == []  # not folded again for the index
    assert [a.url for a in search("le hoi hoa").articles] == [record.article.url]
    # Keys kept on an article whose text changed since are not used.
    stale = SimpleNamespace(pk=1, title="Khác", sapo="", text="Hoàn toàn khác", published=None,
                            section_id=None, source_id=None)  # fmt: skip
    setattr(stale, terms.INDEX_KEYS, (("Hà Nội", "", "x"), real("Hà Nội", "", "x")))
    assert terms.document_for(stale).title_f == "khac"
