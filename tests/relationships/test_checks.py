"""Relationships that are valid but read oddly (relationships.checks): pure, then as an import
notes them and as the admin warns about them."""
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from django.core.management import call_command

from relationships.checks import NOTES_PER_CHECK, PARENT, TieRow, odd_parent, odd_ties
from tests.imports import data_set, import_notes

KINDS = {"pd": "police_department", "chief": "person", "mayor": "elected_official", "union": "police_union",
         "board": "oversight_body", "shop": "business"}


def notes(*rows: tuple[str, str, str]) -> list[str]:
    return [f"{n.at}:{n.column}:{n.message}" for n in odd_ties([TieRow(line, *row) for line, row in enumerate(rows, start=2)], KINDS)]


def test_ties_that_read_as_the_contract_says_get_no_note():
    assert notes(("chief", "pd", "leads"), ("mayor", "board", "member_of"), ("chief", "mayor", "family"),
                 ("union", "pd", "represents"), ("pd", "chief", "funds"), ("shop", "board", "member_of")) == []


@pytest.mark.parametrize("row,column,words", [
    (("pd", "chief", "leads"), "source", "pd (police_department) leads chief (person): a `leads` tie goes from the person to the organisation"),
    (("board", "mayor", "employed_by"), "source", "is it the wrong way round?"),
    (("chief", "pd", "family"), "target", "a `family` tie joins two persons; pd is a police_department"),
    (("board", "chief", "personal"), "source", "board is an oversight_body"),
    (("shop", "pd", "represents"), "source", "shop is a business (the conflict rules read `represents` from a police_union only)"),
])
def test_a_tie_that_reads_oddly_gets_a_note_on_its_line_and_column(row, column, words):
    (note,) = notes(row)
    assert note.startswith(f"2:{column}:") and words in note


def test_unknown_entities_are_let_be():
    assert notes(("nobody", "chief", "leads"), ("chief", "nobody", "family")) == []


def test_many_alike_are_listed_up_to_a_bound_then_counted():
    found = notes(*[("pd", "chief", "leads")] * (NOTES_PER_CHECK + 7), ("shop", "pd", "represents"))

    assert len(found) == NOTES_PER_CHECK + 2
    assert found[NOTES_PER_CHECK] == f"{NOTES_PER_CHECK + 1}:source:and 7 more relationships like the one above"
    assert found[-1].startswith(f"{NOTES_PER_CHECK + 9}:source:`represents`")


@pytest.mark.django_db
def test_an_import_prints_its_notes_and_still_imports(tmp_path):
    from relationships.models import Relationship

    (tmp_path / "entities.csv").write_text("external_id,name,kind\npd,Police,police_department\nchief,Chief,person\n")
    (tmp_path / "relationships.csv").write_text("external_id,source,target,type\nr-1,pd,chief,leads\n")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dataset", str(tmp_path), stdout=out, stderr=err)

    assert "relationships.csv:2: source: note: pd (police_department) leads chief (person)" in err.getvalue()
    assert "note:" not in out.getvalue()  # standard output keeps the counts alone
    assert Relationship.objects.filter(external_id="r-1").exists()
    # a later file of relationships alone is judged on the kinds already in the tracker
    (tmp_path / "entities.csv").unlink()
    (tmp_path / "relationships.csv").write_text("external_id,source,target,type\nr-2,chief,pd,family\n")
    from interchange.format import ENTITIES
    from interchange.reading import files_from_directory
    from interchange.services import dataset_import

    result = dataset_import(files={ENTITIES.name: b"external_id,name,kind\n", **files_from_directory(tmp_path)}, dry_run=True)
    assert [(n.line, n.column) for n in result.notes] == [(2, "target")]


@pytest.mark.django_db
def test_the_worked_example_gets_no_note_and_the_demo_only_its_planted_twin(lakeside_dir):
    from pathlib import Path

    from interchange.reading import files_from_directory
    from interchange.services import dataset_import

    demo = Path(__file__).resolve().parents[2] / "demo"
    assert dataset_import(files=files_from_directory(lakeside_dir / "data"), dry_run=True).notes == []
    (twin,) = dataset_import(files=files_from_directory(demo), dry_run=True).notes
    assert twin.message.startswith("note: rv-towing-co (Riverton Towing Co) may be the same business as rv-towing (")


