from django.db import migrations


def store_uncompressed(apps, schema_editor):
    """Packed blocks are mostly over TOAST's 2 kB threshold: PostgreSQL's default compression (pglz)
    tripled the time to write them (20,000 blocks: 1.06 s against 0.34 s) and saves little on
    arrays of ids. PostgreSQL only (SQLite stores blobs as they are)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("scoring_weakpairblock", "scoring_weakpairchange"):
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN pairs SET STORAGE EXTERNAL")


class Migration(migrations.Migration):

    dependencies = [("scoring", "0005_weak_pairs")]

    operations = [migrations.RunPython(store_uncompressed, migrations.RunPython.noop)]
