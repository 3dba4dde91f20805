"""Invariants the database itself keeps (see docs/ledger.md for which guarantee comes from where).

PostgreSQL: balances kept by trigger; entries sum to zero with at least two per
transaction (deferred constraint triggers, checked at commit); entries and
transactions append-only; an account balance changes only through an entry.
SQLite: balances kept by trigger; entries and transactions append-only. SQLite
has no deferred triggers: the posting service checks the sum and the count.
"""

from django.db import migrations

POSTGRES_FORWARD = r"""
CREATE FUNCTION ledger_apply_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ledger_ledgeraccount SET balance = balance + NEW.amount WHERE id = NEW.account_id;
  RETURN NEW;
END $$;
CREATE TRIGGER ledger_entry_apply AFTER INSERT ON ledger_entry
  FOR EACH ROW EXECUTE FUNCTION ledger_apply_entry();

CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_ledgertransaction
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

CREATE FUNCTION ledger_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger: % is append-only; correct it with a reversal', TG_TABLE_NAME
    USING ERRCODE = '23000';
END $$;
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
  FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
CREATE TRIGGER ledger_transaction_append_only BEFORE UPDATE OR DELETE ON ledger_ledgertransaction
  FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

-- A balance moves only through an entry: the entry trigger runs at depth 2, a
-- direct UPDATE at depth 1.
CREATE FUNCTION ledger_guard_balance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.balance <> OLD.balance AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'ledger: the balance of account % changes only through entries', OLD.id
      USING ERRCODE = '23000';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ledger_account_balance_guard BEFORE UPDATE ON ledger_ledgeraccount
  FOR EACH ROW EXECUTE FUNCTION ledger_guard_balance();
"""

POSTGRES_REVERSE = r"""
DROP TRIGGER ledger_account_balance_guard ON ledger_ledgeraccount;
DROP FUNCTION ledger_guard_balance();
DROP TRIGGER ledger_transaction_append_only ON ledger_ledgertransaction;
DROP TRIGGER ledger_entry_append_only ON ledger_entry;
DROP FUNCTION ledger_forbid_change();
DROP TRIGGER ledger_transaction_balanced ON ledger_ledgertransaction;
DROP TRIGGER ledger_entry_balanced ON ledger_entry;
DROP FUNCTION ledger_check_balanced();
DROP TRIGGER ledger_entry_apply ON ledger_entry;
DROP FUNCTION ledger_apply_entry();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER ledger_entry_apply AFTER INSERT ON ledger_entry BEGIN
         UPDATE ledger_ledgeraccount SET balance = balance + NEW.amount WHERE id = NEW.account_id;
       END""",
    *[
        f"""CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON {table} BEGIN
              SELECT RAISE(ABORT, 'ledger: {table} is append-only; correct it with a reversal');
            END"""
        for table in ("ledger_entry", "ledger_ledgertransaction")
        for action in ("update", "delete")
    ],
]
SQLITE_REVERSE = [
    "DROP TRIGGER ledger_entry_apply",
    *[f"DROP TRIGGER {t}_no_{a}" for t in ("ledger_entry", "ledger_ledgertransaction") for a in ("update", "delete")],
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)  # no placeholders: RAISE uses %
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
