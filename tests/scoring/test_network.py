"""The network page: closest pairs, a band, a jurisdiction, or one entity's ego network."""
import json
import re

import pytest

from entities.models import Entity
from tests.dashboard_helpers import scored_lakeside


def graph_of(page: str) -> dict:
    return json.loads(re.search(r'<script id="network-data" type="application/json">(.*?)</script>', page, re.S).group(1))


@pytest.mark.django_db
def test_network_shows_the_closest_pairs_coloured_by_category(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)

    graph = graph_of(client_as("city_staff").get("/network/", {"band": "close"}).content.decode())

    ids = {n["id"] for n in graph["nodes"]}
    assert {"lk-ob", "lk-pd", "lk-biz", "lk-cc"} <= ids
    assert all(e["band"] == "close" for e in graph["edges"])
    assert {n["colour"] for n in graph["nodes"] if n["id"] == "lk-ob"} == {"#b3261e"}
    assert len(graph["edges"]) <= 300


@pytest.mark.django_db
def test_people_are_marked_for_the_graph_to_name_organisations_first(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)
    page = client_as("city_staff").get("/network/").content.decode()

    graph = graph_of(page)
    kinds = dict(Entity.objects.values_list("external_id", "kind"))
    assert {n["id"] for n in graph["nodes"] if n["person"]} == {n["id"] for n in graph["nodes"] if kinds[n["id"]] in ("person", "elected_official")}
    assert any(n["person"] for n in graph["nodes"]) and not all(n["person"] for n in graph["nodes"])
    assert "Names that would overlap are left out, the most connected kept" in page


@pytest.mark.django_db
def test_network_ego_view_keeps_only_the_entity_ties(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)

    graph = graph_of(client_as("city_staff").get("/network/", {"entity": "lk-ob"}).content.decode())

    assert graph["edges"]
    assert all("lk-ob" in (e["source"], e["target"]) for e in graph["edges"])
    assert [n["id"] for n in graph["nodes"] if n["ego"]] == ["lk-ob"]


@pytest.mark.django_db
def test_network_filters_by_jurisdiction(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)

    graph = graph_of(client_as("city_staff").get("/network/", {"jurisdiction": "Lake County"}).content.decode())

    assert graph["nodes"]
    assert "lk-pd" not in {n["id"] for n in graph["nodes"]}  # City of Lakeside


@pytest.mark.django_db
def test_the_graph_is_also_a_list_of_its_ties_for_keyboards_and_screen_readers(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)

    page = client_as("city_staff").get("/network/", {"entity": "lk-ob"}).content.decode()

    graph = graph_of(page)
    listed = re.findall(r'<a href="/closeness/([^/]+)/([^/]+)/" class="band-(\w+)">([\d.]+)</a>', page)
    assert listed == [(e["source"], e["target"], e["band"], f"{e['score']:.1f}") for e in graph["edges"]]
    assert 'role="img"' in page and "The same ties as a list" in page
    assert ">Lakeside Police Oversight Board</a>" in page


@pytest.mark.django_db
def test_the_legend_names_the_categories_by_their_labels(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)

    page = client_as("city_staff").get("/network/").content.decode()

    assert '<i class="cat-law_enforcement_affiliate"></i>Law-enforcement affiliate</span>' in page
    assert '<i class="cat-person_of_influence"></i>Person of influence</span>' in page


@pytest.mark.django_db
def test_ties_with_an_open_flag_are_marked(lakeside_dir, client_as):
    from conflicts.models import Flag

    scored_lakeside(lakeside_dir)
    page = client_as("city_staff").get("/network/", {"entity": "lk-ob"}).content.decode()

    flagged = {(e["source"], e["target"]) for e in graph_of(page)["edges"] if e["flagged"]}
    assert ("lk-pd", "lk-ob") in flagged or ("lk-ob", "lk-pd") in flagged  # FUNDING_DEPENDENCE, open
    open_pairs = {frozenset(p) for p in Flag.objects.filter(holds=True, status__in=["open", "under_review"]).values_list(
        "subject__external_id", "counterpart__external_id")}
    assert all((frozenset((e["source"], e["target"])) in open_pairs) == e["flagged"] for e in graph_of(page)["edges"])
    assert "dashed = an open conflict-of-interest flag" in page


@pytest.mark.django_db
def test_an_entity_or_band_the_graph_cannot_follow_is_said_above_it(lakeside_dir, client_as):
    """`/network/?entity=lk-pd-old` (an old link) drew every entity's ties, titled as if nothing was asked."""
    scored_lakeside(lakeside_dir)
    client = client_as("city_staff")

    unknown = client.get("/network/", {"entity": "lk-nobody", "band": "closest"})
    known = client.get("/network/", {"entity": "lk-pd", "band": "close"})

    assert unknown.status_code == 200 and unknown.context["not_followed"] == [
        "No entity has the id 'lk-nobody': the graph is not around one entity.",
        "'closest' is not a band (distant, working, close): the graph is of every band."]
    assert "No entity has the id &#x27;lk-nobody&#x27;" in unknown.content.decode()
    assert known.context["not_followed"] == [] and known.context["ego"].external_id == "lk-pd"


@pytest.mark.django_db
def test_a_query_parameter_the_network_does_not_read_is_named(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)

    page = client_as("city_staff").get("/network/", {"entitiy": "lk-pd"})

    assert page.context["not_followed"] == ["This page has no filter 'entitiy' (in its address): did you mean 'entity'?"]
