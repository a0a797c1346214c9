"""Planner statistics (news.db_maintenance): the pages' "newest first" lists need them."""

from __future__ import annotations

import pytest
from django.db import connection

from vnnews.news.db_maintenance import update_statistics

from .factories import make_article

pytestmark = pytest.mark.django_db


def _article_statistics() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'news_article'")
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'news_article' "
                "AND attname = 'published'"
            )
        return cursor.fetchone()[0]


def test_statistics_exist_for_articles_after_an_update():
    for n in range(3):
        make_article(f"Bài số {n} về giá vàng")
    assert update_statistics(full=True) == "ANALYZE"
    assert _article_statistics() > 0


def test_a_later_update_is_the_cheap_one_on_sqlite():
    make_article("Bài về thời tiết")
    update_statistics(full=True)
    expected = "PRAGMA optimize" if connection.vendor == "sqlite" else "ANALYZE"
    assert update_statistics() == expected
