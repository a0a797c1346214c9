"""Bulk writes for `vnnews import`: a chunk's new articles inserted at once, and the per-save
side effects of an Article done once per chunk.

`store_article` keeps a new article (and its images) in the memo between `begin_bulk` and
`flush_pending` when its import record is deferred too, so a chunk of a few hundred items costs
one INSERT per table instead of one per row (the same address twice in a chunk flushes first).

Saving one Article fires two post_save receivers: the search index update
(vnnews.news.search.signals) and the content-version bump (vnnews.api.content_version, a file
rename in the shared cache). Over an import of thousands of articles they cost more than the
import itself, and `bulk_create` skips signals anyway. So while a chunk is written these two
receivers are disconnected (by their dispatch_uid), and the chunk's articles are indexed in the
same transaction (a kill -9 leaves no article unindexed) and the version bumped once after it.

The receivers are process-wide: a bulk import runs in its own process (`vnnews import`), so
nothing else in it saves articles meanwhile; they are reconnected even when the chunk fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models.signals import post_save

from vnnews.news.models import Article, EncodedJSONText, Image, Section, Source

# memo keys of a bulk import (see begin_bulk)
PENDING = "store:pending"  # canonical URL -> (unsaved Article, its unsaved Images)
SAVED = "store:saved"  # article id -> Article saved one by one in this chunk (to index)


def begin_bulk(memo: dict) -> None:
    """Start a chunk: new articles are kept in `memo` until `flush_pending` inserts them all."""
    memo[PENDING] = {}
    memo[SAVED] = {}


def flush_pending(memo: dict) -> list[Article]:
    """Insert the chunk's waiting articles and their images (two queries), and return every
    article created or changed since `begin_bulk`, for the caller to index."""
    pending = memo.get(PENDING) or {}
    if pending:
        articles = [article for article, _ in pending.values()]
        insert_new(Article, articles)
        images = [image for _, article_images in pending.values() for image in article_images]
        if images:
            insert_new(Image, images)
        saved = memo.setdefault(SAVED, {})
        for article in articles:
            saved[article.pk] = article
        pending.clear()
    return list((memo.get(SAVED) or {}).values())


# Field classes whose value, when of the given exact type (or None), is what the field's
# get_db_prep_save returns for it: CharField.to_python and IntegerField.get_prep_value return a
# str or an int as they are, and SQLite's operations adapt neither. Other fields (dates, JSON)
# go through Django's own get_db_prep_save.
_PLAIN: dict[type, type] = {
    models.CharField: str,
    models.TextField: str,
    models.URLField: str,
    models.SlugField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.BooleanField: bool,  # BooleanField.to_python gives a bool back as it is
}


class EncodedJSON(EncodedJSONText):
    """A JSON field's value as the field itself sends it to SQLite (`encode_json`), encoded
    ahead by an import worker: the worker's CPU instead of the writer's, and one string to send
    back instead of a list of dicts. Only `insert_new` writes it as it is; anything else must
    have the value back first (`decode_json`)."""


def encode_json(field_name: str, value: Any) -> Any:
    """Article's JSON `field_name` for `value` as `insert_new` would write it on SQLite; `value`
    as it is on other databases (their inserts go through bulk_create)."""
    if connection.vendor != "sqlite":
        return value
    field = Article._meta.get_field(field_name)
    return EncodedJSON(field.get_db_prep_save(value, connection))


def decode_json(value: Any) -> Any:
    return json.loads(value) if type(value) is EncodedJSON else value


def _db_value(field: models.Field) -> Callable[[models.Model], Any]:
    """obj -> the value bulk_create would send for `field` (pre_save, then get_db_prep_save)."""
    attname, plain = field.attname, _PLAIN.get(type(field))
    if isinstance(field, models.JSONField) and type(field).pre_save is models.Field.pre_save:

        def encoded(obj, attname=attname, field=field):
            value = getattr(obj, attname)
            if type(value) is EncodedJSON:
                return str(value)
            return field.get_db_prep_save(value, connection)

        return encoded
    if isinstance(field, models.ForeignKey):
        plain = int  # a saved object's id (or None); ForeignKey.get_db_prep_save gives it back
    if type(field) is models.DateTimeField and not (field.auto_now or field.auto_now_add):
        # What get_db_prep_save does with an aware datetime (get_prep_value gives it back as it
        # is), without DateTimeField.pre_save and the checks between: an article has four.
        def moment(obj, attname=attname, field=field):
            value = getattr(obj, attname)
            if value is None:
                return None
            if type(value) is datetime and value.utcoffset() is not None:
                return connection.ops.adapt_datetimefield_value(value)
            return field.get_db_prep_save(value, connection)  # naive: Django's warning and all

        return moment
    if plain is None or type(field).pre_save is not models.Field.pre_save:

        def slow(obj, field=field):
            return field.get_db_prep_save(field.pre_save(obj, True), connection)

        return slow

    def fast(obj, attname=attname, plain=plain, field=field):
        value = getattr(obj, attname)
        if value is None or type(value) is plain:
            return value
        return field.get_db_prep_save(value, connection)

    return fast


_COLUMNS: dict[type, tuple[str, list[Callable]]] = {}


def _insert_plan(model: type[models.Model]) -> tuple[str, list[Callable]]:
    if model not in _COLUMNS:
        opts = model._meta
        fields = [f for f in opts.concrete_fields if not f.primary_key and not f.generated]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in [opts.pk, *fields])
        sql = (
            f"INSERT INTO {quote(opts.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * (len(fields) + 1))})"
        )
        _COLUMNS[model] = (sql, [_db_value(f) for f in fields])
    return _COLUMNS[model]


def insert_new(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """`model.objects.bulk_create(objs)` for new rows (no pk yet), with the same rows and ids.

    On SQLite, one executemany with the ids given: Django's bulk_create spent more time building
    its multi-row INSERTs (as_sql, ~0.2 ms a row) than SQLite spent storing them. The ids are
    those SQLite would choose (AUTOINCREMENT: past the largest id ever used, which
    sqlite_sequence keeps), and nothing else writes meanwhile: the import's transactions begin
    IMMEDIATE, holding the write lock. Other databases, rows with a pk or with a database
    default: bulk_create itself."""
    opts = model._meta
    if (
        not objs
        or connection.vendor != "sqlite"
        or not connection.in_atomic_block
        or any(obj.pk is not None for obj in objs)
        or any(f.has_db_default() for f in opts.concrete_fields)
    ):
        for obj in objs:
            for field in opts.concrete_fields:
                if type(obj.__dict__.get(field.attname)) is EncodedJSON:
                    setattr(obj, field.attname, decode_json(getattr(obj, field.attname)))
        model.objects.bulk_create(objs)
        return
    sql, values = _insert_plan(model)
    for obj in objs:
        # As bulk_create: a related object saved since it was assigned lends its id.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({connection.ops.quote_name(opts.pk.column)}) "
            f"FROM {connection.ops.quote_name(opts.db_table)}), 0))",
            [opts.db_table],
        )
        last = cursor.fetchone()[0]
        rows = [
            (last + n, *[value(obj) for value in values]) for n, obj in enumerate(objs, start=1)
        ]
        cursor.executemany(sql, rows)
    for n, obj in enumerate(objs, start=1):
        obj.pk = last + n
        obj._state.adding = False
        obj._state.db = connection.alias


# WAL pages between automatic checkpoints during a bulk import (SQLite's default is 1,000,
# 4 MB: about one import chunk, so every chunk's commit copied the log into the database and
# waited for two fsyncs).
BULK_WAL_PAGES = 16_384  # 64 MB


@contextmanager
def wal_checkpoints_spaced() -> Iterator[None]:
    """On SQLite, checkpoint the write-ahead log every BULK_WAL_PAGES pages instead of every
    1,000 inside the block (this connection only; the default comes back after): pages a chunk
    rewrites (indexes, the full-text segments) reach the database file once per checkpoint, not
    once per chunk. A killed process loses nothing committed: the log is replayed on the next
    open, as always in WAL mode (synchronous=NORMAL)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA wal_autocheckpoint = {BULK_WAL_PAGES}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")