@pytest.mark.django_db
def test_the_admin_saves_an_odd_tie_with_a_warning(admin_site_client):
    from tests.factories import EntityFactory

    pd, chief = EntityFactory(external_id="pd", kind="police_department"), EntityFactory(external_id="chief", kind="person")
    response = admin_site_client.post("/admin/relationships/relationship/add/", {
        "external_id": "r-odd", "source": pd.pk, "target": chief.pk, "type": "leads",
        "disclosures-TOTAL_FORMS": 0, "disclosures-INITIAL_FORMS": 0,
    }, follow=True)

    assert "Saved, but worth a look: pd (police_department) leads chief (person)" in response.content.decode()
    from relationships.models import Relationship
    assert Relationship.objects.filter(external_id="r-odd").exists()


@pytest.mark.django_db
def test_the_admin_and_the_api_save_a_fact_given_again_and_name_the_one_it_repeats(admin_site_client, client_as):
    from tests.factories import EntityFactory, RelationshipFactory

    union, mayor = EntityFactory(external_id="union", kind="police_union"), EntityFactory(external_id="mayor", kind="elected_official")
    chief, chair = EntityFactory(external_id="chief", kind="person"), EntityFactory(external_id="chair", kind="person")
    RelationshipFactory(external_id="c-1", source=union, target=mayor, type="contributes_to", start_date=date(2025, 3, 1), end_date=None,
                        amount=500)
    RelationshipFactory(external_id="f-1", source=chief, target=chair, type="family", start_date=None, end_date=None, amount=None)
    in_admin = admin_site_client.post("/admin/relationships/relationship/add/", {
        "external_id": "c-2", "source": union.pk, "target": mayor.pk, "type": "contributes_to", "start_date": "2025-03-01",
        "amount": "500.00", "disclosures-TOTAL_FORMS": 0, "disclosures-INITIAL_FORMS": 0,
    }, follow=True).content.decode()
    api = client_as("administrator")
    again = api.post("/api/relationships/", {"external_id": "f-2", "source": "chair", "target": "chief", "type": "family"})  # either way round
    other = api.post("/api/relationships/", {"external_id": "c-3", "source": "union", "target": "mayor", "type": "contributes_to",
                                             "start_date": "2025-03-02", "amount": "500"})

    assert "Saved, but worth a look: c-2 gives the same fact as c-1 (same source, target, type, dates and amount): both are counted, " \
           "so its amount is added twice; if it is one fact, remove one." in in_admin
    assert again.status_code == 201 and again.json()["warnings"] == [
        "f-2 gives the same fact as f-1 (same source, target, type, dates and amount): both are counted, so the tie counts twice; "
        "if it is one fact, remove one"]
    assert other.status_code == 201 and other.json()["warnings"] == []
    assert api.get("/api/relationships/f-2/").json()["warnings"] == []  # said when saved, not each time it is read (the Sources page lists it)


@pytest.mark.django_db
def test_the_sources_page_lists_the_stored_ties_that_may_be_the_wrong_way_round(client_as):
    from relationships.selectors import odd_relationships
    from tests.factories import EntityFactory, RelationshipFactory

    pd, chief = EntityFactory(external_id="pd", kind="police_department"), EntityFactory(external_id="chief", kind="person")
    backwards = RelationshipFactory(external_id="r-back", source=pd, target=chief, type="leads")
    RelationshipFactory(external_id="r-fine", source=chief, target=pd, type="leads")
    for n in range(NOTES_PER_CHECK + 3):
        RelationshipFactory(external_id=f"r-rep-{n:02d}", source=pd, target=EntityFactory(kind="police_department"), type="represents")

    listed, count = odd_relationships()
    assert count == NOTES_PER_CHECK + 4 and len(listed) == NOTES_PER_CHECK + 1
    assert listed[0][0] == backwards and "is it the wrong way round?" in listed[0][1]
    page = client_as("city_staff").get("/sources/?checks=1").content.decode()
    assert f"Ties that read oddly ({NOTES_PER_CHECK + 4})" in page and '<td><a href="/relationships/r-back/">r-back</a></td>' in page
    assert '<td><a href="/relationships/r-fine/">r-fine</a></td>' not in page and "The first of each kind are listed." in page


@pytest.mark.django_db
def test_the_api_saves_an_odd_tie_and_says_why_it_may_be_the_wrong_way_round(client_as):
    from tests.factories import EntityFactory

    EntityFactory(external_id="pd", kind="police_department"), EntityFactory(external_id="chief", kind="person")
    api = client_as("administrator")

    odd = api.post("/api/relationships/", {"external_id": "r-odd", "source": "pd", "target": "chief", "type": "leads"})
    fine = api.post("/api/relationships/", {"external_id": "r-fine", "source": "chief", "target": "pd", "type": "leads"})

    assert odd.status_code == 201 and "is it the wrong way round?" in odd.json()["warnings"][0]
    assert fine.status_code == 201 and fine.json()["warnings"] == []
    assert api.get("/api/relationships/r-odd/").json()["warnings"] == odd.json()["warnings"]
    assert api.patch("/api/relationships/r-odd/", {"warnings": []}, content_type="application/json").json()["warnings"]  # read only


