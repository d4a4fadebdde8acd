"""Every English upper-tier local authority since 2009, and one board per authority code."""

from django.db import migrations


def load_reference_data(apps, schema_editor):
    from reviews import reference_data

    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
