"""Fast bulk writes and reads: COPY on PostgreSQL, plain batched ORM elsewhere (SQLite)."""
from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

import numpy as np
from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)

BATCH = 5000
_AS_IS = frozenset({str, int, float})
# How copy_csv_rows spells NULL: a number, so the writer leaves it unquoted (`nan`), while every
# text value is quoted. With a text marker such as \N, a cell holding that text would read as NULL.
NULL = float("nan")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def one_snapshot():
    """Every query inside sees the database as it was at the first one (PostgreSQL's REPEATABLE
    READ, read-only), so reads spread over many queries agree with each other while imports and
    recomputes commit beside them. Inside an enclosing transaction that transaction's isolation
    applies (the level can only be set by a transaction's first statement); SQLite's transaction
    is already one snapshot."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


# Rows from which a load into an empty table checks its foreign keys once, after the rows are in
# (`foreign_keys_checked_once`), rather than row by row at COMMIT.
BULK_LOAD_ROWS = 10_000


@contextmanager
def foreign_keys_checked_once(model, enabled: bool = True):
    """Inside a transaction, on PostgreSQL: drop the table's foreign keys for the block and add them
    back after it, exactly as they were (`pg_get_constraintdef`). Adding a foreign key checks every
    row in one query; Django's keys are deferred, so a million attendance rows otherwise had two
    checks each, one by one at COMMIT: 8 s of a 40 s import.

    The drop locks the table against reads (and its referenced tables against writes) until the
    transaction ends: meant for loads into an empty table, with nothing yet to read. A row whose
    reference does not exist fails the re-adding (IntegrityError), so the transaction rolls back
    with the keys in place. Where the keys cannot be dropped (a database role that does not own
    the table), the rows go in with the keys as they are, checked at COMMIT."""
    if not (enabled and is_postgres()):
        yield
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        keys = cursor.fetchall()
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: a refusal leaves the transaction usable
            # a key's drop alters the referenced table too, which PostgreSQL refuses while checks
            # of earlier writes wait for COMMIT: run those now (they would have run at COMMIT)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for name, _ in keys:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    except DatabaseError as exc:
        logger.warning("foreign keys of %s kept during the load (%s): checked row by row at COMMIT", table, exc)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        yield
        return
    yield
    with connection.cursor() as cursor:
        for name, definition in keys:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's keys are all initially deferred


def _copy_value(value):
    if type(value) in _AS_IS:  # most values: checked first (called once per value of millions of rows)
        return value
    if value is None:
        return NULL
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    return value


def copy_in(sql: str, data, size: int = 8192) -> None:
    """Run a COPY … FROM STDIN on this connection (`data` read `size` at a time), its errors
    raised as Django's (a unique or foreign key violation as django.db.IntegrityError), as a query
    through the ORM raises them: the raw cursor raised psycopg2's, which no caller catching
    Django's errors saw."""
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(sql, data, size=size)


class _CsvRowsReader(io.TextIOBase):
    """The rows as CSV text, formatted as COPY reads them (`read`), a block at a time: PostgreSQL
    parses and stores one block while the next is formatted here (one after the other when the
    whole text was formatted first: a million attendance rows spent ~4 s formatting, then ~6 s
    waiting for the server), and the whole text is never held at once."""

    def __init__(self, rows: Iterable[Sequence], block_chars: int):
        self._rows = iter(rows)
        self._block_chars = block_chars
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
        self.count = 0
        self.error: Exception | None = None  # raised by the rows: psycopg2 ends the COPY with its own error

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        buffer, writerow = self._buffer, self._writer.writerow
        buffer.seek(0)
        buffer.truncate()
        try:
            for row in self._rows:
                writerow(row)
                self.count += 1
                if buffer.tell() >= self._block_chars:  # checked per row: cheap, as tell() is a StringIO's
                    break
        except Exception as exc:
            self.error = exc
            raise
        return buffer.getvalue()


