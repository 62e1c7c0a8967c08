from django.db import migrations


def create_unaccent(apps, schema_editor):
    # SQLite gets UNACCENT from shop.db on each connection; PostgreSQL needs the extension.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop)]
