"""Load the bundled official list, so every new database (tests too) has the units.

It goes through the same code as ``manage.py load_administrative_units``, on the
historical models; running it on a database that already has the units changes
nothing. A later release of the list ships as the bundled file plus a new migration
like this one, so ``migrate`` brings every deployment up to date.
"""

from django.db import migrations


def load_administrative_units(apps, schema_editor):
    from address import services

    services.administrative_units_apply(
        data=services.administrative_units_read(),
        province_model=apps.get_model("address", "Province"),
        commune_model=apps.get_model("address", "Commune"),
    )


class Migration(migrations.Migration):
    dependencies = [("address", "0008_province_commune")]

    operations = [migrations.RunPython(load_administrative_units, migrations.RunPython.noop)]
