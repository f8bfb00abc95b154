"""The bulk writer's COPY stores every text exactly, including texts that look like a NULL marker;
planner statistics are refreshed when enough of a table changed."""
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_events_bulk_write
from core import bulk
from core.bulk import bulk_insert
from entities.models import Entity
from scoring.models import PairScore

pytestmark = pytest.mark.django_db

LOOKALIKES = ["\\N", "nan", "NULL", "", '"quoted", with comma', "line\nbreak"]


def test_texts_that_look_like_null_are_stored_as_text():
    now = timezone.now()
    rows = [(f"bulk-{i}", text, "person", "people", text, None, now, now) for i, text in enumerate(LOOKALIKES)]
    columns = ["external_id", "name", "kind", "category", "description", "parent_id", "created_at", "updated_at"]
    assert bulk_insert(Entity, columns, rows) == len(rows)
    stored = dict(Entity.objects.filter(external_id__startswith="bulk-").values_list("name", "description"))
    assert stored == {text: text for text in LOOKALIKES}
    assert not Entity.objects.filter(external_id__startswith="bulk-", parent__isnull=False).exists()


def test_audit_events_keep_lookalike_keys_and_a_missing_actor_is_null():
    audit_events_bulk_write(("create", "x.y", text, {"v": [None, text]}, text) for text in LOOKALIKES)
    events = AuditEvent.objects.filter(object_type="x.y")
    assert sorted(e.object_key for e in events) == sorted(LOOKALIKES)
    assert all(e.changes == {"v": [None, e.object_key]} and e.context_key == e.object_key for e in events)
    assert all(e.actor_id is None for e in events)


@pytest.mark.parametrize(
    "reltuples, modified, written, analysed",
    [
        (-1, 0, 0, True),  # never analysed (a new or truncated table)
        (1_000_000, 0, 36_000, False),  # a night's changes to a large table
        (1_000_000, 80_000, 36_000, True),  # nights add up
        (1_000_000, 0, 450_000, True),  # a month's changes at once
    ],
)
def test_statistics_are_refreshed_once_a_tenth_of_the_table_changed(monkeypatch, reltuples, modified, written, analysed):
    calls = []
    monkeypatch.setattr(bulk, "is_postgres", lambda: True)
    monkeypatch.setattr(bulk, "rows_since_analyze", lambda model: (reltuples, modified))
    monkeypatch.setattr(bulk, "analyze_tables", lambda *models: calls.append(models))
    assert bulk.analyze_if_changed(PairScore, written) is analysed
    assert calls == ([(PairScore,)] if analysed else [])


def test_the_statistics_count_is_read_from_postgresql():
    reltuples, modified = bulk.rows_since_analyze(PairScore)
    assert isinstance(reltuples, float) and modified >= 0


def test_fixed_width_reads_return_each_column_in_its_type():
    int8, int2, float8 = bulk.read_fixed_width("SELECT CAST(7 AS BIGINT), CAST(-3 AS SMALLINT), CAST(0.25 AS double precision)", ["int8", "int2", "float8"])
    assert (int8.tolist(), int2.tolist(), float8.tolist()) == ([7], [-3], [0.25])
    assert (int8.dtype.name, int2.dtype.name, float8.dtype.name) == ("int64", "int16", "float64")


@pytest.mark.skipif("not bulk.is_postgres()")
@pytest.mark.parametrize("column", ["CAST(7 AS INTEGER)", "CAST(NULL AS BIGINT)"])
@pytest.mark.parametrize("n_rows", [1, 13])  # 13 int4 rows are as long as 11 int8 ones
def test_a_fixed_width_read_of_a_column_of_another_width_fails_rather_than_misreads(column, n_rows):
    with pytest.raises(ValueError, match="not (a )?non-null int8"):
        bulk.read_fixed_width(f"SELECT {column}, CAST(1 AS BIGINT) FROM generate_series(1, {n_rows})", ["int8", "int8"])


@pytest.mark.skipif("not bulk.is_postgres()")
@pytest.mark.django_db(transaction=True)
def test_reads_in_one_snapshot_do_not_see_what_commits_beside_them():
    """An export reads a dozen queries in one snapshot: rows another connection commits meanwhile
    stay out of all of them."""
    import psycopg2

    settings = connection.settings_dict
    with bulk.one_snapshot():
        before = Entity.objects.count()
        other = psycopg2.connect(dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"])
        try:
            with other, other.cursor() as cursor:  # commits on leaving
                cursor.execute(
                    "INSERT INTO entities_entity (external_id, name, kind, category, jurisdiction, description, website, created_at, updated_at) "
                    "VALUES ('beside', 'Committed beside', 'person', 'individual', '', '', '', now(), now())"
                )
        finally:
            other.close()
        assert Entity.objects.count() == before
        assert not Entity.objects.filter(external_id="beside").exists()
    assert Entity.objects.filter(external_id="beside").exists()  # visible once the snapshot ends


def _foreign_keys(model) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY 1",
            [model._meta.db_table],
        )
        return cursor.fetchall()


@pytest.mark.skipif("not bulk.is_postgres()")
def test_a_bulk_load_gets_its_foreign_keys_back_as_they_were_and_checked():
    from engagement.models import Attendance, Meeting
    from tests.factories import EntityFactory, MeetingFactory

    keys = _foreign_keys(Attendance)
    assert len(keys) == 2 and all("DEFERRABLE INITIALLY DEFERRED" in definition for _, definition in keys)
    person, meeting = EntityFactory(), MeetingFactory()
    with bulk.foreign_keys_checked_once(Attendance):
        assert _foreign_keys(Attendance) == []
        bulk_insert(Attendance, ["meeting_id", "entity_id", "role"], [(meeting.pk, person.pk, "attendee")])
    assert _foreign_keys(Attendance) == keys
    assert Attendance.objects.filter(meeting=meeting, entity=person).exists()

    # a reference to nothing fails when the keys come back, and the rollback keeps them
    with pytest.raises(IntegrityError), transaction.atomic():
        with bulk.foreign_keys_checked_once(Attendance):
            bulk_insert(Attendance, ["meeting_id", "entity_id", "role"], [(meeting.pk, person.pk + 10_000, "attendee")])
    assert _foreign_keys(Attendance) == keys
    assert Meeting.objects.filter(pk=meeting.pk).exists()