@pytest.mark.django_db
def test_an_entity_page_marks_its_ties_that_may_be_the_wrong_way_round(client_as):
    from tests.factories import EntityFactory, RelationshipFactory

    pd, chief = EntityFactory(external_id="pd", kind="police_department"), EntityFactory(external_id="chief", kind="person")
    RelationshipFactory(source=pd, target=chief, type="leads")
    RelationshipFactory(source=chief, target=pd, type="employed_by")

    page = client_as("city_staff").get("/entities/pd/").content.decode()
    assert page.count('class="odd-tie') == 1 and "Check this tie: pd (police_department) leads chief (person)" in page


@pytest.mark.parametrize("rel_type,ended,noted", [
    ("contributes_to", True, True), ("endorses", True, True), ("contributes_to", False, False), ("employed_by", True, False),
])
def test_an_end_date_on_a_one_off_event_gets_a_note_as_nothing_reads_it(rel_type, ended, noted):
    found = [f"{n.at}:{n.column}:{n.message}" for n in odd_ties([TieRow(2, "chief", "union", rel_type, ended)], KINDS)]

    assert found == ([f"2:end_date:a `{rel_type}` tie is a one-off event, dated by its start_date: its end_date is kept "
                      "but neither the scores nor the conflict rules read it"] if noted else [])


@pytest.mark.django_db
def test_a_one_off_event_with_an_end_date_is_noted_by_the_import_and_listed_on_the_sources_page(tmp_path, client_as):
    (tmp_path / "entities.csv").write_text("external_id,name,kind\nunion,Union,police_union\nmayor,Mayor,elected_official\n")
    (tmp_path / "relationships.csv").write_text(
        "external_id,source,target,type,start_date,end_date,amount\n"
        "r-gift,union,mayor,contributes_to,2024-01-01,2024-12-31,500\nr-plain,union,mayor,contributes_to,2024-02-01,,500\n")

    assert import_notes(tmp_path) == [
        "relationships.csv:2: end_date: note: a `contributes_to` tie is a one-off event, dated by its start_date: "
        "its end_date is kept but neither the scores nor the conflict rules read it"]
    page = client_as("city_staff").get("/sources/?checks=1").content.decode()
    assert "Ties that read oddly (1)" in page and '<td><a href="/relationships/r-gift/">r-gift</a></td>' in page and '<td><a href="/relationships/r-plain/">r-plain</a></td>' not in page


@pytest.mark.parametrize("rel_type,has_amount,noted", [
    ("employed_by", True, True), ("endorses", True, True), ("lobbies", True, True),
    ("funds", True, False), ("contributes_to", True, False), ("employed_by", False, False),
])
def test_an_amount_on_a_tie_that_carries_no_money_gets_a_note_as_nothing_reads_it(rel_type, has_amount, noted):
    found = [f"{n.at}:{n.column}:{n.message}" for n in odd_ties([TieRow(2, "chief", "pd", rel_type, False, has_amount)], KINDS)]

    assert [f for f in found if ":amount:" in f] == ([
        f"2:amount:only `funds` and `contributes_to` carry money: an amount on `{rel_type}` is kept "
        "but neither the scores nor the conflict rules read it"] if noted else [])


@pytest.mark.django_db
def test_an_amount_on_a_tie_without_money_is_noted_by_the_import_listed_on_the_sources_page_and_the_entity_page(tmp_path, client_as):
    # a salary on a job, a sum on a lobbying tie: the analyst may expect it to count as money; it does not
    (tmp_path / "entities.csv").write_text("external_id,name,kind\nchief,Chief,person\npd,PD,police_department\n")
    (tmp_path / "relationships.csv").write_text(
        "external_id,source,target,type,start_date,amount\n"
        "r-job,chief,pd,employed_by,2024-01-01,85000\nr-plain,chief,pd,member_of,2024-01-01,\nr-pay,pd,chief,funds,2024-01-01,500\n")

    assert import_notes(tmp_path) == [
        "relationships.csv:2: amount: note: only `funds` and `contributes_to` carry money: an amount on `employed_by` "
        "is kept but neither the scores nor the conflict rules read it"]
    page = client_as("city_staff").get("/sources/?checks=1").content.decode()
    assert "Ties that read oddly (1)" in page and '<td><a href="/relationships/r-job/">r-job</a></td>' in page and '<td><a href="/relationships/r-plain/">r-plain</a></td>' not in page
    assert '<td><a href="/relationships/r-pay/">r-pay</a></td>' not in page
    entity_page = client_as("city_staff").get("/entities/pd/").content.decode()
    assert entity_page.count('class="odd-tie') == 1 and "Check this tie: only `funds` and `contributes_to` carry money" in entity_page


