"""Text searched as people type it: accents and case set aside ("Jose Ramirez" finds "José
Ramírez", "benton" finds "Chief Laura Bentón"). Names come from many languages and sources, and a
reader types them as their keyboard allows; `icontains` alone found only the spelling stored.

The database folds both sides, so the two always agree: PostgreSQL with its `unaccent` extension
(created by migration `core.0007`; trusted since PostgreSQL 13, so the database's owner may create
it), SQLite, the embedded default, with `fold` registered on each connection (`register_fold`)."""
import unicodedata

from django.db.models import Func, Q, TextField, Value
from django.db.models.lookups import Contains, Exact

SQLITE_FUNCTION = "tracker_folded"


def without_accents(text: str) -> str:
    """`text` with its letters' accents taken off ("José Ramírez": "Jose Ramirez")."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def fold(text: str | None) -> str | None:
    """`text` without its accents and in lower case (SQLite's side of `Folded`)."""
    return None if text is None else without_accents(text).lower()


class Folded(Func):
    """An expression's text without accents and in lower case."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="LOWER(UNACCENT(%(expressions)s))", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra_context)


def holds(field: str, part: str) -> Q:
    """The rows whose `field` holds `part`, accents and case aside."""
    return Q(Contains(Folded(field), Folded(Value(part))))


def reads_as(field: str, text: str) -> Q:
    """The rows whose `field` is `text`, accents and case aside."""
    return Q(Exact(Folded(field), Folded(Value(text))))


def register_fold(sender, connection, **kwargs) -> None:
    """On each new SQLite connection (Django's `connection_created`), `fold` as the SQL function
    `Folded` calls."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)
