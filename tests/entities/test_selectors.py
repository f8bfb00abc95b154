"""Entities that may be the same one entered twice."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from entities.selectors import name_key, possible_duplicates
from tests.factories import EntityFactory


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
def test_a_key_is_its_own_key(name):
    assert name_key(name_key(name)) == name_key(name)


@pytest.mark.django_db
def test_possible_duplicates_are_grouped_by_kind_and_name():
    first = EntityFactory(external_id="p-benton", name="Chief Laura Benton", kind="person")
    second = EntityFactory(external_id="p-benton-2", name="chief laura benton.", kind="person")
    EntityFactory(external_id="o-benton", name="Chief Laura Benton", kind="community_group")  # another kind
    EntityFactory(external_id="p-other", name="Officer Diaz", kind="person")
    EntityFactory(external_id="p-blank", name="...", kind="person")  # no letters: never a match
    EntityFactory(external_id="p-blank-2", name="?", kind="person")

    assert possible_duplicates() == [[first, second]]


@pytest.mark.django_db
def test_the_sources_page_lists_them(client_as):
    EntityFactory(external_id="x-1", name="Harlan County Sheriff's Office", kind="sheriffs_office")
    EntityFactory(external_id="x-2", name="Harlan County Sheriffs Office", kind="sheriffs_office")

    page = client_as("city_staff").get("/sources/").content.decode()

    assert "Entities that may be the same (1)" in page
    section = page.split('id="possible-duplicates"')[1].split("</ul>")[0]
    assert "<code>x-1</code>" in section and "<code>x-2</code>" in section