@pytest.mark.parametrize("unit,parent,noted", [
    ("chief", "pd", "chief (person) has the parent unit pd: a parent unit is for organisations (a precinct under a department); "
                    "for whom a person works or sits, add an `employed_by`, `leads` or `member_of` relationship (the roll-up and "
                    "the conflict rules read those, not a parent)"),
    ("pd", "mayor", "mayor (elected_official) is the parent unit of pd: a parent unit is an organisation (the conflict rules "
                    "count pd's parent on its side)"),
    ("board", "pd", None), ("pd", "board", None),
])
def test_a_parent_unit_that_is_or_has_a_person_gets_a_note(unit, parent, noted):
    found = [f"{n.at}:{n.column}:{n.message}" for n in odd_ties([TieRow(2, unit, parent, PARENT)], KINDS)]

    assert found == ([f"2:parent:{noted}"] if noted else [])
    assert odd_parent(unit, KINDS[unit], parent, KINDS[parent]) == ([noted] if noted else [])


@pytest.mark.django_db
def test_a_person_with_a_parent_unit_is_noted_by_the_import_shown_on_their_page_and_warned_about_in_the_admin(
        tmp_path, client_as, admin_site_client):
    # the employer written as a parent: nothing reads it, so the roll-up would miss the officer
    (tmp_path / "entities.csv").write_text("external_id,name,kind,parent\npd,PD,police_department,\n"
                                           "east,East precinct,police_department,pd\nofficer,Officer,person,pd\n")

    assert import_notes(tmp_path) == [
        "entities.csv:4: parent: note: officer (person) has the parent unit pd: a parent unit is for organisations "
        "(a precinct under a department); for whom a person works or sits, add an `employed_by`, `leads` or `member_of` "
        "relationship (the roll-up and the conflict rules read those, not a parent)"]
    page = client_as("city_staff").get("/entities/officer/").content.decode()
    assert page.count('class="odd-parent') == 1 and "Check this parent unit: officer (person) has the parent unit pd" in page
    assert 'class="odd-parent' not in client_as("city_staff").get("/entities/east/").content.decode()
    sources = client_as("city_staff").get("/sources/?checks=1").content.decode()
    assert "Parent units that read oddly (1)" in sources and 'id="odd-parents"' in sources
    assert sources.count("officer (person) has the parent unit pd") == 1 and "East precinct</a></td>" not in sources

    from entities.models import Entity
    officer = Entity.objects.get(external_id="officer")
    response = admin_site_client.post(f"/admin/entities/entity/{officer.pk}/change/", {
        "external_id": "officer", "name": "Officer", "kind": "person", "parent": officer.parent_id}, follow=True)
    assert "Saved, but worth a look: officer (person) has the parent unit pd" in response.content.decode()


@pytest.mark.django_db
def test_the_api_saves_a_person_with_a_parent_unit_and_says_why_it_reads_oddly(client_as):
    from tests.factories import EntityFactory

    EntityFactory(external_id="pd", kind="police_department")
    api = client_as("administrator")

    odd = api.post("/api/entities/", {"external_id": "officer", "name": "Officer", "kind": "person", "parent": "pd"})
    fine = api.post("/api/entities/", {"external_id": "east", "name": "East", "kind": "police_department", "parent": "pd"})

    assert odd.status_code == 201 and odd.json()["warnings"][0].startswith("officer (person) has the parent unit pd: ")
    assert fine.status_code == 201 and fine.json()["warnings"] == []
    assert api.get("/api/entities/officer/").json()["warnings"] == odd.json()["warnings"]


def test_past_the_listed_parent_units_one_line_counts_the_other_entities():
    kinds = {f"p{i}": "person" for i in range(NOTES_PER_CHECK + 3)} | {"pd": "police_department"}
    rows = [TieRow(line, f"p{i}", "pd", PARENT) for line, i in enumerate(range(NOTES_PER_CHECK + 3), start=2)]

    found = odd_ties(rows, kinds)

    assert len(found) == NOTES_PER_CHECK + 1
    assert found[-1].message == "and 3 more entities like the one above" and found[-1].more == 3


