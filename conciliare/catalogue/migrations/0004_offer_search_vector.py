"""On PostgreSQL, the words of an offer as a stored `tsvector`, kept by a trigger, with its GIN index.

The index of 0003 is on the expression `to_tsvector('italian', coalesce(search_text, ''))`. When the
planner filters words after a join, or sorts by relevance (`ts_rank`), it computes that expression
again for each row, about 0.1 ms each: 69 to 98 ms on the worst searches of 10,000 offers
(docs/performance.md). The stored column holds the same value, so the search (`search.py`) reads it
instead. It is not a model field: the trigger writes it, on insert and whenever `search_text`
changes, whatever writes the row (services, bulk inserts, the demo data).

SQLite has no full-text configuration for Italian; the search falls back to substrings there, and
this migration does nothing.
"""

from django.db import migrations

OLD_INDEX = "catalogue_offer_search_italian"
INDEX = "catalogue_offer_search_vector"
COLUMN = "search_vector"
FUNCTION = "catalogue_offer_search_vector"
VECTOR = "to_tsvector('italian'::regconfig, COALESCE({row}search_text, ''))"

FORWARDS = [
    f"ALTER TABLE catalogue_offer ADD COLUMN IF NOT EXISTS {COLUMN} tsvector",
    f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.{COLUMN} := {VECTOR.format(row="NEW.")};
        RETURN NEW;
    END
    $$""",
    f"DROP TRIGGER IF EXISTS {FUNCTION} ON catalogue_offer",
    f"""CREATE TRIGGER {FUNCTION} BEFORE INSERT OR UPDATE OF search_text ON catalogue_offer
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()""",
    f"UPDATE catalogue_offer SET {COLUMN} = {VECTOR.format(row='')}",
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalogue_offer USING gin ({COLUMN})",
    f"DROP INDEX IF EXISTS {OLD_INDEX}",
]

BACKWARDS = [
    f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON catalogue_offer USING gin ({VECTOR.format(row='')})",
    f"DROP INDEX IF EXISTS {INDEX}",
    f"DROP TRIGGER IF EXISTS {FUNCTION} ON catalogue_offer",
    f"DROP FUNCTION IF EXISTS {FUNCTION}()",
    f"ALTER TABLE catalogue_offer DROP COLUMN IF EXISTS {COLUMN}",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARDS:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_italian_full_text_index")]
    operations = [migrations.RunPython(forwards, backwards)]
