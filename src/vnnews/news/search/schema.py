"""Creating and filling the full-text tables, shared by this app's migrations."""

from __future__ import annotations


def engine_for(connection):
    if connection.vendor == "sqlite":
        from vnnews.news.search import sqlite_fts

        return sqlite_fts
    if connection.vendor == "postgresql":
        from vnnews.news.search import postgres_fts

        return postgres_fts
    return None


def rebuild_tables(schema_editor, articles) -> None:
    """Drop and create the backend's full-text table, index `articles` (a queryset), then
    create the table's indexes (built once from all its rows)."""
    engine = engine_for(schema_editor.connection)
    if engine is None:
        return
    for sql in engine.DROP + engine.TABLES:
        schema_editor.execute(sql)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {engine.ENTRY}")
        index_all(cursor, engine, articles)
    for sql in engine.INDEXES:
        schema_editor.execute(sql)
    with schema_editor.connection.cursor() as cursor:
        engine.after_bulk(cursor)


def index_all(cursor, engine, articles, batch_size: int = 500) -> int:
    """Index every article of `articles` (a queryset of originals, not copies) into an emptied
    index: the fields an entry is made of read once (terms.INDEXED_FIELDS; the rest of a row,
    its blocks above all, is left in the database), written `batch_size` at a time with the
    engine's index_many. Returns how many."""
    from vnnews.news.search.terms import INDEXED_FIELDS, document_for

    count, docs = 0, []
    for article in articles.only(*INDEXED_FIELDS).order_by("pk").iterator(chunk_size=batch_size):
        docs.append(document_for(article))
        if len(docs) == batch_size:
            engine.index_many(cursor, docs)
            count, docs = count + len(docs), []
    engine.index_many(cursor, docs)
    return count + len(docs)
