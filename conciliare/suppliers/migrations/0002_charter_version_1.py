"""Version 1 of the Carta etica, so that suppliers can apply on a new installation."""

from django.db import migrations
from django.utils import timezone


def publish(apps, schema_editor):
    from conciliare.suppliers import charter_v1

    CharterVersion = apps.get_model("suppliers", "CharterVersion")
    CharterCommitment = apps.get_model("suppliers", "CharterCommitment")
    if CharterVersion.objects.exists():
        return
    version = CharterVersion.objects.create(
        number=1,
        title=charter_v1.TITLE,
        text=charter_v1.TEXT,
        fund_contribution_percent=charter_v1.FUND_CONTRIBUTION_PERCENT,
        published_at=timezone.now(),
    )
    for position, (kind, text) in enumerate(charter_v1.COMMITMENTS):
        CharterCommitment.objects.create(version=version, kind=kind, text=text, position=position)


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0001_initial")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
