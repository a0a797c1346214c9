"""Search: diacritic-insensitive, exact-diacritic matches first, title above body, newest first;
the index follows saves and deletes and `vnnews reindex` rebuilds it. Runs on SQLite (FTS5) and
PostgreSQL (tsvector) alike."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_article, make_section, make_seed_article, make_source
from vnnews.news.models import Article
from vnnews.news.search import index_article, remove_article, search
from vnnews.news.search.terms import parse_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(seed_text):
    make_article("Giá lúa gạo tăng mạnh ở đồng bằng sông Cửu Long", text="Nông dân phấn khởi.")
    return make_seed_article(seed_text)


@pytest.mark.parametrize(
    "query",
    ["ha noi", "Hà Nội", "HÀ NỘI", "dao duc toan", "Đào Đức Toàn", "DAO ĐỨC TOÀN", "đảng bộ"],
)
def test_it_finds_the_seed_with_or_without_diacritics(seed, query):
    results = search(query)
    assert results.total == 1
    assert [a.pk for a in results.articles] == [seed.pk]


@pytest.mark.parametrize(
    ("query", "folded", "exact"),
    [
        ("Hà Nội", ["ha", "noi"], ["hà", "nội"]),
        ("ha noi", ["ha", "noi"], []),
        ("Đà Nẵng!", ["da", "nang"], ["đà", "nẵng"]),
        ("Ha Nội 2025", ["ha", "noi", "2025"], ["nội"]),
        ('"title_f" : NEAR(x*', ["title", "f", "near", "x"], []),
        ("  ", [], []),
    ],
)
def test_it_folds_queries_into_word_terms_only(query, folded, exact):
    parsed = parse_query(query)
    assert parsed.folded == folded
    assert parsed.exact == exact


@pytest.mark.parametrize(
    "query", ['"', "*", "AND OR NOT", "a:b", "(((", "'; DROP TABLE x; --", "^"]
)
def test_it_never_errors_on_query_syntax(seed, query):
    results = search(query)
    assert results.total >= 0


@pytest.mark.parametrize(
    "query",
    [
        "covid 19", "COVID-19", "2.000 đồng", "2 000 dong", "vnexpress", "vnexpress.net", "h5n1",
        "100m²", "đồng/m²", "CO₂", "½ giá",
    ],
)  # fmt: skip
def test_words_are_the_same_on_both_engines_whatever_their_punctuation(query):
    """An article is indexed word by word as a query is read (letters and digits, split at
    anything else): "COVID-19", "2.000" and "vnexpress.net" are found by their parts. PostgreSQL's
    own parser made single terms of a signed number ("-19"), a decimal ("2.000") or a host name,
    which no query could ever ask for."""
    article = make_article(
        "Giá xăng giảm 2.000 đồng",
        text="Ca mắc COVID-19 mới, theo VnExpress.net.\nVirus H5N1 được theo dõi.\n"
        "Căn hộ 100m² giá 50 triệu đồng/m², khí CO₂, giảm ½ giá.",
    )
    assert [a.pk for a in search(query).articles] == [article.pk]


def test_a_word_too_long_for_the_index_leaves_the_rest_searchable():
    article = make_article("Mã hoá dữ liệu", text="Chuỗi " + "x" * 3000 + " được lưu lại.")
    assert [a.pk for a in search("chuoi duoc luu").articles] == [article.pk]
    assert search("chuoi " + "y" * 3000).total >= 0  # a query holding one: no error


def test_exact_diacritic_matches_rank_first():
    now = timezone.now()
    # The folded-only match is newer and has the words in its title: exactness still wins.
    folded_only = make_article("Hạ nổi bật trên sân", text="Bàn thắng.", published=now)
    exact = make_article(
        "Tin trong ngày", text="Trời Hà Nội mưa to.", published=now - timedelta(days=3)
    )
    assert [a.pk for a in search("Hà Nội").articles] == [exact.pk, folded_only.pk]
    # Typed without diacritics there is no exactness to prefer: title first.
    assert [a.pk for a in search("ha noi").articles] == [folded_only.pk, exact.pk]


def test_words_typed_without_diacritics_do_not_spoil_the_exact_tier():
    now = timezone.now()
    folded_only = make_article("Hạ nổi bật", text="Sân cỏ.", published=now)
    exact = make_article("Tin trong ngày", text="Trời Hà Nội mưa.", published=now - timedelta(1))
    assert [a.pk for a in search("ha Nội").articles] == [exact.pk, folded_only.pk]


def test_words_side_by_side_rank_above_scattered_ones():
    now = timezone.now()
    scattered = make_article(
        "Giáo dục đạo đức cho học sinh",
        text="Đức tính tốt cần toàn xã hội chung tay.",
        published=now,
    )
    side_by_side = make_article(
        "Đại hội Đảng bộ khu công nghiệp",
        text="Phó Bí thư Đào Đức Toàn phát biểu.\nĐại hội thành công.",
        published=now - timedelta(days=30),
    )
    assert [a.pk for a in search("dao duc toan").articles] == [side_by_side.pk, scattered.pk]


def test_each_two_adjacent_words_side_by_side_is_enough():
    # "dao duc" and "duc toan" both side by side, though never all three in a row: the tier of
    # words side by side (adjacent pairs, as on PostgreSQL), above the newer scattered match.
    now = timezone.now()
    scattered = make_article("Đào tạo đức tính", text="Toàn xã hội chung tay.", published=now)
    pairs = make_article(
        "Tin trong ngày",
        text="Bài về Đào Đức.\nÔng Đức Toàn nói.",
        published=now - timedelta(days=2),
    )
    assert [a.pk for a in search("dao duc toan").articles] == [pairs.pk, scattered.pk]


def test_word_pairs_do_not_cross_paragraphs():
    other = make_article("Tin khác", text="Du lịch Đà Nẵng")
    # Newer id, same time: it would come first if "Đà" + "Nẵng" counted as side by side.
    article = make_article("Tin", text="Hội nghị ở Đà\nNẵng mưa", published=other.published)
    assert [a.pk for a in search("da nang").articles] == [other.pk, article.pk]


def test_title_matches_rank_above_body_matches():
    now = timezone.now()
    body = make_article("Tin trong ngày", text="Cầu Long Biên được sửa.", published=now)
    title = make_article(
        "Sửa cầu Long Biên", text="Công trình kéo dài.", published=now - timedelta(days=9)
    )
    assert [a.pk for a in search("cau long bien").articles] == [title.pk, body.pk]


def test_newer_articles_come_first_among_equals():
    now = timezone.now()
    ages = [5, 1, 3]
    made = [
        make_article(f"Bão số {age} đổ bộ", published=now - timedelta(hours=age)) for age in ages
    ]
    found = [a.pk for a in search("bao do bo").articles]
    assert found == [made[1].pk, made[2].pk, made[0].pk]


def test_it_filters_by_section_and_source():
    sport, world = make_section("the-thao", "Thể thao"), make_section("the-gioi", "Thế giới")
    vne, dt = make_source("vnexpress.net", "VnExpress"), make_source("dantri.com.vn", "Dân trí")
    a = make_article("Bóng đá Việt Nam thắng", section=sport, source=vne)
    b = make_article("Bóng đá châu Âu sôi động", section=world, source=dt)
    assert [x.pk for x in search("bong da").articles] == [a.pk, b.pk]
    assert [x.pk for x in search("bong da", section=sport).articles] == [a.pk]
    assert [x.pk for x in search("bong da", source=dt.pk).articles] == [b.pk]
    assert search("bong da", section=sport, source=dt).total == 0


def test_it_pages_results_with_a_total():
    for i in range(7):
        make_article(f"Giá xăng giảm lần {i}")
    first = search("gia xang", per_page=3)
    last = search("gia xang", per_page=3, page=3)
    assert (first.total, len(first.articles), first.has_next) == (7, 3, True)
    assert (last.total, len(last.articles), last.has_next) == (7, 1, False)
    assert not {a.pk for a in first.articles} & {a.pk for a in last.articles}
    assert search("gia xang", per_page=3, page=9).articles == []


def test_the_index_follows_saves_and_deletes():
    article = make_article("Khai mạc hội chợ", text="Hội chợ mùa thu.")
    assert search("hoi cho").total == 1
    article.title = "Bế mạc triển lãm"
    article.text = "Triển lãm đóng cửa."
    article.save()
    assert search("hoi cho").total == 0
    assert search("trien lam").total == 1
    article.delete()
    assert search("trien lam").total == 0


def test_duplicates_stay_out_of_results():
    original = make_article("Động đất ở Kon Tum")
    copy = make_article("Động đất ở Kon Tum", source=make_source())
    copy.duplicate_of = original
    copy.save()
    assert [a.pk for a in search("dong dat kon tum").articles] == [original.pk]


def test_reindex_command_rebuilds_after_bulk_changes():
    article = make_article("Mưa lớn ở miền Trung")
    Article.objects.filter(pk=article.pk).update(title="Nắng nóng ở miền Bắc")  # no signal
    remove_article(article.pk)
    assert search("nang nong").total == 0
    out = StringIO()
    call_command("reindex", stdout=out)
    assert "1 bài" in out.getvalue()
    assert [a.pk for a in search("nang nong mien bac").articles] == [article.pk]
    assert search("mua lon").total == 0


def test_rows_left_behind_by_a_bulk_delete_are_not_returned():
    article = make_article("Lũ quét ở Lào Cai")
    index_article(article)
    Article.objects.filter(pk=article.pk)._raw_delete(Article.objects.db)  # bypasses signals
    assert search("lu quet lao cai").articles == []
    call_command("reindex", stdout=StringIO())
    assert search("lu quet lao cai").total == 0


def _news_page(title: str, sentence: str) -> bytes:
    return (
        f"<html><head><title>{title}</title><meta property='article:published_time' "
        "content='2026-11-20T08:00:00+07:00'></head><body><article><h1>{title}</h1>"
        f"<p>{sentence}</p></article></body></html>"
    ).encode()


QUAKE = "Một trận động đất mạnh 4,5 độ làm rung chuyển nhiều nhà dân ở huyện Kon Plông sáng nay."


def test_a_copy_rewritten_twice_while_grouping_lags_is_found_by_its_newest_text(tmp_path, settings):
    """The story grouper re-indexes an article that stops being a copy: with the text in the
    database then, not the older one it read (it may be behind by a version or two), or the
    index kept that older text for good (the newest version, no longer a copy either, changes
    nothing the grouper would re-index for)."""
    from vnnews.news.store import ingest_page
    from vnnews.news.stories_sync import assign_story

    settings.ARCHIVE_DIR = tmp_path
    page = "https://baogialai.com.vn/dong-dat.html"
    original = ingest_page("https://vnexpress.net/dong-dat.html", _news_page("Động đất", QUAKE),
                           batch="b", origin="import")  # fmt: skip
    assign_story(original.article)
    copy = ingest_page(page, _news_page("Động đất", QUAKE), batch="b", origin="import")
    assert assign_story(copy.article).duplicate_of_id == original.article_id

    second = "Mưa đá bất ngờ trút xuống thị trấn Măng Đen, nhiều mái tôn bị thủng lỗ chỗ."
    ingest_page(page, _news_page("Mưa đá", second), batch="b", origin="import")
    read_by_the_grouper = Article.objects.get(pk=copy.article_id)
    third = "Lốc xoáy quật đổ hàng chục cây thông cổ thụ dọc quốc lộ 24 chiều qua."
    ingest_page(page, _news_page("Lốc xoáy", third), batch="b", origin="import")

    assign_story(read_by_the_grouper)  # no longer a copy: back in the index...
    assign_story(Article.objects.get(pk=copy.article_id))  # ...and the newest version's turn
    assert [a.pk for a in search("loc xoay quoc lo 24").articles] == [copy.article_id]
    assert search("mua da mang den").total == 0


def test_a_reindex_reads_the_articles_once():
    """Everything an index entry holds (date, section and outlet too) comes with the articles'
    one read: a field left out of it was fetched article by article."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    articles = [make_article(f"Tin vắn số {n}", section=make_section()) for n in range(20)]
    with CaptureQueriesContext(connection) as queries:
        call_command("reindex", stdout=StringIO())
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "news_article"' in q["sql"]]
    assert len(reads) == 1
    hit = search("tin van so 7", section=articles[7].section_id).articles
    assert [a.pk for a in hit] == [articles[7].pk]


