"""The full-text index table: FTS5 on SQLite, a tsvector table with a GIN index on PostgreSQL.

The SQL depends on the database, so it runs from RunPython and picks the backend's statements.
"""

from django.db import migrations


def _statements(schema_editor, which: str) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        from vnnews.news.search import sqlite_fts as engine
    elif vendor == "postgresql":
        from vnnews.news.search import postgres_fts as engine
    else:
        return []
    return getattr(engine, which)


def create(apps, schema_editor):
    # Rows are indexed by 0002, once the table beside this one exists.
    for sql in _statements(schema_editor, "CREATE"):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in _statements(schema_editor, "DROP"):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    initial = True
    dependencies = [("news", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
