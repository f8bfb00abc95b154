"""The lakeside example restored from its rows is the database its import makes."""
import pytest
from django.db import connection, transaction

from entities.models import Entity
from tests import lakeside_cache
from tests.factories import EntityFactory
from tests.lakeside_cache import import_lakeside


def every_row(tables) -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        rows = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            rows[table] = cursor.fetchall()
        return rows


def counting_imports(monkeypatch) -> list:
    """The folders `import_dataset` is run on from now on, as the cache runs it."""
    imports = []
    monkeypatch.setattr(lakeside_cache, "_import", lambda folder, real=lakeside_cache._import: imports.append(folder) or real(folder))
    return imports


@pytest.mark.django_db
def test_the_rows_restored_are_the_rows_the_import_writes(lakeside_dir, monkeypatch):
    monkeypatch.setattr(lakeside_cache, "_rows_by_folder", {})
    imports = counting_imports(monkeypatch)
    seen = []
    for _ in range(2):
        with transaction.atomic():
            import_lakeside(lakeside_dir / "data")
            kept = lakeside_cache._rows_by_folder[str((lakeside_dir / "data").resolve())]
            seen.append(every_row(kept))
            transaction.set_rollback(True)

    assert len(imports) == 1  # the second time, restored
    assert {"entities_entity", "relationships_relationship", "engagement_attendance", "audit_auditevent"} <= set(kept)
    assert seen[0] == seen[1] and len(seen[0]["entities_entity"]) == 191


@pytest.mark.django_db
def test_a_table_holding_rows_already_gets_the_import_itself(lakeside_dir, monkeypatch):
    monkeypatch.setattr(lakeside_cache, "_rows_by_folder", {})
    with transaction.atomic():
        import_lakeside(lakeside_dir / "data")
        transaction.set_rollback(True)
    imports = counting_imports(monkeypatch)
    EntityFactory(external_id="lk-pd", name="Renamed before the import")
    import_lakeside(lakeside_dir / "data")

    assert len(imports) == 1
    assert Entity.objects.get(external_id="lk-pd").name == "Lakeside Police Department"
