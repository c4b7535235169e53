"""Writing many new rows of one model fast, inside an action: PostgreSQL's COPY, SQLite's executemany.

Django's bulk_create compiles every value of every row through the field machinery; for a national
import (a million certificates, each with its status event, public record and audit row) that alone
takes longer than the database's own work. Here the rows' values are read once per field with an
adapter chosen per column type, and the primary keys are allocated up front so that related rows can
point at them. The caller has validated the rows; the database still checks every constraint."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import orjson
from django.db import connection, models

from certhub.core.regulated import RegulatedWriteError, in_action


def _adapter(field: models.Field, vendor: str) -> Callable[[Any], Any] | None:
    """How a value of `field` is passed to the database driver; None when it is passed as it is."""
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else orjson.dumps(value).decode()
    if vendor == "sqlite":
        if isinstance(field, models.DateTimeField):
            adapt = connection.ops.adapt_datetimefield_value
            return lambda value: None if value is None else adapt(value)
        if isinstance(field, models.DateField):
            return lambda value: None if value is None else value.isoformat()
        if isinstance(field, models.BinaryField):
            return lambda value: None if value is None else bytes(value)
    return None


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model` (the caller holds the write transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the IMMEDIATE transaction holds the write lock, so nobody else takes these numbers.
        cursor.execute(f'SELECT COALESCE(MAX("{model._meta.pk.column}"), 0) FROM "{table}"')  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


class Table:
    """A model's concrete columns in order, each with its adapter for this database."""

    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        self.model = model
        self.fields = list(meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields if f.column is not None]  # all: concrete fields have one
        self.pk_index = self.names.index(meta.pk.attname)
        self.stamped = [f for f in self.fields if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)]
        vendor = connection.vendor
        adapters = [_adapter(f, vendor) for f in self.fields]
        self.adapted = [(i, adapt) for i, adapt in enumerate(adapters) if adapt is not None]

    def index(self, attname: str) -> int:
        return self.names.index(attname)

    def values_of(self, obj: Any) -> list[Any]:
        """The row `obj` becomes, adapted for the database (its auto_now fields stamped now). `obj` is a model
        instance, or any object with the model's attnames (a SimpleNamespace: rows written without models)."""
        for field in self.stamped:
            if getattr(obj, field.attname, None) is None:
                field.pre_save(obj, add=True)
        row = [getattr(obj, name) for name in self.names]
        for index, adapt in self.adapted:
            row[index] = adapt(row[index])
        return row


_TABLES: dict[tuple[type[models.Model], str], Table] = {}


def table(model: type[models.Model]) -> Table:
    key = (model, connection.vendor)
    if key not in _TABLES:
        _TABLES[key] = Table(model)
    return _TABLES[key]


def insert_rows(model: type[models.Model], rows: Iterable[Sequence[Any]], *, numbered: bool = True) -> None:
    """Insert rows already in `table(model)`'s column order and adapted, primary keys included — or, with
    `numbered=False`, rows without the primary key column, which the database then numbers itself (rows
    nothing else points at need no ids fetched beforehand)."""
    if not in_action():
        raise RegulatedWriteError(f"{model.__name__} bulk insert outside an action")
    spec = table(model)
    names = spec.columns if numbered else [c for i, c in enumerate(spec.columns) if i != spec.pk_index]
    columns = ", ".join(f'"{c}"' for c in names)
    name = model._meta.db_table
    if connection.vendor == "postgresql":
        with _copy(model, names) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(names))
    batch = list(rows)
    if batch:
        with connection.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{name}" ({columns}) VALUES ({marks})', batch)  # noqa: S608


def insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert new `objects` of `model` (primary keys set, or allocated here)."""
    if not in_action():
        raise RegulatedWriteError(f"{model.__name__} bulk insert outside an action")
    if not objects:
        return
    if objects[0].pk is None and model._meta.pk.attname == "id":
        for obj, pk in zip(objects, allocate_ids(model, len(objects)), strict=True):
            obj.pk = pk
    spec = table(model)
    insert_rows(model, [spec.values_of(obj) for obj in objects])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def matching(column: str, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
    """SQL conditions `column` is one of `values`, with their parameters: one `= ANY(array)` on PostgreSQL
    (a single parameter: no long statement to parse and plan), IN lists of 900 on SQLite (its limit on
    bound variables in old versions)."""
    if not values:
        return
    if connection.vendor == "postgresql":
        yield f"{column} = ANY(%s)", [list(values)]
        return
    for start in range(0, len(values), 900):
        part = list(values[start : start + 900])
        yield f"{column} IN ({', '.join(['%s'] * len(part))})", part


def _copy_value(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def copy_text(model: type[models.Model], rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows (in table(model)'s column order, adapted) as the bytes of a PostgreSQL text-format COPY."""
    return "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows).encode()


def insert_copy_text(model: type[models.Model], payload: bytes) -> None:
    """Stream rows already in COPY text format (copy_text) into `model`'s table (PostgreSQL only)."""
    if not in_action():
        raise RegulatedWriteError(f"{model.__name__} bulk insert outside an action")
    if not payload:
        return
    with _copy(model) as copy:
        for start in range(0, len(payload), 1 << 20):
            copy.write(payload[start : start + (1 << 20)])


@contextlib.contextmanager
def _copy(model: type[models.Model], names: Sequence[str] | None = None) -> Iterator[Any]:
    """A COPY FROM STDIN into `model`'s table (all its columns unless `names` are given), on this
    transaction's connection; driver errors come out as Django's (IntegrityError …), as through a Django
    cursor."""
    columns = ", ".join(f'"{c}"' for c in (names or table(model).columns))
    connection.ensure_connection()
    statement = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
    with connection.wrap_database_errors, connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        yield copy