# what COPY asks of its reader at a time: a block of rows a few hundred kilobytes long keeps the
# calls few and the server busy
COPY_BLOCK_CHARS = 256 * 1024


def copy_csv_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY rows already in COPY's terms (text, numbers, NULL for null) into `model`'s `columns`
    (attnames), streamed (`_CsvRowsReader`); returns the count. PostgreSQL only. The rows are read
    while the COPY runs: making them must not query the database, which answers nothing else then."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    reader = _CsvRowsReader(itertools.chain((first,), rows), COPY_BLOCK_CHARS)
    # get_field accepts attnames (`entity_id`) as well as names
    db_columns = [model._meta.get_field(c).column for c in columns]
    sql = f'COPY "{model._meta.db_table}" ({", ".join(db_columns)}) FROM STDIN WITH (FORMAT csv, NULL \'nan\')'
    try:
        copy_in(sql, reader, size=COPY_BLOCK_CHARS)
    except DatabaseError as exc:
        # the rows' own error, not the OperationalError psycopg2 made of it (which the tasks retry
        # as a database gone away)
        if reader.error is not None:
            raise reader.error from exc
        raise
    return reader.count


def bulk_insert(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows (tuples of database values, FKs as ids, in `columns` order); returns the count.

    `columns` are model attribute names (`entity_id` for a foreign key). Fields not named get
    their model default, as an ORM insert would give them. On PostgreSQL the rows are read while
    they are copied (`copy_csv_rows`): making them must not query the database."""
    named = set(columns)
    missing = [
        f for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in named and f.name not in named
    ]
    if missing:
        defaults = tuple(f.get_default() for f in missing)
        columns = list(columns) + [f.attname for f in missing]
        rows = (tuple(row) + defaults for row in rows)
    if is_postgres():
        return copy_csv_rows(model, columns, ([_copy_value(v) for v in row] for row in rows))
    objects = [model(**dict(zip(columns, row))) for row in rows]
    model.objects.bulk_create(objects, batch_size=BATCH)
    return len(objects)


def reserve_ids(model, n: int) -> list[int] | None:
    """`n` new primary keys from the model's sequence (PostgreSQL), so rows written by COPY can be
    referred to at once; None elsewhere (the ORM's bulk_create returns them there)."""
    if not is_postgres() or n == 0:
        return None
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, n])
        return [row[0] for row in cursor.fetchall()]


def day_number_sql(column: str) -> str:
    """SQL for a date column as date.toordinal()'s day number (NULL stays NULL)."""
    if is_postgres():
        return f"({column} - DATE '0001-01-01') + 1"
    return f"CAST(julianday({column}) - julianday('0001-01-01') AS INTEGER) + 1"


def in_ids_sql(column: str, ids: Sequence[int]) -> tuple[str, list]:
    """SQL that `column` is one of `ids`, and its parameters: one array parameter on PostgreSQL
    (a statement with a placeholder per id took longer to parse than to run), a list elsewhere."""
    if is_postgres():
        return f"{column} = ANY(%s::bigint[])", [id_array(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids)) or 'NULL'})", list(ids)


def read_int_columns(sql: str, params: Sequence = (), n_columns: int = 2) -> np.ndarray:
    """Run a query returning integer columns (no NULLs) and give an (n, n_columns) int64 array."""
    with connection.cursor() as cursor:
        if is_postgres():
            if params:  # COPY takes no parameters: psycopg2 quotes them into the text
                sql = cursor.cursor.mogrify(sql, params).decode()
            buffer = io.BytesIO()
            cursor.cursor.copy_expert(f"COPY ({sql}) TO STDOUT", buffer)
            data = buffer.getvalue()
            if not data:
                return np.zeros((0, n_columns), np.int64)
            # parse the text in C: splitting it into Python objects first took gigabytes at scale
            return np.fromstring(data.decode("ascii"), dtype=np.int64, sep=" ").reshape(-1, n_columns)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return np.zeros((0, n_columns), np.int64)
    return np.array(rows, dtype=np.int64).reshape(-1, n_columns)


