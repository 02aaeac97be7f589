"""Inserting many rows at once, for the writes whose size follows the number of applicants
(ranking rows, audit events of a publication, the e-mails that announce it).

Decisions worth knowing:

- On PostgreSQL the rows go in with one COPY, the cheapest way in: no statement per batch and
  no model instances. Elsewhere `bulk_create` in batches, so the statements grow only with
  the batches. Either way no `save()` runs: the caller gives every column's stored value.
- JSON columns are adapted for COPY here, so callers pass plain dicts and lists.
- A polars frame (`frame_insert`) goes in without a Python tuple per row on PostgreSQL: polars
  writes it as CSV, in chunks of `FRAME_CHUNK` rows, straight into COPY. CSV tells an empty
  text ("") from a missing value (an unquoted empty cell), so both arrive as they are.
  Elsewhere its rows are executed in batches against one INSERT, without model instances.
"""

import io
from collections.abc import Iterable, Sequence
from itertools import batched
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.db.models.sql import InsertQuery

if TYPE_CHECKING:
    import polars as pl
    from psycopg import sql

BATCH_SIZE = 2000
FRAME_CHUNK = 100_000


def rows_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Insert `rows` (values in the order of `columns`, which are field attnames such as
    `run_id`) into `model`'s table; returns how many rows went in."""
    if connection.vendor == "postgresql":
        return _copy(model, columns, rows)
    count = 0
    for chunk in batched(rows, batch_size):
        model._default_manager.bulk_create(
            model(**dict(zip(columns, row, strict=True))) for row in chunk
        )
        count += len(chunk)
    return count


def frame_insert(
    model: type[models.Model], frame: "pl.DataFrame", *, batch_size: int = BATCH_SIZE
) -> int:
    """Insert the frame's rows into `model`'s table: its column names are field attnames, its
    values the stored ones (decimals as polars Decimal or as their text); returns how many
    rows went in. Elsewhere one INSERT statement, as Django writes it for the model, is
    executed for every row of each batch (`executemany`): making a model instance per row
    costs more than ten times as much."""
    if connection.vendor != "postgresql":
        field_of = _fields(model)
        query = InsertQuery(model)
        query.insert_values([field_of[name] for name in frame.columns], [model()])
        statement, _values = query.get_compiler(connection=connection).as_sql()[0]
        with connection.cursor() as cursor:
            for chunk in frame.iter_slices(batch_size):
                cursor.executemany(statement, chunk.rows())
        return frame.height
    statement = _copy_statement(model, frame.columns, "(FORMAT csv)")
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for chunk in frame.iter_slices(FRAME_CHUNK):
            buffer = io.BytesIO()
            chunk.write_csv(buffer, include_header=False)
            copy.write(buffer.getbuffer())
    return frame.height


def _fields(model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
    """The model's stored fields by attname (`run_id`, not `run`)."""
    return {field.attname: field for field in model._meta.concrete_fields}


def _copy_statement(
    model: type[models.Model], columns: Sequence[str], options: str = ""
) -> "sql.Composed":
    """COPY FROM STDIN into the columns of `model`'s table that hold the fields `columns`
    names (attnames), with the given options."""
    from psycopg import sql

    field_of = _fields(model)
    return sql.SQL("COPY {} ({}) FROM STDIN " + options).format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(str(field_of[name].column)) for name in columns),
    )


def _copy(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    from psycopg.types.json import Jsonb

    field_of = _fields(model)
    json_at = [i for i, name in enumerate(columns) if isinstance(field_of[name], models.JSONField)]
    statement = _copy_statement(model, columns)
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = Jsonb(row[i])
            copy.write_row(row)
            count += 1
    return count
