"""Entities that may be the same one entered twice."""
import pytest

from entities.selectors import possible_duplicates
from tests.factories import EntityFactory


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

    page = client_as("city_staff").get("/sources/?checks=1").content.decode()

    assert "Entities that may be the same (1)" in page
    section = page.split('id="possible-duplicates"')[1].split("</ul>")[0]
    assert "<code>x-1</code>" in section and "<code>x-2</code>" in section