def test_a_fact_given_twice_is_found_once_either_way_round_for_a_symmetric_type_only():
    from datetime import date
    from decimal import Decimal

    from relationships.checks import FactRow, repeated_facts

    rows = [
        FactRow(2, "c-1", "union", "mayor", "contributes_to", date(2025, 3, 1), None, Decimal("500")),
        FactRow(3, "c-2", "union", "mayor", "contributes_to", date(2025, 3, 1), None, Decimal("500.00")),  # the same money
        FactRow(4, "c-3", "union", "mayor", "contributes_to", date(2025, 3, 2), None, Decimal("500")),  # another day
        FactRow(5, "f-1", "chief", "chair", "family"), FactRow(6, "f-2", "chair", "chief", "family"),  # symmetric: either way
        FactRow(7, "j-1", "chief", "pd", "employed_by"), FactRow(8, "j-2", "pd", "chief", "employed_by"),  # directed: two facts
        FactRow(9, "c-4", "union", "mayor", "contributes_to", date(2025, 3, 1), None, Decimal("500")),  # a third time
    ]

    found = [(f.at, f.first_at, f.message) for f in repeated_facts(rows)]

    assert found == [
        (3, 2, "c-2 gives the same fact as c-1 (same source, target, type, dates and amount): both are counted, so its amount "
               "is added twice; if it is one fact, remove one"),
        (6, 5, "f-2 gives the same fact as f-1 (same source, target, type, dates and amount): both are counted, so the tie "
               "counts twice; if it is one fact, remove one"),
        (9, 2, "c-4 gives the same fact as c-1 (same source, target, type, dates and amount): both are counted, so its amount "
               "is added twice; if it is one fact, remove one"),
    ]


def test_past_the_listed_repeated_facts_one_line_counts_the_others():
    from relationships.checks import FactRow, repeated_facts

    rows = [FactRow(line, f"r{line}", "a", "b", "advises") for line in range(2, NOTES_PER_CHECK + 6)]

    found = repeated_facts(rows)

    assert len(found) == NOTES_PER_CHECK + 1 and found[-1].more == 3
    assert found[-1].message == "and 3 more relationships that repeat an earlier one"


@pytest.mark.django_db
def test_a_fact_given_twice_is_noted_by_the_import_and_listed_on_the_sources_page(tmp_path, client_as):
    # two extracts merged: the campaign-finance file and the roster give one contribution each
    (tmp_path / "entities.csv").write_text("external_id,name,kind\nunion,Union,police_union\nmayor,Mayor,elected_official\n")
    (tmp_path / "relationships.csv").write_text(
        "external_id,source,target,type,start_date,amount\n"
        "c-1,union,mayor,contributes_to,2025-03-01,500\nc-9,union,mayor,contributes_to,2025-03-01,500.00\n"
        "c-2,union,mayor,contributes_to,2025-04-01,500\n")

    assert import_notes(tmp_path) == [
        "relationships.csv:3: external_id: note: c-9 gives the same fact as c-1 (same source, target, type, dates and amount): "
        "both are counted, so its amount is added twice; if it is one fact, remove one (line 2)"]
    page = client_as("city_staff").get("/sources/?checks=1").content.decode()
    assert "Facts given twice (1)" in page and '<td><a href="/relationships/c-9/">c-9</a></td>' in page and '<td><a href="/relationships/c-1/">c-1</a></td>' not in page and '<td><a href="/relationships/c-2/">c-2</a></td>' not in page


def test_a_file_giving_again_a_fact_already_stored_is_found_each_side_s_own_repeats_left_to_their_own_notes():
    from datetime import date
    from decimal import Decimal

    from relationships.checks import FactRow, facts_given_again

    paid = ("union", "mayor", "contributes_to", date(2025, 3, 1), None)
    stored = [FactRow(101, "c-1", *paid, Decimal("500.00")), FactRow(102, "c-1b", *paid, Decimal("500.00")),  # stored twice already
              FactRow(103, "f-1", "chief", "chair", "family")]
    given = [FactRow(2, "x-1", *paid, Decimal("500")), FactRow(3, "x-2", *paid, Decimal("500")),  # the file's own repeat
             FactRow(4, "x-3", "chair", "chief", "family"), FactRow(5, "x-4", "union", "mayor", "endorses")]

    found = [(f.at, f.first_external_id, f.message.split(" (")[0]) for f in facts_given_again(stored, given)]

    assert found == [(2, "c-1", "x-1 gives the same fact as c-1"), (4, "f-1", "x-3 gives the same fact as f-1")]