SEARCH_UID = "vnnews.search.saved"
# The content-version receivers of the models a chunk saves: articles, and the outlets and
# sections created on first sight (an import of pages from many sites creates hundreds; each
# bump rewrites a shared cache file). The chunk bumps the version once, after its commit.
VERSION_UIDS = {
    model: f"vnnews.content-version.{model.__name__}.save" for model in (Article, Source, Section)
}


@contextmanager
def article_signals_muted() -> Iterator[None]:
    """Article post_save without the search receiver, and Article, Source and Section post_save
    without the content-version receiver, inside the block."""
    search_was = post_save.disconnect(sender=Article, dispatch_uid=SEARCH_UID)
    version_was = [
        post_save.disconnect(sender=model, dispatch_uid=uid) for model, uid in VERSION_UIDS.items()
    ]
    try:
        yield
    finally:
        # Each module's connect() is idempotent (dispatch_uid), so calling it again restores
        # exactly the receivers taken away.
        if search_was:
            from vnnews.news.search import signals

            signals.connect()
        if any(version_was):
            from vnnews.api import content_version

            content_version.connect()


def index_articles(articles: Iterable[Article]) -> int:
    """What the muted search receiver (search.index_article) would have done for each saved
    article, in a few statements for the whole chunk: duplicates of another article are kept out
    of the index. An article may carry its keys (search.terms.INDEX_KEYS, computed with its
    content hash): used when the text is still that."""
    from vnnews.news.search import backend
    from vnnews.news.search.terms import document_for

    engine = backend()
    articles = list(articles)
    docs = []
    count = 0
    copies = _copies_now([article.pk for article in articles])
    with connection.cursor() as cursor:
        for article in articles:
            if article.pk in copies:
                engine.remove(cursor, article.pk)
            else:
                docs.append(document_for(article))  # with the keys the store kept, if current
            count += 1
        engine.index_many(cursor, docs)
    return count


def _copies_now(ids: list[int]) -> set[int]:
    """Which of these articles are copies of another as their rows stand now, not as the chunk
    read them: the store leaves `duplicate_of` to the story grouper (store._LEFT_TO_OTHERS), which
    on PostgreSQL may mark one a copy between the chunk's read and its write. Read after the
    chunk's writes, in its transaction: its updated rows are locked by then, and its new ones
    are seen by no one else."""
    if not ids:
        return set()
    return set(
        Article.objects.filter(pk__in=ids, duplicate_of__isnull=False).values_list("pk", flat=True)
    )


def bump_content_version() -> None:
    """Bump the readers' content version (vnnews.api.content_version) once, after the writes are
    committed (readers then see the new rows): for a whole import chunk, a live worker's recent
    articles (ingest_live.bump_soon) or a story assignment."""
    from django.apps import apps

    if apps.is_installed("vnnews.api"):
        from vnnews.api import content_version

        content_version.bump()
