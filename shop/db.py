"""Accent-insensitive lookups that work the same on SQLite and PostgreSQL.

``UNACCENT()`` is PostgreSQL's ``unaccent`` extension (created by
``shop/migrations/0001``); on SQLite the same function name is registered on every
new connection and calls :func:`shop.text.fold`. So ``title__unaccent__icontains``
finds "Miến dong" for "mien dong" on both databases without a search server.
"""

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField, Transform

from shop.text import fold


class Unaccent(Transform):
    lookup_name = "unaccent"
    function = "UNACCENT"
    bilateral = True  # the searched value is folded too, so "Miến" matches "mien"

    def as_postgresql(self, compiler, connection, **extra):
        # UNACCENT with its dictionary named, so IMMUTABLE: product search's trigram
        # indexes are built on it (shop/migrations/0002_search_indexes.py).
        return self.as_sql(compiler, connection, function="chophien_unaccent", **extra)


def register_unaccent_on_sqlite(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, fold, deterministic=True)


def install() -> None:
    CharField.register_lookup(Unaccent)
    TextField.register_lookup(Unaccent)
    connection_created.connect(register_unaccent_on_sqlite, dispatch_uid="shop.db.unaccent")
