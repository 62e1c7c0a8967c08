"""Trigram indexes for accent-free product search on PostgreSQL (shop/db.py).

``UNACCENT()`` may not be used in an index: it is only STABLE (its dictionary could
change). ``chophien_unaccent`` names the dictionary and so is safely IMMUTABLE, as
PostgreSQL's own documentation suggests; the ``unaccent`` lookup calls it on
PostgreSQL, and these GIN trigram indexes on its upper-cased result serve the
``LIKE '%…%'`` that ``__unaccent__icontains`` becomes. Without them every search read
every product: at 20,000 products, the count and the page of a two-word search took
67 + 74 ms of SQL, and take 12 + 17 ms with them (the bench data matches 1 in 16).
SQLite has neither and needs neither.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION chophien_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
    """,
    """
    CREATE INDEX IF NOT EXISTS catalogue_product_title_search
        ON catalogue_product USING gin (upper(chophien_unaccent(title)) gin_trgm_ops)
    """,
    """
    CREATE INDEX IF NOT EXISTS catalogue_product_description_search
        ON catalogue_product USING gin (upper(chophien_unaccent(description)) gin_trgm_ops)
    """,
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalogue_product_description_search",
    "DROP INDEX IF EXISTS catalogue_product_title_search",
    "DROP FUNCTION IF EXISTS chophien_unaccent(text)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_unaccent_extension"),
        ("catalogue", "0034_product_cooperative_product_harvest_months_and_more"),
    ]
    operations = [migrations.RunPython(forward, backward)]
