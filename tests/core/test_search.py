"""Text searched as people type it, accents and case aside (core/search.py), on PostgreSQL and on
the embedded SQLite."""
import json

import pytest

from core.search import holds, reads_as
from core.unaccent import fold, without_accents
from entities.models import Entity
from tests.factories import EntityFactory


@pytest.mark.parametrize("text, folded", [("José Ramírez", "jose ramirez"), ("CHIEF Laura Bentón", "chief laura benton"),
                                          ("Nguyễn Thị Minh", "nguyen thi minh"), ("plain", "plain"), ("", ""), (None, None)])
def test_fold_sets_accents_and_case_aside(text, folded):
    assert fold(text) == folded
    assert text is None or without_accents(text).lower() == folded


@pytest.mark.parametrize("text, folded", [("Łódź", "lodz"), ("Ærøskøbing", "aeroskobing"), ("Straße", "strasse"), ("Jose\u0301", "jose"),
                                          ("Đorđe Balašević", "dorde balasevic"), ("Þórdís", "thordis"), ("x²", "x²")])
def test_fold_takes_letters_apart_as_postgresqls_unaccent_does(text, folded):
    # letters Unicode does not decompose, a combining accent typed apart, a superscript unaccent keeps
    assert fold(text) == folded


@pytest.mark.django_db
def test_fold_reads_every_character_as_the_databases_unaccent_does():
    """The Python (and so SQLite) side of `Folded` against PostgreSQL's: every character unaccent's
    rules name, and characters they do not (kept as they are by both)."""
    from django.db import connection

    from core.search import unaccent_available
    from core.unaccent import unaccent_table

    if connection.vendor != "postgresql" or not unaccent_available(connection):
        pytest.skip("PostgreSQL with unaccent")
    texts = [chr(code) for code in unaccent_table()] + ["José Ramírez", "Nguyễn Thị Minh", "x²", "東京", "Ωmega", "ǅemal"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, LOWER(UNACCENT(text)) FROM UNNEST(%s::text[]) AS text", [texts])
        databases = dict(cursor.fetchall())
    assert len(texts) > 1600
    assert {text: fold(text) for text in texts} == databases


@pytest.fixture
def namesakes(db):
    return {e.external_id: e for e in [
        EntityFactory(external_id="p-jose", name="José Ramírez"), EntityFactory(external_id="p-ramos", name="Jose Ramos"),
        EntityFactory(external_id="p-chief", name="Chief Laura Bentón", description="Jefa de policía"),
        EntityFactory(external_id="p-under", name="Under_score 100%"),
    ]}


def found(*conditions) -> list[str]:
    return sorted(Entity.objects.filter(*conditions).values_list("external_id", flat=True))


def test_a_part_of_a_name_is_found_however_its_accents_and_case_are_typed(namesakes):
    assert found(holds("name", "jose ra")) == ["p-jose", "p-ramos"]
    assert found(holds("name", "RAMIREZ")) == found(holds("name", "ramírez")) == ["p-jose"]
    assert found(holds("name", "benton")) == ["p-chief"]
    assert found(holds("description", "POLICIA")) == ["p-chief"]
    # what is typed is text, not a pattern: _ and % are themselves
    assert found(holds("name", "_")) == found(holds("name", "%")) == ["p-under"]


def test_a_whole_name_is_read_accents_and_case_aside_and_only_whole(namesakes):
    assert found(reads_as("name", "jose ramirez")) == ["p-jose"]
    assert found(reads_as("name", "José Ramírez")) == ["p-jose"]
    assert found(reads_as("name", "jose")) == []


def test_the_pages_and_the_api_find_a_name_typed_without_its_accents(namesakes, client_as):
    staff = client_as("city_staff")

    directory = staff.get("/entities/", {"q": "ramirez"})
    suggested = client_as("board_member").get("/search/entities/", {"q": "benton"}).content.decode()

    assert [row.record.external_id for row in directory.context["table"].rows] == ["p-jose"]
    assert staff.get("/find/", {"q": "jose ramirez"})["Location"] == "/entities/p-jose/"
    # labelled with the name as typed too: a browser shows only the suggestions whose label holds what was typed
    assert ">Chief Laura Bentón (Person, City of Riverton) · Chief Laura Benton</option>" in suggested
    assert "Jose Ramos (Person, City of Riverton)</option>" in client_as("board_member").get("/search/entities/", {"q": "jose"}).content.decode()
    for asked in ({"search": "RAMIREZ"}, {"q": "ramirez"}):
        assert [e["external_id"] for e in staff.get("/api/entities/", asked).json()["results"]] == ["p-jose"]


SEARCH_ON_SQLITE = """
import json
from core.search import holds, reads_as
from entities.models import Entity
Entity.objects.create(external_id="p-jose", name="José Ramírez", kind="person")
Entity.objects.create(external_id="p-ramos", name="Jose Ramos", kind="person")
Entity.objects.create(external_id="lodz-pd", name="Łódź Municipal Police", kind="police_department")
print(json.dumps([sorted(Entity.objects.filter(holds("name", "lodz")).values_list("external_id", flat=True)),
                  sorted(Entity.objects.filter(holds("name", "RAMIREZ")).values_list("external_id", flat=True)),
                  sorted(Entity.objects.filter(holds("name", "josé ra")).values_list("external_id", flat=True)),
                  sorted(Entity.objects.filter(reads_as("name", "jose ramirez")).values_list("external_id", flat=True))]))
"""


def test_the_embedded_sqlite_finds_them_alike(embedded_manage):
    printed = embedded_manage("shell", "-c", SEARCH_ON_SQLITE).strip().splitlines()[-1]

    assert json.loads(printed) == [["lodz-pd"], ["p-jose"], ["p-jose", "p-ramos"], ["p-jose"]]


def test_the_lists_text_filters_set_accents_and_case_aside(db, client_as):
    from tests.factories import MeetingFactory, RelationshipFactory

    county = EntityFactory(external_id="so-dona", name="Sheriff's Office", kind="sheriffs_office", jurisdiction="Doña Ana County")
    city = EntityFactory(external_id="pd-city", name="City PD", kind="police_department", jurisdiction="City of Riverton")
    RelationshipFactory(external_id="r-dona", source=county, target=EntityFactory(external_id="p-x", jurisdiction=""), type="employed_by")
    MeetingFactory(external_id="m-penasco", title="Reunión comunitaria", neighborhood="Peñasco")
    MeetingFactory(external_id="m-other", title="Budget hearing", neighborhood="Riverside")
    staff = client_as("city_staff")

    def ids(path, **asked) -> list[str]:
        return sorted(row.record.external_id for row in staff.get(path, asked).context["table"].rows)

    assert ids("/entities/", jurisdiction="DONA ana") == ["so-dona"] and city.external_id not in ids("/entities/", jurisdiction="dona")
    assert ids("/relationships/", jurisdiction="dona ana") == ["r-dona"]
    assert ids("/meetings/", neighborhood="penasco") == ids("/meetings/", title="reunion") == ["m-penasco"]
    assert [m["external_id"] for m in staff.get("/api/meetings/", {"title": "REUNION"}).json()["results"]] == ["m-penasco"]


def test_the_admin_finds_a_name_typed_without_its_accents(namesakes, client, user_with_role):
    """Its autocomplete (every entity field of its forms) and its lists' search."""
    administrator = user_with_role("administrator")
    administrator.is_staff = True  # administrators use the Django admin too (load_demo)
    administrator.save()
    admin = client
    admin.force_login(administrator)

    found = admin.get("/admin/autocomplete/", {"term": "ramirez", "app_label": "relationships", "model_name": "relationship",
                                               "field_name": "source"}).json()
    listed = admin.get("/admin/entities/entity/", {"q": "BENTON"}).context["cl"].result_list

    assert [row["text"] for row in found["results"]] == ["José Ramírez"]
    assert [e.external_id for e in listed] == ["p-chief"]
    # the relationships by either end's name, the meetings by title
    from tests.factories import MeetingFactory, RelationshipFactory

    RelationshipFactory(external_id="r-jose", source=namesakes["p-jose"], target=namesakes["p-chief"], type="personal")
    MeetingFactory(external_id="m-reunion", title="Reunión comunitaria")
    relationships = admin.get("/admin/relationships/relationship/", {"q": "ramirez"}).context["cl"].result_list
    meetings = admin.get("/admin/engagement/meeting/", {"q": "REUNION"}).context["cl"].result_list
    assert [r.external_id for r in relationships] == ["r-jose"] and [m.external_id for m in meetings] == ["m-reunion"]


def test_without_unaccent_postgresql_still_sets_case_aside(namesakes, monkeypatch):
    """A PostgreSQL without the extension (no contrib modules, a role without the right) searches
    as before it: case aside, accents as typed."""
    from django.db import connection

    connection.tracker_unaccent = False
    try:
        assert found(holds("name", "BENTÓN")) == ["p-chief"]
        assert found(holds("name", "benton")) == []
    finally:
        connection.tracker_unaccent = None
    assert found(holds("name", "benton")) == ["p-chief"]  # read again: the extension is there


@pytest.mark.django_db
def test_the_migration_goes_on_with_a_warning_where_unaccent_cannot_be_created(capsys):
    import importlib

    from django.db import DatabaseError, connection

    migration = importlib.import_module("core.migrations.0007_unaccent")

    class RoleWithoutTheRight:
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            raise DatabaseError('permission denied to create extension "unaccent"\nHINT:  Must have CREATE privilege on current database.')

    migration.create_unaccent(None, RoleWithoutTheRight())

    assert capsys.readouterr().err == (
        "warning: PostgreSQL's unaccent extension could not be created (permission denied to create extension \"unaccent\"); searches "
        "will set case aside but not accents. A superuser can run CREATE EXTENSION unaccent; in this database, then restart the app.\n")
