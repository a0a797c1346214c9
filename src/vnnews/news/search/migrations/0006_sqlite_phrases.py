"""SQLite: the FTS5 table loses its column of glued word pairs (words side by side are phrase
queries on the word positions it keeps) and its column sizes (unused); body paragraphs are
separated by terms.PARAGRAPH. The table is rebuilt and every existing article indexed again.
PostgreSQL keeps its tables (the same rows as before)."""

from django.db import migrations


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from vnnews.news.search.schema import rebuild_tables

    Article = apps.get_model("news", "Article")
    rebuild_tables(schema_editor, Article.objects.filter(duplicate_of__isnull=True))


class Migration(migrations.Migration):
    dependencies = [("search", "0005_word_pairs")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