@pytest.mark.django_db
def test_an_import_giving_again_under_new_ids_what_is_stored_is_noted_naming_the_stored_fact(tmp_path):
    entities = "external_id,name,kind\nunion,Union,police_union\nmayor,Mayor,elected_official\n"
    first = data_set(tmp_path / "first", entities=entities,
                     relationships="external_id,source,target,type,start_date,amount\nc-1,union,mayor,contributes_to,2025-03-01,500\n")
    # the next extract of the same records, renumbered, and one new contribution
    second = data_set(tmp_path / "second", entities=entities,
                      relationships="external_id,source,target,type,start_date,amount\n"
                                    "cf-7,union,mayor,contributes_to,2025-04-01,250\ncf-8,union,mayor,contributes_to,2025-03-01,500.00\n")

    assert import_notes(first) == []
    assert import_notes(first) == []  # the same file again: its rows are the stored ones
    assert import_notes(second) == [
        "relationships.csv:3: external_id: note: cf-8 gives the same fact as c-1 (same source, target, type, dates and amount): "
        "both are counted, so its amount is added twice; if it is one fact, remove one (c-1 is already in the tracker)"]


@pytest.mark.parametrize("source,rel_type,target,noted", [
    ("pd", "oversees", "board", True), ("union", "budget_authority", "council", True), ("pd", "appoints", "mayor", True),
    ("board", "oversees", "pd", False), ("council", "budget_authority", "pd", False), ("mayor", "appoints", "chief", False),
    ("feds", "oversees", "pd", False),  # a federal monitor over a department: law enforcement over law enforcement
    ("pd", "oversees", "shop", False),
])
def test_an_oversight_tie_from_law_enforcement_to_its_overseers_gets_a_note(source, rel_type, target, noted):
    kinds = KINDS | {"council": "government_body", "feds": "federal_agency"}

    found = [f"{n.at}:{n.column}:{n.message}" for n in odd_ties([TieRow(2, source, target, rel_type)], kinds)]

    assert found == ([f"2:source:{source} ({kinds[source]}) {rel_type} {target} ({kinds[target]}): law enforcement is the "
                      f"side that is overseen; is it the wrong way round? (the conflict rules read it as written, with "
                      f"{source} as the overseer)"] if noted else [])


@pytest.mark.parametrize("rel_type,undated,noted", [
    ("contributes_to", True, True), ("endorses", True, True), ("contributes_to", False, False), ("funds", True, False),
])
def test_a_one_off_event_without_a_date_gets_a_note_as_the_rules_cannot_date_it(rel_type, undated, noted):
    found = [f"{n.at}:{n.column}:{n.message}" for n in odd_ties([TieRow(2, "union", "mayor", rel_type, undated=undated)], KINDS)]

    assert found == ([f"2:start_date:a `{rel_type}` tie is a one-off event dated by its start_date, and this one has none: the scores "
                      "count it as made on the reference date, and the conflict rules cannot tell whether it is less than 4 "
                      "years old, so it never raises CONTRIBUTION_FROM_OVERSEEN; give its date"] if noted else [])


