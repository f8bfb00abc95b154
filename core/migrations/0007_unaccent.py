"""PostgreSQL's unaccent extension, which searches read (core/search.py); nothing on SQLite."""
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0006_workers_alerted_at")]

    operations = [UnaccentExtension()]