@pytest.mark.django_db(transaction=True)  # a schema editor outside a test's transaction
def test_a_rebuild_indexes_every_original_and_leaves_the_tables_indexed():
    """What the search migrations do to an existing database (schema.rebuild_tables): tables
    dropped and made again, every article but copies indexed, then the table's own indexes
    built (on PostgreSQL, after loading: the GIN indexes a search needs must be there)."""
    from django.db import connection

    from vnnews.news.search import backend
    from vnnews.news.search.schema import rebuild_tables

    original = make_article("Sạt lở đất ở Quảng Nam")
    make_article("Sạt lở đất ở Quảng Nam", source=make_source(), duplicate_of=original)
    with connection.schema_editor() as editor:
        rebuild_tables(editor, Article.objects.filter(duplicate_of__isnull=True))
    assert [a.pk for a in search("sat lo dat quang nam").articles] == [original.pk]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s", [backend().TABLE]
            )
            names = {row[0] for row in cursor.fetchall()}
        assert {
            f"{backend().TABLE}_{s}_gin" for s in ("document", "title", "exact", "pairs")
        } <= names


def test_indexing_the_instance_just_saved_reads_no_text_back():
    """index_article reads the row's copy status and version stamp; its text only when the
    instance's is not the row's (the store bumps the stamp with every new text)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = make_article("Cháy rừng ở Hà Tĩnh", text="Lửa lan nhanh do gió Lào.")
    stale = Article.objects.get(pk=article.pk)
    Article.objects.filter(pk=article.pk).update(
        text="Đám cháy đã được khống chế.", change_count=1, last_changed=timezone.now()
    )
    for instance, reads in ((stale, 2), (Article.objects.get(pk=article.pk), 1)):
        with CaptureQueriesContext(connection) as queries:
            index_article(instance)
        selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
        assert len(selects) == reads
        assert search("khong che").total == 1 and search("gio lao").total == 0


@pytest.mark.parametrize("size", ["0", "100000"])
def test_reindex_refuses_a_batch_size_no_statement_could_hold(size):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--batch-size"):
        call_command("reindex", "--batch-size", size, stdout=StringIO())


def test_the_index_entry_takes_the_outlet_and_date_the_row_holds():
    """A caller may set fields on its instance without saving them (live ingestion names the
    feed's outlet on the article it stored): the entry is the row's."""
    home, elsewhere = make_source(), make_source()
    article = make_article("Giá xăng giảm lần thứ ba", source=home)
    article.source = elsewhere  # not saved
    index_article(article)
    assert [a.pk for a in search("gia xang giam", source=home.pk).articles] == [article.pk]
    assert search("gia xang giam", source=elsewhere.pk).total == 0
