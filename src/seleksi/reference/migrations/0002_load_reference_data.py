"""Load provinces, regencies and education levels from the CSV files in `data/`.

A release that updates those files adds a migration like this one; the loader only adds and
updates rows, so it is safe to run again. Unapplying leaves the rows in place.
"""

from django.db import migrations

from seleksi.reference.loading import load_reference_data


def load(apps, schema_editor):
    load_reference_data(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
