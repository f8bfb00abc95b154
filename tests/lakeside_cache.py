"""The lakeside example, imported once per test process and restored from its rows after that.

144 tests start from it, and importing it (validation, upserts, the change history) took 0.1-0.4 s
each; copying back the rows the first import wrote takes a few hundredths. The rows are restored
only where they would come out the same: on PostgreSQL, inside the test's transaction (a test that
commits imports, as its import's on-commit work would run), into tables still empty, and only if
that first import wrote only to tables that were empty, and deleted nothing. A flush (after each test
that commits) makes new content types, which the change history refers to: it empties the cache.
"""
from __future__ import annotations

import io
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.signals import post_migrate

# the data folder -> each table's rows (binary COPY) as its import left them; None: not restorable
_rows_by_folder: dict[str, dict[str, bytes] | None] = {}


def _forget(**kwargs) -> None:
    _rows_by_folder.clear()


post_migrate.connect(_forget, weak=False, dispatch_uid="tests.lakeside_cache.forget")


def _import(folder: Path) -> None:
    call_command("import_dataset", str(folder), stdout=io.StringIO())


def _writes_so_far(cursor) -> dict[str, tuple[int, int, int]]:
    """(inserted, updated, deleted) rows per table in this transaction so far."""
    cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables")
    return {name: tuple(counts) for name, *counts in cursor.fetchall()}


def _rows_of(cursor, tables: list[str]) -> dict[str, int]:
    if not tables:
        return {}
    cursor.execute(" UNION ALL ".join(f"SELECT %s, count(*) FROM {connection.ops.quote_name(t)}" for t in tables), tables)
    return dict(cursor.fetchall())


def _in_dependency_order(tables: list[str]) -> list[str]:
    """Referenced tables first: a test may check foreign keys at each statement (tests/meanwhile.py)."""
    model_of = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    ordered: list[str] = []

    def place(table: str) -> None:
        if table in ordered:
            return
        model = model_of.get(table)
        for field in model._meta.concrete_fields if model else ():
            target = field.related_model._meta.db_table if field.is_relation and field.related_model else None
            if target in tables and target != table:
                place(target)
        ordered.append(table)

    for table in tables:
        place(table)
    return ordered


def _imported_and_kept(folder: Path) -> dict[str, bytes] | None:
    """Import `folder` and return the rows it wrote, table by table, if they can be restored."""
    with connection.cursor() as cursor:
        before = _writes_so_far(cursor)
        _import(folder)
        after = _writes_so_far(cursor)
        changed = {t: tuple(n - b for n, b in zip(counts, before.get(t, (0, 0, 0)))) for t, counts in after.items()}
        written = {t: counts for t, counts in changed.items() if any(counts)}
        if any(deleted for _, _, deleted in written.values()):
            return None
        inserted = {t: n for t, (n, _, _) in written.items()}
        # each table written to was empty before (its rows all inserted now), so its updates
        # (an entity's parent, set once both are in) were of rows this import inserted
        if _rows_of(cursor, list(inserted)) != inserted:
            return None
        kept = {}
        for table in _in_dependency_order(list(inserted)):
            buffer = io.BytesIO()
            cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} TO STDOUT WITH (FORMAT binary)", buffer)
            kept[table] = buffer.getvalue()
        return kept


def import_lakeside(folder: Path) -> None:
    """Import the data set in `folder` as `import_dataset` does, from its rows when it can."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        _import(folder)
        return
    key = str(folder.resolve())
    if key not in _rows_by_folder:
        _rows_by_folder[key] = _imported_and_kept(folder)
        return
    rows = _rows_by_folder[key]
    with transaction.atomic(), connection.cursor() as cursor:
        if rows is None or any(_rows_of(cursor, list(rows)).values()):
            _import(folder)
            return
        for table, data in rows.items():  # in dependency order
            cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} FROM STDIN WITH (FORMAT binary)", io.BytesIO(data))
