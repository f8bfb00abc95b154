"""Entities that may be one entered twice (entities.checks): the name key, pure, then as an import
notes the entities it adds that are like another."""
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.repeats import NOTES_PER_CHECK
from entities.checks import EntityRow, name_key, possible_twins_added
from tests.imports import data_set, import_notes


@pytest.mark.parametrize("a, b", [
    ("Chief Laura Benton", "chief  laura benton."),
    ("Chief Laura Bentón", "CHIEF LAURA BENTON"),
    ("O'Brien, Pat", "OBrien Pat"),
    ("Harlan County Sheriff’s Office", "Harlan County Sheriffs Office"),
    ("Riverton Police Dept.", "Riverton-Police Dept"),
    ("Riverton PD", "Riverton Police Department"),
    ("Riverton Police Dept.", "Riverton Police Department"),
    ("Police Officers Assn.", "Police Officers' Association"),
    ("Friends & Family of Officers", "Friends and Family of Officers"),
    ("The Justice Reform Coalition", "Justice Reform Coalition"),
    ("Ironclad Security, LLC", "Ironclad Security Inc."),
    ("Łódź Municipal Police", "Lodz Municipal Police"),  # letters Unicode does not take apart, as the searches read them
    ("Straße Watch", "Strasse Watch"),
])
def test_names_that_differ_only_in_case_accents_punctuation_spacing_or_common_short_forms_share_a_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize("a, b", [
    ("Laura Benton", "Laura Bennton"), ("Precinct 1", "Precinct 2"), ("Ana", "Anna"),
    ("Riverton Police Department", "Riverton Fire Department"),
    ("Co", "Inc"),  # a legal form alone is the name
])
def test_other_names_do_not(a, b):
    assert name_key(a) != name_key(b)


@given(st.text(max_size=40))
@example("Ʀ")  # a capital unaccent has no rule for, whose small letter it has
def test_a_key_is_its_own_key(name):
    assert name_key(name_key(name)) == name_key(name)


def test_an_added_entity_of_the_kind_and_name_of_a_stored_or_an_earlier_added_one_is_found():
    stored = [EntityRow(0, "lk-pd", "Lakeside Police Department", "police_department"),
              EntityRow(0, "lk-pd-old", "Lakeside Police Dept.", "police_department"),  # stored twins: the Sources page's
              EntityRow(0, "p-ann", "Ann Lee", "person")]
    added = [EntityRow(2, "pd-9", "Lakeside PD", "police_department"),
             EntityRow(3, "ann-2", "Ann Lee", "elected_official"),  # another kind
             EntityRow(4, "p-bo", "Bo Chen", "person"), EntityRow(5, "p-bo-2", "bo  chen", "person"),
             EntityRow(6, "x-1", "???", "business"), EntityRow(7, "x-2", "???", "business")]  # no name key: like nothing

    found = [(t.at, t.first_external_id, t.message) for t in possible_twins_added(stored, added)]

    assert found == [
        (2, "lk-pd", "pd-9 (Lakeside PD) may be the same police_department as lk-pd (Lakeside Police Department, already in the "
                     "tracker): one entity under two ids has its evidence, and its closeness, split in two"),
        (5, "p-bo", "p-bo-2 (bo  chen) may be the same person as p-bo (Bo Chen, line 4): one entity under two ids has its evidence, "
                    "and its closeness, split in two"),
    ]


def test_past_the_listed_possible_twins_one_line_counts_the_others():
    added = [EntityRow(line, f"p-{line}", "Pat Doe", "person") for line in range(2, NOTES_PER_CHECK + 5)]

    found = possible_twins_added([], added)

    assert len(found) == NOTES_PER_CHECK + 1 and found[-1].message == "and 2 more entities that repeat an earlier one"


@pytest.mark.django_db
def test_an_import_adding_an_entity_like_a_stored_one_notes_it_with_the_way_to_merge(tmp_path):
    first = data_set(tmp_path / "first", entities="external_id,name,kind\nlk-pd,Lakeside Police Department,police_department\n")
    # another source's roster: the department under its own id and short name, renaming nothing stored
    second = data_set(tmp_path / "second", entities="external_id,name,kind\nlk-pd,Lakeside Police Department,police_department\n"
                                                    "ros-17,Lakeside PD,police_department\nros-18,Lakeside PD,sheriffs_office\n")

    assert import_notes(first) == []
    assert import_notes(second) == [
        "entities.csv:3: name: note: ros-17 (Lakeside PD) may be the same police_department as lk-pd (Lakeside Police Department, "
        "already in the tracker): one entity under two ids has its evidence, and its closeness, split in two; if it is one, merge it "
        "once imported: /entities/ros-17/merge/?into=lk-pd"]
    assert import_notes(second) == []  # no longer added: the Sources page lists the two


@pytest.mark.django_db
def test_the_admin_and_the_api_save_an_entity_like_another_and_name_it(admin_site_client, client_as):
    from tests.factories import EntityFactory

    EntityFactory(external_id="lk-pd", name="Lakeside Police Department", kind="police_department")
    in_admin = admin_site_client.post("/admin/entities/entity/add/", {"external_id": "pd-2", "name": "Lakeside PD", "kind": "police_department"},
                           follow=True).content.decode()
    api = client_as("administrator")
    again = api.post("/api/entities/", {"external_id": "pd-3", "name": "The Lakeside Police Dept.", "kind": "police_department"})
    other = api.post("/api/entities/", {"external_id": "so-1", "name": "Lakeside PD", "kind": "sheriffs_office"})

    assert ("Saved, but worth a look: pd-2 (Lakeside PD) may be the same police_department as lk-pd (Lakeside Police Department, "
            "already in the tracker)") in in_admin
    assert again.status_code == 201 and again.json()["warnings"] == [
        "pd-3 (The Lakeside Police Dept.) may be the same police_department as lk-pd (Lakeside Police Department, already in the "
        "tracker): one entity under two ids has its evidence, and its closeness, split in two; if it is one, merge them (the Sources "
        "page lists the two)"]
    assert other.status_code == 201 and other.json()["warnings"] == []
    assert api.get("/api/entities/pd-3/").json()["warnings"] == []  # said when saved (the Sources page lists them)


_NAMES = st.lists(st.tuples(st.sampled_from(["Ann Lee", "ann lee.", "Bo Chen", "The Bo Chen", "???"]), st.sampled_from(["person", "business"])),
                  max_size=10)


@given(stored=_NAMES, added=_NAMES)
def test_an_added_entity_is_found_exactly_when_a_stored_or_earlier_added_one_has_its_kind_and_name_key(stored, added):
    from entities.checks import twin_key

    stored_rows = [EntityRow(0, f"s-{i}", name, kind) for i, (name, kind) in enumerate(stored)]
    added_rows = [EntityRow(line, f"a-{line}", name, kind) for line, (name, kind) in enumerate(added, start=2)]
    seen = {twin_key(row) for row in stored_rows}
    expected = []
    for row in added_rows:
        if twin_key(row) in seen:
            expected.append(row.at)
        seen.add(twin_key(row))

    assert [t.at for t in possible_twins_added(stored_rows, added_rows)] == expected
