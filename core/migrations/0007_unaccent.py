"""PostgreSQL's unaccent extension, which searches read to set accents aside (core/search.py);
nothing on SQLite. Where it cannot be created (no contrib modules, a role without the right), the
migration goes on with a warning and searches set only case aside (`core.search.unaccent_available`)."""
import sys

from django.db import DatabaseError, migrations, transaction

CANNOT = ("warning: PostgreSQL's unaccent extension could not be created ({error}); searches will set case aside but not "
          "accents. A superuser can run CREATE EXTENSION unaccent; in this database, then restart the app.\n")


def create_unaccent(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):  # a savepoint: the migration goes on without it
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except DatabaseError as error:
        sys.stderr.write(CANNOT.format(error=str(error).strip().splitlines()[0]))


class Migration(migrations.Migration):
    dependencies = [("core", "0006_workers_alerted_at")]

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop)]
