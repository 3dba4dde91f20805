"""On PostgreSQL, a GIN index on the same expression the search filters with (`search.py`).

SQLite has no full-text configuration for Italian; the search falls back to substrings there.
"""

from django.db import migrations

INDEX = "catalogue_offer_search_italian"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalogue_offer "
            "USING gin (to_tsvector('italian'::regconfig, COALESCE(search_text, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_initial")]
    operations = [migrations.RunPython(create, drop)]
