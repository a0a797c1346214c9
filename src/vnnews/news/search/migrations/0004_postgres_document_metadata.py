"""PostgreSQL: date, section and outlet on the document row itself (searches read one narrow
table, no join). Both backends are rebuilt and every article is indexed again."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from vnnews.news.search.schema import rebuild_tables

    Article = apps.get_model("news", "Article")
    rebuild_tables(schema_editor, Article.objects.filter(duplicate_of__isnull=True))


class Migration(migrations.Migration):
    dependencies = [("search", "0003_narrow_postgres_document")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