_PG_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_BINARY_TYPES = {"int2": ">i2", "int8": ">i8", "float8": ">f8"}


_BINARY_CHUNK = 500_000  # rows per COPY: bounds the memory of the binary buffer


def copy_fixed_width(model, columns: Sequence[tuple[str, str, object]], n_rows: int, variable: tuple[str, Sequence[bytes]] | None = None) -> None:
    """COPY rows of fixed-width columns in PostgreSQL's binary format, built by numpy (no Python
    work per row), in chunks. Each column is (attname, kind, values) where kind is "int2" or
    "int8" with a numpy array or a scalar, "null" (values ignored), or "bytes" with the exact
    binary value shared by every row (e.g. b"\\x01[]", an empty jsonb array).

    `variable` (attname, one binary value per row) adds a last column whose values differ in
    length: each row's fixed part still comes from numpy, and only the joining is per row."""
    fields = [("count", ">i2")]
    for i, (_, kind, value) in enumerate(columns):
        fields.append((f"len{i}", ">i4"))
        if kind in _BINARY_TYPES:
            fields.append((f"val{i}", _BINARY_TYPES[kind]))
        elif kind == "bytes":
            fields.append((f"val{i}", f"S{len(value)}"))
    dtype = np.dtype(fields)
    names = [name for name, _, _ in columns] + ([variable[0]] if variable else [])
    db_columns = ", ".join(model._meta.get_field(name).column for name in names)
    sql = f'COPY "{model._meta.db_table}" ({db_columns}) FROM STDIN WITH (FORMAT binary)'
    for start in range(0, n_rows, _BINARY_CHUNK):
        stop = min(n_rows, start + _BINARY_CHUNK)
        rows = np.zeros(stop - start, dtype=dtype)
        rows["count"] = len(names)
        for i, (_, kind, value) in enumerate(columns):
            if kind == "null":
                rows[f"len{i}"] = -1
            elif kind == "bytes":
                rows[f"len{i}"] = len(value)
                rows[f"val{i}"] = value
            else:
                rows[f"len{i}"] = np.dtype(_BINARY_TYPES[kind]).itemsize
                rows[f"val{i}"] = value[start:stop] if isinstance(value, np.ndarray) else value
        body = rows.tobytes()
        del rows
        if variable is not None:
            size, parts = dtype.itemsize, []
            for i, value in enumerate(variable[1][start:stop]):
                parts += [body[i * size : (i + 1) * size], len(value).to_bytes(4, "big"), value]
            body = b"".join(parts)
        payload = io.BytesIO(_PG_BINARY_HEADER + body + (-1).to_bytes(2, "big", signed=True))
        copy_in(sql, payload)


def id_array(ids: Sequence[int] | np.ndarray) -> str:
    """Integers in PostgreSQL's text form of an array ("{1,2,3}"), to bind as `%s::bigint[]`.
    psycopg2 sends a Python list as ARRAY[1, 2, ...], an expression PostgreSQL parses element by
    element: 446,000 ids took 1.1 s to adapt and parse, 0.15 s as this text."""
    values = ids.tolist() if isinstance(ids, np.ndarray) else ids
    return "{" + ",".join(map(str, values)) + "}"


def id_arrays(ids: Sequence[int] | np.ndarray, batch: int = 200_000):
    """`ids` as `id_array` texts of at most `batch` ids each (a statement's text stays bounded)."""
    for start in range(0, len(ids), batch):
        yield id_array(ids[start : start + batch])


def execute_for_ids(sql: str, ids: Sequence[int], params: Sequence = ()) -> None:
    """Run `sql` (ending in a column name, e.g. "DELETE FROM t WHERE id") for every id in `ids`,
    in batches: one array parameter on PostgreSQL, IN lists within SQLite's parameter limit."""
    with connection.cursor() as cursor:
        if is_postgres():
            for array in id_arrays(ids):
                cursor.execute(f"{sql} = ANY(%s::bigint[])", [*params, array])
            return
        for start in range(0, len(ids), 500):
            batch = list(ids[start : start + 500])
            cursor.execute(f"{sql} IN ({', '.join(['%s'] * len(batch))})", [*params, *batch])


