from django.db import migrations


def load(apps, schema_editor):
    from conciliare.territory.loading import load_territory

    load_territory(apps.get_model("territory", "District"), apps.get_model("territory", "Municipality"))


def unload(apps, schema_editor):
    apps.get_model("territory", "Municipality").objects.all().delete()
    apps.get_model("territory", "District").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
