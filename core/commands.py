"""What the batch commands share."""
import logging
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections


def database_named(alias: str = DEFAULT_DB_ALIAS) -> str:
    """The database a command works on, as a person would look for it (never its password):
    "PostgreSQL database tracker at 127.0.0.1:5432", "SQLite database db.sqlite3"."""
    settings = connections[alias].settings_dict
    vendor = connections[alias].display_name
    if connections[alias].vendor == "sqlite":
        return f"{vendor} database {settings['NAME']}"
    place = ":".join(str(part) for part in (settings.get("HOST") or "localhost", settings.get("PORT")) if part)
    return f"{vendor} database {settings['NAME']} at {place}"


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> int:
    """How many of the project's migrations the database has not had."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def database_fault(alias: str = DEFAULT_DB_ALIAS) -> tuple[str, str] | None:
    """Why the database cannot serve a command and what to do about it, or None when it looks
    ready (the fault is then the command's own). Asked only after a database error, so that the
    commands' own start pays nothing for it (loading the migrations takes a tenth of a second)."""
    connection = connections[alias]
    if connection.in_atomic_block:
        return None  # called inside another's transaction (`call_command` in a test): that one's to unwind
    try:
        connection.close()  # a connection whose transaction failed answers nothing more
        connection.ensure_connection()
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (f"cannot reach the {database_named(alias)} ({reason})",
                "start the database server, or set DATABASE_URL to the database meant")
    try:
        missing = unapplied_migrations(alias)
    except DatabaseError:
        return None
    if missing:
        return (f"the {database_named(alias)} is not set up ({missing} of the project's migrations have not run)",
                "run python manage.py migrate")
    return None


class DatabaseCommand(BaseCommand):
    """A command that says so in one line, instead of a traceback, when the database cannot serve
    it: the server not reachable, or the database not migrated (an import on a new server, before
    `migrate`, ended in a traceback saying 'relation "entities_entity" does not exist')."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DatabaseError as exc:
            fault = database_fault()
            if fault is None:
                raise
            what, remedy = fault
            raise CommandError(f"{what}; nothing was done: {remedy}") from exc


class LeavesWithoutTeardown(DatabaseCommand):
    """A command that, run from the command line (manage.py; `call_command` does not come here),
    leaves without the interpreter's teardown once it is done: after the engine's compiled kernels
    were loaded (a recompute, an export reading the weak pairs), Python's exit took 0.4-0.5 s
    (numba's and LLVM's clean-up, with nothing left to save): a tenth of `manage.py recompute`.
    Whatever is buffered is written and the database connections closed first; the exit status is
    the one Django set (1 after a CommandError's message). An uncaught error leaves the usual way,
    with its traceback."""

    def run_from_argv(self, argv):
        status = 0
        try:
            super().run_from_argv(argv)
        except SystemExit as leaving:
            status = leaving.code if isinstance(leaving.code, int) else 1
        connections.close_all()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