def copy_binary_rows(model, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence]) -> int:
    """Insert rows of "int4", "int8" and "bytes" columns (attname, kind); returns the count. On
    PostgreSQL one binary COPY (a bytea goes as its bytes, where the text forms double it in hex);
    elsewhere `bulk_insert`."""
    if not is_postgres():
        return bulk_insert(model, [name for name, _ in columns], rows)
    buffer = io.BytesIO()
    buffer.write(_PG_BINARY_HEADER)
    field_count = len(columns).to_bytes(2, "big")
    widths = [{"int4": 4, "int8": 8}.get(kind, 0) for _, kind in columns]
    count = 0
    for row in rows:
        buffer.write(field_count)
        for width, value in zip(widths, row):
            data = int(value).to_bytes(width, "big", signed=True) if width else bytes(value)
            buffer.write(len(data).to_bytes(4, "big"))
            buffer.write(data)
        count += 1
    if not count:
        return 0
    buffer.write((-1).to_bytes(2, "big", signed=True))
    buffer.seek(0)
    db_columns = ", ".join(model._meta.get_field(name).column for name, _ in columns)
    copy_in(f'COPY "{model._meta.db_table}" ({db_columns}) FROM STDIN WITH (FORMAT binary)', buffer)
    return count


@contextmanager
def _raw_cursor(given=None):
    """The psycopg2 cursor to read with: `given` (another thread's, see `read_fixed_width`) or one
    of this thread's connection."""
    if given is not None:
        yield given
        return
    with connection.cursor() as cursor:
        yield cursor.cursor


def read_binary_rows(sql: str, kinds: Sequence[str], params: Sequence = (), raw_cursor=None) -> list[tuple]:
    """Rows of non-null columns of the given kinds ("int8" for any integer, or "bytes"), as ints and bytes. On
    PostgreSQL one binary COPY: bytea through the ORM comes as hex text, and decoding it took as
    long again as the read itself (20,000 blocks of weak pairs). `raw_cursor`: as in
    `read_fixed_width`."""
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [
                tuple(int(v) if kind == "int8" else bytes(v) for kind, v in zip(kinds, row)) for row in cursor.fetchall()
            ]
    with _raw_cursor(raw_cursor) as cursor:
        if params:
            sql = cursor.mogrify(sql, params).decode()
        buffer = io.BytesIO()
        cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buffer)
    data = memoryview(buffer.getvalue())
    rows, at = [], len(_PG_BINARY_HEADER)
    while int.from_bytes(data[at : at + 2], "big", signed=True) == len(kinds):  # the trailer is -1
        at += 2
        row = []
        for kind in kinds:
            size = int.from_bytes(data[at : at + 4], "big")
            value = data[at + 4 : at + 4 + size]
            row.append(int.from_bytes(value, "big", signed=True) if kind == "int8" else bytes(value))
            at += 4 + size
        rows.append(tuple(row))
    return rows