@pytest.mark.skipif("not bulk.is_postgres()")
def test_a_role_that_may_not_drop_the_keys_loads_with_them_kept(caplog):
    """A database role that does not own the table cannot drop its keys: the rows still go in,
    checked as usual, and the transaction stays usable."""
    import os

    from engagement.models import Attendance
    from tests.factories import EntityFactory, MeetingFactory

    keys = _foreign_keys(Attendance)
    person, meeting = EntityFactory(), MeetingFactory()
    role = f"tracker_not_owner_{os.getpid()}"
    with connection.cursor() as cursor:  # inside the test's transaction: rolled back with it
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
    with bulk.foreign_keys_checked_once(Attendance):
        bulk_insert(Attendance, ["meeting_id", "entity_id", "role"], [(meeting.pk, person.pk, "attendee")])
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    assert "kept during the load" in caplog.text
    assert _foreign_keys(Attendance) == keys
    assert Attendance.objects.filter(meeting=meeting, entity=person).exists()


def test_vacuum_inside_a_transaction_only_analyses(monkeypatch):
    calls = []
    monkeypatch.setattr(bulk, "analyze_tables", lambda *models: calls.append(models))
    with transaction.atomic():  # VACUUM would fail here ("cannot run inside a transaction block")
        bulk.vacuum_analyze_tables(Entity)
    assert calls == ([(Entity,)] if bulk.is_postgres() else [])


@pytest.mark.parametrize("ids", [[], [7], [3, -1, 2**62, 3], list(range(1000))])
def test_an_id_array_binds_as_the_same_integers_from_a_list_or_numpy(ids):
    import numpy as np

    if connection.vendor != "postgresql":
        pytest.skip("arrays are PostgreSQL's")
    with connection.cursor() as cursor:
        for given in (ids, np.array(ids, dtype=np.int64)):
            cursor.execute("SELECT unnest(%s::bigint[])", [bulk.id_array(given)])
            assert [row[0] for row in cursor.fetchall()] == ids


def test_id_arrays_cut_the_ids_into_batches_in_order():
    assert list(bulk.id_arrays(list(range(5)), batch=2)) == ["{0,1}", "{2,3}", "{4}"]
    assert list(bulk.id_arrays([])) == []


@pytest.mark.django_db
def test_a_copy_that_breaks_a_constraint_raises_django_s_integrity_error():
    # through the raw cursor it was psycopg2's, which callers catching Django's errors never saw
    from tests.factories import EntityFactory

    EntityFactory(external_id="taken")
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(Entity, ["external_id", "name", "kind", "category"], [("taken", "Again", "person", "individual")])


def test_a_copy_streams_its_rows_in_blocks_and_stores_every_one(monkeypatch):
    """Rows formatted a block at a time while PostgreSQL stores the one before (core.bulk
    `_CsvRowsReader`): a block boundary falls within the rows, and every row is stored once."""
    monkeypatch.setattr(bulk, "COPY_BLOCK_CHARS", 200)  # a few rows a block
    now = timezone.now()
    served, blocks = [], []
    read = bulk._CsvRowsReader.read

    def read_recorded(self, size=-1):
        blocks.append((len(served), read(self, size)))  # the rows served by then, and the block
        return blocks[-1][1]

    monkeypatch.setattr(bulk._CsvRowsReader, "read", read_recorded)

    def rows():
        for i in range(250):
            served.append(i)
            yield (f"stream-{i:03}", LOOKALIKES[i % len(LOOKALIKES)] or "x", "person", "individual", now, now)

    columns = ["external_id", "name", "kind", "category", "created_at", "updated_at"]
    assert bulk_insert(Entity, columns, rows()) == 250
    assert served == list(range(250))
    # read as COPY asks, a block at a time, each formatted only then (the whole text never held)
    assert len(blocks) > 20 and blocks[0][0] < 10 and blocks[-1] == (250, "")
    assert all(len(text) < 200 + 100 for _, text in blocks)
    stored = dict(Entity.objects.filter(external_id__startswith="stream-").values_list("external_id", "name"))
    assert stored == {f"stream-{i:03}": LOOKALIKES[i % len(LOOKALIKES)] or "x" for i in range(250)}
    assert bulk_insert(Entity, columns, iter(())) == 0


def test_rows_that_fail_while_copied_write_nothing_and_the_error_is_raised(monkeypatch):
    """An error raised by the rows once the COPY has begun (their first blocks sent) ends it,
    nothing of it stored, and reaches the caller; the connection goes on."""
    monkeypatch.setattr(bulk, "COPY_BLOCK_CHARS", 100)
    now = timezone.now()

    def rows():
        for i in range(50):
            yield (f"broken-{i}", "A name", "person", "individual", now, now)
        raise ValueError("row 51 cannot be read")

    with pytest.raises(ValueError, match="row 51 cannot be read"), transaction.atomic():
        bulk_insert(Entity, ["external_id", "name", "kind", "category", "created_at", "updated_at"], rows())
    assert not Entity.objects.filter(external_id__startswith="broken-").exists()
