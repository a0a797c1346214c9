"""Article search behind one small interface:

    index_article(article)            add or refresh one article
    remove_article(article_id)        drop one article
    search(query, section=, source=, page=, per_page=) -> SearchResults (with .total)

The backend follows the database: SQLite FTS5 on the embedded default, PostgreSQL full-text
search on PostgreSQL. Both fold with vnnews.text.fold, so "dao duc toan" finds "Đào Đức Toàn".
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType, SimpleNamespace
from typing import Any

from django.db import connections

from vnnews.news.search.terms import INDEX_KEYS, INDEXED_FIELDS, Query, document_for, parse_query

MAX_PER_PAGE = 100
# Popular searches repeat: each process keeps the answer's ids for a while, under the content
# version (vnnews.api.content_version), so a saved or imported article shows up at once.
ANSWER_SECONDS = 120


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    articles: list[Any] = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.has_next else None

    # The reader's list templates read pages as .number / .next_number.
    @property
    def number(self) -> int:
        return self.page

    next_number = next_page


def backend(using: str = "default") -> ModuleType:
    vendor = connections[using].vendor
    if vendor == "postgresql":
        from vnnews.news.search import postgres_fts

        return postgres_fts
    if vendor == "sqlite":
        from vnnews.news.search import sqlite_fts

        return sqlite_fts
    raise NotImplementedError(f"không hỗ trợ tìm kiếm trên CSDL {vendor}")


def index_article(article, using: str = "default") -> None:
    """Add or refresh one article as its row stands now: duplicates of another article, and an
    article deleted meanwhile, are kept out of the index.

    The row, not the caller's instance, which may be older: the story grouper reads an article,
    another process stores a newer version, the grouper finds the article no longer a copy and
    re-indexes it; with the text it had read, the index kept that older text for good (the newer
    version, not a copy either, gives the grouper no reason to re-index). The row is read and
    indexed in one transaction, locked on PostgreSQL (FOR NO KEY UPDATE: it orders the row's
    writers, not inserts of rows pointing at it; on SQLite the transaction's write lock covers
    both), so a version stored meanwhile is indexed after this one, by the process that stored
    it. Only the row's copy status, version stamp, section, outlet and date are read, in plain
    SQL (the ORM built that one query in about as long as the rest took); its text only when
    the stamp says the instance's is older. Keys the store computed for the same text are
    used."""
    from django.db import transaction

    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(_row_state_sql(connection), [article.pk])
        row = cursor.fetchone()
        if row is None or row[0] is not None:  # gone, or a copy of another article
            backend(using).remove(cursor, article.pk)
            return
        _, count, changed, section_id, source_id, published = row
        entry = _as_stored(article, count, changed) or _stored(article.pk, using)
        # As the row holds them: the admin may set the section without a new version, and a
        # caller may have set others on its instance without saving them.
        entry.section_id, entry.source_id = section_id, source_id
        entry.published = _moment(published)
        backend(using).index(cursor, document_for(entry))


def _row_state_sql(connection) -> str:
    """Whether the row is a copy, its version stamp (the store bumps change_count and sets
    last_changed with every new text; the admin cannot edit the text), and the entry's section,
    outlet and date."""
    from vnnews.news.story_candidates import article_columns

    sql = "SELECT {duplicate_of}, {version}, {changed}, {section}, {source}, {published} "
    sql += "FROM {table} WHERE {pk} = %s"
    lock = " FOR NO KEY UPDATE" if connection.vendor == "postgresql" else ""
    return sql.format(**article_columns()) + lock


def _as_stored(article, count: int, changed) -> SimpleNamespace | None:
    """The instance's title, sapo and text, if its version stamp is the row's and they are
    loaded (read from its __dict__: a deferred field would cost a query of its own)."""
    fields = article.__dict__
    if fields.get("change_count") != count or "last_changed" not in fields:
        return None
    if _moment(changed) != fields["last_changed"]:
        return None
    names = ("title", "sapo", "text")
    if any(name not in fields for name in names):
        return None
    entry = SimpleNamespace(pk=article.pk, **{name: fields[name] for name in names})
    # The store's keys, if it computed them for this very text (terms._keys_kept_on checks).
    setattr(entry, INDEX_KEYS, getattr(article, INDEX_KEYS, None))
    return entry


def _moment(value):
    """A datetime column's value as the row-state read gives it (SQLite: text, which
    article_columns casts it to, in UTC as it holds it with USE_TZ), as the ORM gives it: aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _stored(pk: int, using: str):
    """The article's indexed fields as stored (its row, read again; in index_article's
    transaction, after the row's lock)."""
    from vnnews.news.models import Article

    return Article.objects.using(using).only(*INDEXED_FIELDS).get(pk=pk)


