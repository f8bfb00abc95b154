"""Text searched as people type it: accents and case set aside ("Jose Ramirez" finds "José
Ramírez", "benton" finds "Chief Laura Bentón"). Names come from many languages and sources, and a
reader types them as their keyboard allows; `icontains` alone found only the spelling stored.

The database folds both sides, so the two always agree: PostgreSQL with its `unaccent` extension
(created by migration `core.0007`; trusted since PostgreSQL 13, so the database's owner may create
it; without it, case alone is set aside), SQLite, the embedded default, with `fold` registered on
each connection (`register_fold`), which folds by unaccent's own rules (`core.unaccent`)."""
from django.db.models import Func, Q, TextField, Value
from django.db.models.lookups import Contains, Exact

from core.unaccent import fold

SQLITE_FUNCTION = "tracker_folded"


class Folded(Func):
    """An expression's text without accents and in lower case."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "LOWER(UNACCENT(%(expressions)s))" if unaccent_available(connection) else "LOWER(%(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra_context)


def unaccent_available(connection) -> bool:
    """Whether PostgreSQL's unaccent extension is in this database (read once a connection: a new
    one reads it again, `register_fold`)."""
    if getattr(connection, "tracker_unaccent", None) is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent')")
            connection.tracker_unaccent = cursor.fetchone()[0]
    return connection.tracker_unaccent


def holds(field: str, part: str) -> Q:
    """The rows whose `field` holds `part`, accents and case aside."""
    return Q(Contains(Folded(field), Folded(Value(part))))


def reads_as(field: str, text: str) -> Q:
    """The rows whose `field` is `text`, accents and case aside."""
    return Q(Exact(Folded(field), Folded(Value(text))))


def register_fold(sender, connection, **kwargs) -> None:
    """On each new connection (Django's `connection_created`): on SQLite, `fold` as the SQL function
    `Folded` calls; on PostgreSQL, whether unaccent is there is read again when first needed."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)
    connection.tracker_unaccent = None
