"""The pairs page's filters (and the API's `entity` and `kind`): a pair is listed when either side
matches."""
import pytest

from tests.factories import EntityFactory, PairScoreFactory, SnapshotFactory


@pytest.fixture
def pairs(db):
    """Five listed pairs among a chief, a board chair, a mayor, a clerk and a department."""
    people = {role: EntityFactory(external_id=f"x-{role}", name=name, kind="person") for role, name in
              [("chief", "Chief Laura Benton"), ("chair", "Chair Evelyn Marsh"), ("mayor", "Mayor Dana Whitfield"), ("clerk", "Clerk Ben Carter")]}
    people["pd"] = EntityFactory(external_id="x-pd", name="Riverton Police Department", kind="police_department")
    snapshot = SnapshotFactory()
    for a, b in [("chief", "chair"), ("chair", "mayor"), ("mayor", "clerk"), ("chief", "pd"), ("clerk", "pd")]:
        low, high = sorted((people[a], people[b]), key=lambda e: e.pk)
        PairScoreFactory(entity_a=low, entity_b=high, valid_from=snapshot, score_tenths=50)
    return people


def listed(client, url: str, **params) -> set[frozenset]:
    if url.startswith("/api/"):
        rows = client.get(url, params).json()["results"]
        return {frozenset((row["entity_a"], row["entity_b"])) for row in rows}
    table = client.get(url, params).context["table"]
    return {frozenset((row.record.entity_a.external_id, row.record.entity_b.external_id)) for row in table.page.object_list}


def ends(*pairs: str) -> set[frozenset]:
    return {frozenset(f"x-{e}" for e in pair.split("+")) for pair in pairs}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/closeness/", "/api/closeness/"])
def test_the_pairs_of_an_entity_or_a_kind_are_those_with_it_on_either_side(pairs, client_as, url):
    client = client_as("city_staff")

    assert listed(client, url, entity="x-chair") == ends("chief+chair", "chair+mayor")
    assert listed(client, url, kind="police_department") == ends("chief+pd", "clerk+pd")
    assert listed(client, url, entity="x-chair", kind="police_department") == set()
    assert listed(client, url, entity="nobody") == set()


@pytest.mark.django_db
def test_the_pairs_page_also_finds_an_entity_by_any_part_of_its_name(pairs, client_as):
    client = client_as("city_staff")

    assert listed(client, "/closeness/", entity="police dep") == ends("chief+pd", "clerk+pd")
    assert listed(client, "/closeness/", entity="CHIEF") == ends("chief+chair", "chief+pd")
    assert listed(client, "/closeness/", entity="Ben") == ends("chief+chair", "chief+pd", "mayor+clerk", "clerk+pd")  # Benton, Ben Carter