def remove_article(article_id: int, using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        backend(using).remove(cursor, article_id)


def _id_of(value) -> int | None:
    if value is None or value == "":
        return None
    return int(getattr(value, "pk", value))


def search(
    query: str,
    *,
    section=None,
    source=None,
    page: int = 1,
    per_page: int = 20,
    using: str = "default",
    fields: Sequence[str] = (),
) -> SearchResults:
    """Articles matching every word of `query` (diacritics optional), best first.

    `section` and `source` take a model instance or an id. Ranking: exact-diacritic matches,
    then matches in the title, then the newest. The articles come with their section and
    outlet and without their body; `fields` (as for QuerySet.only) loads fewer columns still,
    for a caller that knows what it shows.
    """

    page = max(1, int(page))
    per_page = max(1, min(MAX_PER_PAGE, int(per_page)))
    parsed: Query = parse_query(query or "")
    results = SearchResults(query=query or "", total=0, page=page, per_page=per_page)
    if parsed.empty:
        return results
    ids, results.total = _cached_search(
        parsed, _id_of(section), _id_of(source), per_page, (page - 1) * per_page, using
    )
    results.articles = _result_rows(ids, tuple(fields), using)
    return results


_ROWS_LIMIT = 500  # kept pages of rows (20 rows each, ~2 KB a row); all dropped beyond that
_rows: dict[tuple, tuple[float, list]] = {}
_rows_lock = threading.Lock()


def forget_rows() -> None:
    """Drop every kept page of rows (benchmarks measuring the query, tests)."""
    with _rows_lock:
        _rows.clear()


def _result_rows(ids: list[int], fields: tuple[str, ...], using: str) -> list:
    """The articles of one answer page, in order. Kept per process beside the answer, under
    the content version (a save changes it, so they are current): a repeated search costs no
    query. Shared between threads: callers get a copy of the list and only read the rows."""
    from vnnews.api import content_version
    from vnnews.news.models import Article

    if not ids:
        return []
    key = (content_version.current(), using, fields, tuple(ids))
    now = time.monotonic()
    kept = _rows.get(key)
    if kept is not None and kept[0] > now:
        return list(kept[1])
    # Result lists show summaries: leave the body (the widest columns) in the database.
    rows = Article.objects.using(using).select_related("source", "section")
    rows = rows.only(*fields) if fields else rows.defer("blocks", "text")
    by_id = rows.in_bulk(ids)
    found = [by_id[i] for i in ids if i in by_id]
    with _rows_lock:
        if len(_rows) >= _ROWS_LIMIT:
            _rows.clear()
        _rows[key] = (now + ANSWER_SECONDS, found)
    return list(found)


def _cached_search(
    parsed: Query,
    section_id: int | None,
    source_id: int | None,
    limit: int,
    offset: int,
    using: str,
) -> tuple[list[int], int]:
    from django.conf import settings
    from django.core.cache import caches

    from vnnews.api import content_version

    store = caches[settings.VNNEWS_PAGE_CACHE_ALIAS]
    key = hashlib.blake2b(
        repr((using, parsed, section_id, source_id, limit, offset)).encode("utf-8"),
        digest_size=16,
    ).hexdigest()
    key = f"vnnews:search:{content_version.current()}:{key}"
    found = store.get(key)
    if found is not None:
        return found
    with connections[using].cursor() as cursor:
        found = backend(using).search(
            cursor, parsed, section_id=section_id, source_id=source_id, limit=limit, offset=offset
        )
    store.set(key, found, ANSWER_SECONDS)
    return found


def reindex(batch_size: int = 500, using: str = "default") -> int:
    """Rebuild the whole index from the articles table; returns how many were indexed."""
    from django.db import transaction

    from vnnews.news.models import Article
    from vnnews.news.search.schema import index_all

    engine = backend(using)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        engine.clear(cursor)
        originals = Article.objects.using(using).filter(duplicate_of__isnull=True)
        count = index_all(cursor, engine, originals, batch_size)
    with connections[using].cursor() as cursor:
        engine.after_bulk(cursor)
    from vnnews.api import content_version

    content_version.bump()  # cached answers (see _cached_search) came from the old index
    return count


__all__ = ["SearchResults", "index_article", "reindex", "remove_article", "search"]
