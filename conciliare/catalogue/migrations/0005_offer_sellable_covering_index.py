"""On PostgreSQL, a covering index for counting a search's matches per supplier without reading the table.

Every nearest-first search counts its matches per supplier (`search.NearestFirstPages`) over the
offers of the suppliers that may sell. Without this index PostgreSQL reads the whole offer table
(wide rows: description, words, tsvector) to count about 9,000 rows: 9 to 11 ms of CPU per broad
search on 10,000 offers. The index holds every column those filters use (status, supplier,
category, price, ages, whole area), so the count becomes an index-only scan: 2 to 4 ms
(docs/performance.md). Index-only scans need the visibility map kept by (auto)vacuum, as usual.

It is no model `Index(include=...)`: SQLite has no covering indexes and Django would warn (models.W040)
on every check there; on SQLite this migration does nothing.
"""

from django.db import migrations

INDEX = "catalogue_offer_status_supplier_cover"
FORWARDS = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalogue_offer (status, supplier_id) "
    "INCLUDE (id, category, price, min_age_months, max_age_months, whole_area)"
)
BACKWARDS = f"DROP INDEX IF EXISTS {INDEX}"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0004_offer_search_vector")]
    operations = [migrations.RunPython(forwards, backwards)]
