"""PostgreSQL: the tsvectors hold the words a query is read into (terms._TOKEN, as FTS5 splits
them) instead of what PostgreSQL's parser made of the text ("-19", "2.000", "vnexpress.net" as
single lexemes, which no query could find). Every existing article is indexed again. SQLite
keeps its table (it already split words that way)."""

from django.db import migrations


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from vnnews.news.search.schema import rebuild_tables

    Article = apps.get_model("news", "Article")
    rebuild_tables(schema_editor, Article.objects.filter(duplicate_of__isnull=True))


class Migration(migrations.Migration):
    dependencies = [("search", "0006_sqlite_phrases")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
