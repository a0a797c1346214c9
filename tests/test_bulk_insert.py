"""news.bulk.insert_new: the import's bulk insert of new rows stores exactly the rows
bulk_create stores (same column values, same ids, related ids lent by objects saved since they
were assigned), on SQLite by one executemany, elsewhere through bulk_create itself."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from tests.factories import make_section, make_source
from vnnews.news.bulk import (
    BULK_WAL_PAGES,
    EncodedJSON,
    decode_json,
    encode_json,
    insert_new,
    wal_checkpoints_spaced,
)
from vnnews.news.models import Article, Image, ImportRecord

pytestmark = pytest.mark.django_db(transaction=True)


def new_articles(prefix: str, source, section) -> list[Article]:
    common = {
        "source": source,
        "section": section,
        "title": "Mưa lớn ở miền Trung",
        "sapo": "Sapo “ngoặc kép”",
        "text": "Đoạn một.\nĐoạn hai.",
        "blocks": [{"type": "p", "text": "Đoạn một."}, {"type": "img", "src": "https://x/a.jpg"}],
        "authors": ["Hoàng Phúc"],
        "tags": ["thời tiết", "lũ"],
        # Stored in UTC whatever its zone, as bulk_create stores it.
        "published": datetime(2024, 10, 1, 8, 2, 3, 456789, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        "story_waiting": True,
        "content_hash": "ab" * 32,
        "simhash": -(2**62),
    }
    return [
        Article(url=f"https://bao.example.vn/{prefix}-{n}.htm", **common, updated=None)
        for n in range(3)
    ]


def stored(model, ids: list[int], skip: tuple[str, ...] = ("id",)) -> list[tuple]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {table} WHERE id IN ({', '.join(map(str, ids))}) ORDER BY id"
        )
        names = [c[0] for c in cursor.description]
        return [
            tuple(v for name, v in zip(names, row, strict=True) if name not in skip)
            for row in cursor.fetchall()
        ]


def test_rows_are_those_of_bulk_create():
    source, section = make_source(), make_section()
    by_django = new_articles("a", source, section)
    by_us = new_articles("b", source, section)
    seen = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    for article in by_us + by_django:  # the same first_seen and last_changed on both sides
        article.first_seen = article.last_changed = seen
    with transaction.atomic():
        Article.objects.bulk_create(by_django)
        insert_new(Article, by_us)
        images = [Image(article=a, position=1, src="https://x/a.jpg", alt="ảnh") for a in by_us]
        insert_new(Image, images)
        records = [
            ImportRecord(batch="b", origin="o", item_key=str(n), url=a.url, article=a,
                         outcome=ImportRecord.Outcome.CREATED)
            for n, a in enumerate(by_us)
        ]  # fmt: skip
        insert_new(ImportRecord, records)
    ids = [a.pk for a in by_us]
    assert ids == [by_django[-1].pk + n for n in (1, 2, 3)]
    assert all(not a._state.adding and a._state.db == "default" for a in by_us)
    skip = ("id", "url")
    assert stored(Article, ids, skip) == stored(Article, [a.pk for a in by_django], skip)
    assert [i.article_id for i in images] == ids
    assert list(
        Image.objects.filter(article__in=ids)
        .order_by("article_id")
        .values_list("article_id", "alt")
    ) == [(i, "ảnh") for i in ids]
    assert list(ImportRecord.objects.filter(pk__in=[r.pk for r in records]).order_by("pk").values_list(
        "article_id", flat=True)) == ids  # fmt: skip
    assert Article.objects.get(pk=ids[0]).published == by_us[0].published


def test_ids_are_never_reused():
    source, section = make_source(), make_section()
    first = new_articles("a", source, section)
    with transaction.atomic():
        insert_new(Article, first)
    Article.objects.filter(pk=first[-1].pk).delete()
    again = new_articles("b", source, section)
    with transaction.atomic():
        insert_new(Article, again)
    # As the database would number them (AUTOINCREMENT / a sequence): past the deleted one.
    assert again[0].pk > first[-1].pk
    later = Article.objects.create(url="https://bao.example.vn/later", source=source, title="x")
    assert later.pk > again[-1].pk


def wal_autocheckpoint() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cursor.fetchone()[0]


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_an_import_spaces_wal_checkpoints_and_restores_the_default():
    before = wal_autocheckpoint()
    with wal_checkpoints_spaced():
        assert wal_autocheckpoint() == BULK_WAL_PAGES != before
    assert wal_autocheckpoint() == before
    with pytest.raises(RuntimeError), wal_checkpoints_spaced():
        raise RuntimeError
    assert wal_autocheckpoint() == before


def test_blocks_encoded_ahead_are_stored_as_the_list_would_be():
    """An import worker encodes an article's blocks ahead (bulk.encode_json): the row is the one
    the list gives, by insert_new on SQLite, and by bulk_create (given the list back) elsewhere
    or when insert_new cannot take its shortcut."""
    source, section = make_source(), make_section()
    as_list, encoded, outside = (new_articles(p, source, section) for p in ("a", "b", "c"))
    seen = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    for article in as_list + encoded + outside:
        article.first_seen = article.last_changed = seen
    for article in encoded + outside:
        article.blocks = encode_json("blocks", article.blocks)
    assert type(encoded[0].blocks) is (EncodedJSON if connection.vendor == "sqlite" else list)
    with transaction.atomic():
        insert_new(Article, as_list)
        insert_new(Article, encoded)
    insert_new(Article, outside)  # outside a transaction: bulk_create
    skip = ("id", "url")
    rows = stored(Article, [a.pk for a in as_list], skip)
    assert stored(Article, [a.pk for a in encoded], skip) == rows
    assert stored(Article, [a.pk for a in outside], skip) == rows
    assert Article.objects.get(pk=encoded[0].pk).blocks == as_list[0].blocks
    assert decode_json(encode_json("blocks", as_list[0].blocks)) == as_list[0].blocks


def test_a_save_given_blocks_encoded_ahead_fails_instead_of_storing_them_twice_encoded():
    """Only insert_new writes encoded blocks as they are; a save path that forgot to decode
    them would store a JSON string holding the JSON, unnoticed until someone reads it."""
    article = new_articles("d", make_source(), make_section())[0]
    article.blocks = EncodedJSON('[{"type": "p", "text": "Đoạn một."}]')
    with pytest.raises(TypeError, match="decoded first"):
        article.save()
    assert not Article.objects.filter(url=article.url).exists()
