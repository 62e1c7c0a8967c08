"""A query read on most requests, with its SQL built once per process instead of each time.

Django compiles a queryset's SQL every time it is evaluated. For a guest's basket lines
with their products, product classes, cooperatives and stock records (seven tables, 130
columns) compiling took longer than PostgreSQL took to run the query, on every page that
shows the basket and on every tap of "add to basket". ``JoinedSelect`` builds the same
``SELECT`` as ``select_related`` from the models' metadata the first time a process runs
it, and makes model instances of the rows as Django does (``Model.from_db``, the fields'
converters, the related objects cached on the foreign keys). Same SQL text every time,
so PostgreSQL keeps it prepared too (``prepare_threshold``).

Only forward foreign keys are followed. Rows come in no particular order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections, models


@dataclass(frozen=True)
class _Table:
    model: type[models.Model]
    alias: str
    parent: int | None  # the index of the table whose foreign key leads here
    field: models.ForeignKey | None
    optional: bool  # a LEFT JOIN: the foreign key, or one before it, may be null


class JoinedSelect:
    """``model`` rows with the rows of ``relations`` (``select_related`` paths).

    ``where`` is SQL with ``%s`` placeholders; ``{}`` in it stands for the model's table
    and ``{path}`` (``{basket}``, ``{product__cooperative}``) for a related one.
    ``extra`` maps attribute names to SQL expressions set on each root instance (an
    ``EXISTS``, say), formatted the same way. ``shared``: relations (of ``relations``)
    made once per read for all the rows that hold the same one, where ``select_related``
    makes one per row: the basket of a basket's lines, which its caller sets on every
    line anyway.
    """

    def __init__(
        self,
        model: type[models.Model],
        relations: Sequence[str],
        where: str,
        extra: dict[str, str] | None = None,
        shared: Sequence[str] = (),
    ):
        self.model = model
        self.tables = [_Table(model, "t0", None, None, False)]
        index_of = {"": 0}
        for path in relations:
            parts = path.split("__")
            for depth in range(1, len(parts) + 1):
                here = "__".join(parts[:depth])
                if here in index_of:
                    continue
                parent = index_of["__".join(parts[: depth - 1])]
                field = self.tables[parent].model._meta.get_field(parts[depth - 1])
                if not (field.many_to_one and field.concrete):
                    raise ValueError(f"{path}: {field.name} is not a forward foreign key")
                optional = field.null or self.tables[parent].optional
                index_of[here] = len(self.tables)
                alias = f"t{len(self.tables)}"
                self.tables.append(_Table(field.related_model, alias, parent, field, optional))
        aliases = {path or "": self.tables[index].alias for path, index in index_of.items()}
        if not set(shared) <= set(index_of) - {""}:
            raise ValueError(f"shared relations {shared} must be among {relations}")
        self.shared = frozenset(index_of[path] for path in shared)
        self.where = where.format(aliases[""], **{k: v for k, v in aliases.items() if k})
        self.extra = {
            name: sql.format(aliases[""], **{k: v for k, v in aliases.items() if k})
            for name, sql in (extra or {}).items()
        }
        self._built: dict[str, tuple[str, list]] = {}  # by database alias

    def __call__(self, params: Sequence, using: str = "default") -> list[models.Model]:
        connection = connections[using]
        if using not in self._built:
            self._built[using] = self._build(connection)
        sql, readers = self._built[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        made = {index: {} for index in self.shared}
        return [self._instance(row, readers, connection, using, made) for row in rows]

    def _build(self, connection) -> tuple[str, list]:
        quote = connection.ops.quote_name
        columns, joins, readers = [], [], []
        for table in self.tables:
            fields = table.model._meta.concrete_fields
            columns += [f"{table.alias}.{quote(field.column)}" for field in fields]
            converters = []  # as the compiler's: (position, column, converters) where any
            for position, field in enumerate(fields):
                column = field.get_col(table.alias)
                found = connection.ops.get_db_converters(column)
                found += field.get_db_converters(connection)
                if found:
                    converters.append((position, column, found))
            pk = fields.index(table.model._meta.pk)
            readers.append(([field.attname for field in fields], pk, converters))
            if table.field is not None:
                parent = self.tables[table.parent]
                target = table.field.target_field.column
                joins.append(
                    f"{'LEFT OUTER' if table.optional else 'INNER'} JOIN "
                    f"{quote(table.model._meta.db_table)} {table.alias} ON "
                    f"{table.alias}.{quote(target)} = {parent.alias}.{quote(table.field.column)}"
                )
        columns += self.extra.values()
        sql = (
            f"SELECT {', '.join(columns)} FROM {quote(self.model._meta.db_table)} t0 "  # noqa: S608 (names from the models)
            f"{' '.join(joins)} WHERE {self.where}"
        )
        return sql, readers

    def _instance(self, row, readers, connection, using, shared: dict) -> models.Model:
        made: list[models.Model | None] = []
        start = 0
        for index, (table, reader) in enumerate(zip(self.tables, readers, strict=True)):
            attnames, pk, converters = reader
            values = row[start : start + len(attnames)]
            start += len(attnames)
            parent = made[table.parent] if table.parent is not None else None
            if table.field is not None and (parent is None or values[pk] is None):
                # No row here (a null foreign key, or none before it): as select_related.
                if parent is not None:
                    table.field.set_cached_value(parent, None)
                made.append(None)
                continue
            key = values[pk]
            instance = shared[index].get(key) if index in shared else None
            if instance is None:
                values = list(values)
                for position, column, field_converters in converters:
                    for converter in field_converters:
                        values[position] = converter(values[position], column, connection)
                instance = table.model.from_db(using, attnames, values)
                if index in shared:
                    shared[index][key] = instance
            if parent is not None:
                table.field.set_cached_value(parent, instance)
            made.append(instance)
        root = made[0]
        for name, value in zip(self.extra, row[start:], strict=True):
            setattr(root, name, value)
        return root
