"""Migrating the test database to a point of its history and back, for the tests of the migrations
that move data."""
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrated(targets: list[tuple[str, str]]):
    """The database migrated to `targets` (forward or back); the apps' models as they were there."""
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def migrated_to_the_latest() -> None:
    """Every app's latest migration again, for the tests that follow."""
    migrated(MigrationExecutor(connection).loader.graph.leaf_nodes())
