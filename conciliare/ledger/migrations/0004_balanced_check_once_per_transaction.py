"""The deferred balance check runs once per ledger transaction, not once per entry.

A transaction with N entries fired N row triggers that each summed all N entries
(O(N²): a plan crediting 100,000 wallets took minutes). The check now remembers, for
the rest of the database transaction, which ledger transaction it verified and the
highest entry id it saw; a later row trigger of the same ledger transaction is skipped
only if its entry was already counted. An entry added afterwards is checked again.
"""

from django.db import migrations

CHECK_ONCE = r"""
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  txn bigint;
  total numeric;
  lines integer;
  last_entry bigint;
  marker text := coalesce(current_setting('ledger.checked', true), '');
BEGIN
  IF TG_TABLE_NAME = 'ledger_entry' THEN
    txn := NEW.transaction_id;
    IF marker <> '' AND split_part(marker, ':', 1)::bigint = txn
       AND NEW.id <= split_part(marker, ':', 2)::bigint THEN
      RETURN NULL;  -- this entry was part of the sum already checked
    END IF;
  ELSE
    txn := NEW.id;
  END IF;
  SELECT coalesce(sum(amount), 0), count(*), coalesce(max(id), 0) INTO total, lines, last_entry
    FROM ledger_entry WHERE transaction_id = txn;
  IF lines < 2 THEN
    RAISE EXCEPTION 'ledger: transaction % has % entries; at least two are required', txn, lines
      USING ERRCODE = '23514';
  END IF;
  IF total <> 0 THEN
    RAISE EXCEPTION 'ledger: the entries of transaction % sum to %, not to zero', txn, total
      USING ERRCODE = '23514';
  END IF;
  PERFORM set_config('ledger.checked', txn || ':' || last_entry, true);
  RETURN NULL;
END $$;
"""

CHECK_EVERY_ROW = r"""
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  txn bigint;
  total numeric;
  lines integer;
BEGIN
  IF TG_TABLE_NAME = 'ledger_entry' THEN txn := NEW.transaction_id; ELSE txn := NEW.id; END IF;
  SELECT coalesce(sum(amount), 0), count(*) INTO total, lines FROM ledger_entry WHERE transaction_id = txn;
  IF lines < 2 THEN
    RAISE EXCEPTION 'ledger: transaction % has % entries; at least two are required', txn, lines
      USING ERRCODE = '23514';
  END IF;
  IF total <> 0 THEN
    RAISE EXCEPTION 'ledger: the entries of transaction % sum to %, not to zero', txn, total
      USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHECK_ONCE, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHECK_EVERY_ROW, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_ledgeraccount_ledger_one_world_and_more")]
    operations = [migrations.RunPython(forward, reverse)]