def read_fixed_width(sql: str, kinds: Sequence[str], raw_cursor=None, params: Sequence = ()) -> list[np.ndarray]:
    """Run a query whose columns are all non-null numbers of the given kinds ("int2", "int8",
    "float8") and return one array per column, in its own type (int16, int64 or float64).

    On PostgreSQL the rows come as a binary COPY into a temporary file, parsed in fixed-size chunks
    by numpy: every row has the same length, so no text, no Python object per value, and no second
    in-memory copy of the whole result (a growing in-memory buffer peaked at twice its size).

    `raw_cursor` (a psycopg2 cursor of this thread's connection) lets another thread run the read
    inside the caller's transaction while the caller does other work (scoring.services). `params`
    fill the query's %s placeholders."""
    out_types = {"int2": np.int16, "int8": np.int64, "float8": np.float64}
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [np.array([row[i] for row in rows], dtype=out_types[kind]) for i, kind in enumerate(kinds)]
    fields = [("count", ">i2")]
    for i, kind in enumerate(kinds):
        fields += [(f"len{i}", ">i4"), (f"val{i}", _BINARY_TYPES[kind])]
    dtype = np.dtype(fields)
    with tempfile.TemporaryFile() as spool:
        with _raw_cursor(raw_cursor) as cursor:
            if params:  # COPY takes no parameters: psycopg2 quotes them into the text
                sql = cursor.mogrify(sql, params).decode()
            cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", spool)
        size = spool.tell() - len(_PG_BINARY_HEADER) - 2  # the header, and the trailer's -1
        n, rest = divmod(size, dtype.itemsize)
        if rest:
            raise ValueError(f"the query's columns are not non-null {', '.join(kinds)}: {sql[:200]}")
        columns = [np.empty(n, dtype=out_types[kind]) for kind in kinds]
        spool.seek(len(_PG_BINARY_HEADER))
        chunk_rows = max(1, (32 << 20) // dtype.itemsize)
        done = 0
        while done < n:
            take = min(chunk_rows, n - done)
            rows = np.frombuffer(spool.read(take * dtype.itemsize), dtype=dtype)
            for i, column in enumerate(columns):
                # a column of another width (an int4 for an int8) or a NULL would shift every
                # value after it: fail rather than return garbage
                if np.any(rows[f"len{i}"] != dtype[f"val{i}"].itemsize):
                    raise ValueError(f"column {i + 1} of the query is not a non-null {kinds[i]}: {sql[:200]}")
                column[done : done + take] = rows[f"val{i}"]
            done += take
    return columns


# Refresh a table's planner statistics once this fraction of its rows has been written since they
# were last refreshed: autovacuum's own default rule (autovacuum_analyze_scale_factor).
ANALYZE_FRACTION = 0.1


def rows_since_analyze(model) -> tuple[float, int]:
    """(PostgreSQL's estimate of the table's rows, -1 when never analysed; rows inserted, updated
    or deleted since its last ANALYZE, as its statistics counted them so far)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, COALESCE(s.n_mod_since_analyze, 0) FROM pg_class c "
            "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = %s::regclass",
            [model._meta.db_table],
        )
        reltuples, modified = cursor.fetchone()
    return float(reltuples), int(modified)


def analyze_if_changed(model, rows_written: int) -> bool:
    """ANALYZE the table when the rows written since its last ANALYZE pass ANALYZE_FRACTION of it:
    the statistics' own count plus `rows_written` by the transaction just committed (the count
    may not show them yet; counting them twice only analyses a little early). Autovacuum applies
    the same rule, but only later; a night that moves a few thousand of a million rows skips the
    0.2 s. Returns whether it analysed."""
    if not is_postgres():
        return False
    reltuples, modified = rows_since_analyze(model)
    if reltuples < 0 or modified + rows_written > ANALYZE_FRACTION * reltuples:
        analyze_tables(model)
        return True
    return False


def vacuum_analyze_tables(*models) -> None:
    """After a bulk load: VACUUM (ANALYZE) the tables, outside a transaction; inside one (a test,
    an outer atomic block) ANALYZE only, as VACUUM cannot run there. Only VACUUM sets the
    visibility map that lets PostgreSQL answer from an index alone (an index-only scan): without
    it an incremental recompute read each attendance row's table page to find an entity's
    meetings, 0.3-0.5 s of it on a cold cache. Autovacuum does this too, but only later, and not
    at all where it is off."""
    if not is_postgres():
        return
    if connection.in_atomic_block:
        analyze_tables(*models)
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')


def analyze_tables(*models) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load. Without them the planner took a
    freshly imported 50,000-meeting table for 2,600 rows and chose plans 80x slower (58 ms vs 0.7 ms
    for an entity's meetings); autovacuum catches up only later."""
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
