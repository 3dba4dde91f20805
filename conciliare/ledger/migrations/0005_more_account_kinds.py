"""Account kinds for vouchers outstanding and payroll payables; one payable per organization and kind.

SQLite rebuilds a table to change its constraints, and refuses to rename the rebuilt account
table while the entry triggers of migration 0002 name it: the triggers are dropped first and
made again at the end (PostgreSQL alters the constraints in place and needs neither step).
"""

import importlib

from django.conf import settings
from django.db import migrations, models

invariants = importlib.import_module("conciliare.ledger.migrations.0002_database_invariants")


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


drop_triggers = _sqlite(invariants.SQLITE_REVERSE)
make_triggers = _sqlite(invariants.SQLITE_FORWARD)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('ledger', '0004_balanced_check_once_per_transaction'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_triggers, make_triggers),
        migrations.RemoveConstraint(
            model_name='ledgeraccount',
            name='ledger_account_kind_valid',
        ),
        migrations.AlterField(
            model_name='ledgeraccount',
            name='kind',
            field=models.CharField(choices=[('employee_wallet', 'employee wallet'), ('company_funding', 'company funding'), ('supplier_payable', 'supplier payable'), ('solidarity_fund', 'Solidarity Fund'), ('public_cofunding', 'public co-funding'), ('citizen_clearing', 'citizen payments clearing'), ('platform_revenue', 'platform revenue'), ('vouchers_outstanding', 'vouchers issued, not yet redeemed'), ('payroll_payable', 'reimbursements payable through payroll'), ('external_world', 'external world')], max_length=32, verbose_name='kind'),
        ),
        migrations.AddConstraint(
            model_name='ledgeraccount',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['employee_wallet', 'company_funding', 'supplier_payable', 'solidarity_fund', 'public_cofunding', 'citizen_clearing', 'platform_revenue', 'vouchers_outstanding', 'payroll_payable', 'external_world'])), name='ledger_account_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='ledgeraccount',
            constraint=models.UniqueConstraint(condition=models.Q(('kind__in', ['supplier_payable', 'payroll_payable'])), fields=('owner_organization', 'kind'), name='ledger_one_payable_per_organization_and_kind'),
        ),
        migrations.AddConstraint(
            model_name='ledgeraccount',
            constraint=models.UniqueConstraint(condition=models.Q(('kind__in', ['vouchers_outstanding', 'citizen_clearing', 'platform_revenue'])), fields=('kind',), name='ledger_one_platform_account_per_kind'),
        ),
        migrations.RunPython(make_triggers, drop_triggers),
    ]