@pytest.mark.django_db
def test_an_undated_contribution_is_noted_by_the_import_only_where_the_file_gives_dates(tmp_path, client_as):
    (tmp_path / "entities.csv").write_text("external_id,name,kind\nunion,Union,police_union\nmayor,Mayor,elected_official\n")
    (tmp_path / "relationships.csv").write_text("external_id,source,target,type,start_date,amount\n"
                                                "c-1,union,mayor,contributes_to,,500\nc-2,union,mayor,contributes_to,2025-01-01,700\n")
    err = io.StringIO()
    call_command("import_dataset", str(tmp_path), stdout=io.StringIO(), stderr=err)

    assert [line.split(": note: ")[0] for line in err.getvalue().splitlines()] == ["relationships.csv:2: start_date"]
    assert '<td><a href="/relationships/c-1/">c-1</a></td>' in client_as("city_staff").get("/sources/?checks=1").content.decode()

    # a file without the column leaves the stored dates alone: nothing to say of c-2
    (tmp_path / "relationships.csv").write_text("external_id,source,target,type,amount\nc-2,union,mayor,contributes_to,700\n")
    err = io.StringIO()
    call_command("import_dataset", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""


@pytest.mark.parametrize("rel_type,source,target,noted", [
    ("leads", "mayor", "chief", True), ("employed_by", "chief", "officer", True), ("member_of", "chief", "pd", False),
    ("family", "chief", "mayor", False),
    ("employed_by", "chief", "mayor", False),  # an aide of an elected official: the official's office is the official
])
def test_an_affiliation_between_two_persons_gets_a_note_as_the_roll_up_would_mix_their_meetings(rel_type, source, target, noted):
    kinds = KINDS | {"officer": "person"}
    found = [f"{n.at}:{n.column}:{n.message}" for n in odd_ties([TieRow(2, source, target, rel_type)], kinds)]

    assert found == ([f"2:target:{source} ({kinds[source]}) {rel_type} {target} ({kinds[target]}): a `{rel_type}` tie goes from a "
                      f"person to an organisation, and {target} is a person (the roll-up would count {source}'s meetings as "
                      f"{target}'s); tie both to the organisation instead"] if noted else [])


@pytest.mark.parametrize("target,noted", [("pd", False), ("board", True), ("chief", True), ("mayor", True)])
def test_a_union_representing_anything_but_a_law_enforcement_agency_gets_a_note(target, noted):
    found = [f"{n.at}:{n.column}:{n.message}" for n in odd_ties([TieRow(2, "union", target, "represents")], KINDS)]

    assert found == ([f"2:target:`represents` is a police union representing the officers of its target, a law-enforcement "
                      f"agency; {target} is {'an' if KINDS[target][0] in 'aeiou' else 'a'} {KINDS[target]} (the conflict rules "
                      f"would put union on {target}'s side)"] if noted else [])


def _can_read_oddly(rel_type: str, ended: bool, has_amount: bool, undated: bool) -> bool:
    """Whether any two kinds at its ends make a tie of this type and these fields read oddly."""
    from entities.kinds import Kind

    return any(odd_ties([TieRow(2, "a", "b", rel_type, ended, has_amount, undated)], {"a": a, "b": b})
               for a in Kind.values for b in Kind.values)


@pytest.mark.django_db
def test_the_sources_page_reads_every_stored_relationship_a_check_could_find_odd():
    # the page reads only candidates by type and fields set (odd_relationship_candidates): a check
    # that finds another type or field odd must widen that filter, or its finds never show there
    from itertools import product

    from relationships.models import Relationship
    from relationships.selectors import odd_relationship_candidates
    from relationships.types import MONEY_TYPES, RelationshipType
    from tests.factories import EntityFactory

    a, b = EntityFactory(), EntityFactory()
    could_be_odd = set()
    for rel_type, ended, has_amount, undated in product(RelationshipType.values, (False, True), (False, True), (False, True)):
        if rel_type in MONEY_TYPES and not has_amount:
            continue  # not valid: never stored
        rel = Relationship.objects.create(
            external_id=f"{rel_type}-{ended:d}{has_amount:d}{undated:d}", source=a, target=b, type=rel_type,
            start_date=None if undated else date(2020, 1, 1), end_date=date(2021, 1, 1) if ended else None,
            amount=100 if has_amount else None)
        if _can_read_oddly(rel_type, ended, has_amount, undated):
            could_be_odd.add(rel.pk)

    assert len(could_be_odd) > 20  # the checks do find things odd
    assert could_be_odd <= set(odd_relationship_candidates().values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_sources_page_counts_as_odd_parents_exactly_those_the_check_finds_odd():
    from entities.kinds import Kind
    from relationships.selectors import odd_parent_units
    from tests.factories import EntityFactory

    expected = 0
    for unit_kind in Kind.values:
        for parent_kind in Kind.values:
            parent = EntityFactory(kind=parent_kind)
            unit = EntityFactory(kind=unit_kind, parent=parent)
            expected += bool(odd_parent(unit.external_id, unit_kind, parent.external_id, parent_kind))

    _, count = odd_parent_units()

    assert expected > 0 and count == expected


def test_a_disclosure_dated_before_its_relationship_began_is_found():
    from relationships.checks import DisclosureRow, early_disclosures

    rows = [DisclosureRow(2, "d-1", "c-1", date(2019, 1, 1), date(2021, 3, 1)),  # a year typed wrong, most likely
            DisclosureRow(3, "d-2", "c-1", date(2021, 3, 1), date(2021, 3, 1)),  # the same day: fine
            DisclosureRow(4, "d-3", "t-1", date(2019, 1, 1), None)]  # an undated tie: nothing to compare

    found = [(odd.at, odd.column, odd.message) for odd in early_disclosures(rows)]

    assert found == [(2, "disclosed_on", "d-1 is dated 2019-01-01, before c-1 began (2021-03-01): it counts as a disclosure of it all "
                                         "the same (a flag on it reads as disclosed, one severity lower); if the date is mistyped, correct it")]


def test_past_the_listed_early_disclosures_one_line_counts_the_others():
    from relationships.checks import DisclosureRow, early_disclosures

    rows = [DisclosureRow(line, f"d-{line}", "c-1", date(2019, 1, 1), date(2021, 3, 1)) for line in range(2, NOTES_PER_CHECK + 5)]

    found = early_disclosures(rows)

    assert len(found) == NOTES_PER_CHECK + 1 and found[-1].message == "and 3 more disclosures like the one above"


@pytest.mark.django_db
def test_an_import_notes_a_disclosure_dated_before_its_relationship_as_given_or_as_stored(tmp_path):
    entities = "external_id,name,kind\nunion,Union,police_union\nmayor,Mayor,elected_official\n"
    first = data_set(tmp_path / "first", entities=entities,
                     relationships="external_id,source,target,type,start_date,amount\nc-1,union,mayor,contributes_to,2025-03-01,500\n",
                     disclosures="external_id,discloser,relationship,disclosed_on\nd-1,mayor,c-1,2024-03-02\n")
    later = data_set(tmp_path / "later", entities=entities, disclosures="external_id,discloser,relationship,disclosed_on\nd-2,mayor,c-1,2025-03-02\n"
                                                                        "d-3,mayor,c-1,2015-03-02\n")

    assert import_notes(first) == [
        "disclosures.csv:2: disclosed_on: note: d-1 is dated 2024-03-02, before c-1 began (2025-03-01): it counts as a disclosure of it "
        "all the same (a flag on it reads as disclosed, one severity lower); if the date is mistyped, correct it"]
    assert [note.split(" is dated")[0] for note in import_notes(later)] == ["disclosures.csv:3: disclosed_on: note: d-3"]


@pytest.mark.django_db
def test_the_admin_and_the_api_save_a_disclosure_dated_oddly_and_say_why(admin_site_client, client_as):
    from django.utils import timezone

    from tests.factories import EntityFactory, RelationshipFactory

    union, mayor = EntityFactory(external_id="union", kind="police_union"), EntityFactory(external_id="mayor", kind="elected_official")
    gift = RelationshipFactory(external_id="c-1", source=union, target=mayor, type="contributes_to", start_date=date(2025, 3, 1),
                               end_date=None, amount=500)

    in_admin = admin_site_client.post("/admin/relationships/disclosure/add/", {
        "external_id": "d-1", "discloser": mayor.pk, "relationship": gift.pk, "disclosed_on": "2024-03-02"}, follow=True).content.decode()
    api = client_as("administrator")
    ahead = api.post("/api/disclosures/", {"external_id": "d-2", "discloser": "mayor", "relationship": "c-1", "disclosed_on": "2062-01-01"})
    fine = api.post("/api/disclosures/", {"external_id": "d-3", "discloser": "mayor", "relationship": "c-1", "disclosed_on": "2025-03-02"})

    inline = admin_site_client.post("/admin/relationships/relationship/add/", {
        "external_id": "c-2", "source": union.pk, "target": mayor.pk, "type": "contributes_to", "start_date": "2025-04-01", "amount": "100",
        "disclosures-TOTAL_FORMS": 1, "disclosures-INITIAL_FORMS": 0, "disclosures-0-external_id": "d-9", "disclosures-0-discloser": mayor.pk,
        "disclosures-0-disclosed_on": "2020-01-01"}, follow=True).content.decode()

    assert "Saved, but worth a look: d-1 is dated 2024-03-02, before c-1 began (2025-03-01)" in in_admin
    assert "Saved, but worth a look: d-9 is dated 2020-01-01, before c-2 began (2025-04-01)" in inline
    assert ahead.status_code == 201 and ahead.json()["warnings"] == [
        f"d-2 is dated 2062-01-01, after today ({timezone.localdate().isoformat()}): it counts as a disclosure only from that day; if the "
        "year is mistyped, correct it"]
    assert fine.status_code == 201 and fine.json()["warnings"] == []
    assert api.get("/api/disclosures/d-2/").json()["warnings"] == []  # said when saved


def _fact_rows(draw_rows, start):
    from relationships.checks import FactRow

    return [FactRow(start + i, f"r-{start + i}", source, target, rel_type, None, None, amount)
            for i, (source, target, rel_type, amount) in enumerate(draw_rows)]


_FACTS = st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc"), st.sampled_from(["funds", "family", "leads"]),
                            st.sampled_from([None, 100])), max_size=12)


@given(stored=_FACTS, file=_FACTS)
def test_a_file_s_rows_given_again_are_exactly_its_first_of_each_fact_that_is_stored(stored, file):
    from relationships.checks import fact_of, facts_given_again

    stored_rows, file_rows = _fact_rows(stored, 1000), _fact_rows(file, 2)
    stored_facts = {fact_of(row) for row in stored_rows}
    first_of_fact = {}
    for row in file_rows:
        first_of_fact.setdefault(fact_of(row), row)
    expected = [row.at for row in first_of_fact.values() if fact_of(row) in stored_facts]

    found = facts_given_again(stored_rows, file_rows)

    assert [f.at for f in found if not f.more] == expected[:NOTES_PER_CHECK]
    assert sum(f.more for f in found) == max(len(expected) - NOTES_PER_CHECK, 0)
    assert all(f.first_at >= 1000 for f in found if not f.more)  # each names a stored row
