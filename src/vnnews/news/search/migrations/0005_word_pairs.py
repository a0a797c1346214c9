"""Adjacent word pairs in the index, so words typed side by side rank first ("dao duc toan").
Both backends are rebuilt and every article is indexed again."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from vnnews.news.search.schema import rebuild_tables

    Article = apps.get_model("news", "Article")
    rebuild_tables(schema_editor, Article.objects.filter(duplicate_of__isnull=True))


class Migration(migrations.Migration):
    dependencies = [("search", "0004_postgres_document_metadata")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
