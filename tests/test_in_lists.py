"""Lists longer than one IN (...) slice are asked in slices, and the answers put together lose
nothing: the feed poller's "which of these addresses do we know?" over 1,204 addresses."""

from __future__ import annotations

import pytest

from tests.factories import make_articles
from vnnews.news.in_lists import IN_LIST_SIZE, in_slices
from vnnews.news.models import Article, Tombstone


def test_slices_keep_every_value_in_order():
    values = list(range(2 * IN_LIST_SIZE + 1))
    slices = list(in_slices(values))
    assert [len(s) for s in slices] == [IN_LIST_SIZE, IN_LIST_SIZE, 1]
    assert [v for s in slices for v in s] == values
    assert list(in_slices([])) == []


@pytest.mark.django_db
def test_known_addresses_are_found_in_every_slice():
    from vnnews.news.ingest_live import _known_urls

    articles = make_articles(3)
    Tombstone.objects.create(url="https://vnexpress.net/da-xoa.html")
    unknown = [f"https://vnexpress.net/moi-{n}.html" for n in range(2 * IN_LIST_SIZE + 200)]
    # The known ones at the start, in the middle and at the end of the list.
    urls = [articles[0].url, *unknown[:600], articles[1].url, *unknown[600:],
            "https://vnexpress.net/da-xoa.html", articles[2].url]  # fmt: skip
    assert len(urls) > 2 * IN_LIST_SIZE
    known = _known_urls(urls)
    assert known == {
        *Article.objects.values_list("url", flat=True),
        "https://vnexpress.net/da-xoa.html",
    }
