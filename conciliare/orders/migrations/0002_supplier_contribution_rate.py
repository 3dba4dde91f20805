"""The Solidarity Fund contribution of version 1 of the ethical charter: 2 per cent of each sale,
withheld from the supplier's payable, from the platform's first tax year."""

import datetime
from decimal import Decimal

from django.db import migrations


def forward(apps, schema_editor):
    WithholdingRate = apps.get_model("orders", "WithholdingRate")
    WithholdingRate.objects.get_or_create(
        kind="supplier_contribution",
        valid_from=datetime.date(2025, 1, 1),
        defaults={"percent": Decimal("2.00"), "note": "Carta etica, versione 1: contributo al Fondo di Solidarietà"},
    )


def backward(apps, schema_editor):
    apps.get_model("orders", "WithholdingRate").objects.filter(
        kind="supplier_contribution", valid_from=datetime.date(2025, 1, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
