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
    """Drop and create the backend's full-text table, then index `articles` (a queryset)."""
    from vnnews.news.search.terms import document_for

    engine = engine_for(schema_editor.connection)
    if engine is None:
        return
    for sql in engine.DROP + engine.CREATE:
        schema_editor.execute(sql)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {engine.ENTRY}")
        for article in articles.iterator():
            engine.index(cursor, document_for(article))
    with schema_editor.connection.cursor() as cursor:
        engine.after_bulk(cursor)
