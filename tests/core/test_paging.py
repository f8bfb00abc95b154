"""A page far into a long list reads its rows' ids first, and gives the rows a plain slice gives."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import paging
from scoring.models import PairScore
from tests.dashboard_helpers import scored_lakeside
from tests.factories import EntityFactory, PairScoreFactory, SnapshotFactory

ROWS = 24
ORDERINGS = [
    ("-score_tenths", "entity_a__external_id", "entity_b__external_id"),  # the pairs page's
    ("-score_tenths", "entity_a_id", "entity_b_id"),  # the API's
    ("entity_b__name", "-id"),
]


@pytest.fixture
def pairs(db):
    entities = EntityFactory.create_batch(8)
    snapshot = SnapshotFactory()
    made = []
    for i, a in enumerate(entities):
        for b in entities[i + 1:]:
            made.append(PairScoreFactory(entity_a=a, entity_b=b, valid_from=snapshot, score_tenths=10 + len(made) % 5))
            if len(made) == ROWS:
                return made
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", ORDERINGS, ids=["pairs page", "api", "a related name"])
def test_every_slice_read_ids_first_holds_the_rows_of_the_plain_slice(pairs, monkeypatch, ordering):
    listed = PairScore.objects.filter(score_tenths__gte=11).select_related("entity_a", "entity_b").order_by(*ordering)
    expected = [row.pk for row in listed]
    monkeypatch.setattr(paging, "DEFERRED_JOIN_FROM_ROW", 3)

    for start in range(0, len(expected) + 2):
        for size in (1, 5, 50):
            page = listed._chain()[start:start + size]
            assert [row.pk for row in page] == expected[start:start + size], (start, size)


@pytest.mark.django_db
def test_a_deep_page_is_two_queries_and_its_rows_carry_their_entities(pairs, monkeypatch):
    monkeypatch.setattr(paging, "DEFERRED_JOIN_FROM_ROW", 3)
    listed = PairScore.objects.select_related("entity_a", "entity_b").order_by("-score_tenths", "pk")

    with CaptureQueriesContext(connection) as deep:
        rows = listed._chain()[5:10]
        names = [(row.entity_a.name, row.entity_b.name) for row in rows]
    with CaptureQueriesContext(connection) as shallow:
        first = list(listed._chain()[0:2])

    assert len(rows) == 5 and all(all(pair) for pair in names)
    assert isinstance(rows, list)
    assert len(deep) == 2
    assert " OFFSET 5" in deep[0]["sql"] and '"entities_entity"."name"' not in deep[0]["sql"]
    assert " OFFSET " not in deep[1]["sql"]
    assert len(shallow) == 1 and len(first) == 2


@pytest.mark.django_db
def test_values_and_a_step_are_sliced_as_django_slices_them(pairs, monkeypatch):
    monkeypatch.setattr(paging, "DEFERRED_JOIN_FROM_ROW", 3)
    listed = PairScore.objects.order_by("pk")
    ids = list(listed.values_list("pk", flat=True))

    assert list(listed.values_list("pk", flat=True)[4:8]) == ids[4:8]
    assert [row.pk for row in listed[4:12:2]] == ids[4:12:2]
    assert listed[5].pk == ids[5]


@pytest.mark.django_db
def test_a_row_gone_between_the_two_reads_is_left_out(pairs, monkeypatch):
    monkeypatch.setattr(paging, "DEFERRED_JOIN_FROM_ROW", 3)
    listed = PairScore.objects.order_by("pk")
    ids = list(listed.values_list("pk", flat=True))
    filters = paging.DeferredJoinQuerySet.filter

    def delete_then_filter(self, *args, **kwargs):
        if "pk__in" in kwargs:  # the second read, once the ids are read
            PairScore.objects.filter(pk=ids[4]).delete()
        return filters(self, *args, **kwargs)

    monkeypatch.setattr(paging.DeferredJoinQuerySet, "filter", delete_then_filter)
    page = listed._chain()[3:6]

    assert [row.pk for row in page] == [ids[3], ids[5]]


@pytest.mark.django_db
def test_the_pairs_page_and_the_api_page_through_every_listed_pair_once(lakeside_dir, client_as, monkeypatch):
    scored_lakeside(lakeside_dir)
    monkeypatch.setattr(paging, "DEFERRED_JOIN_FROM_ROW", 3)
    client = client_as("city_staff")
    listed = PairScore.objects.filter(score_tenths__gte=10).select_related("entity_a", "entity_b")
    by_page = [(row.entity_a.external_id, row.entity_b.external_id)
               for row in listed.order_by("-score_tenths", "entity_a__external_id", "entity_b__external_id")]
    by_api = [(row.entity_a.external_id, row.entity_b.external_id) for row in listed.order_by("-score_tenths", "entity_a_id", "entity_b_id")]
    assert len(by_page) > 6

    pages, api = [], []
    for number in range(1, (len(by_page) + 1) // 2 + 1):
        table = client.get("/closeness/", {"per_page": 2, "page": number}).context["table"]
        pages += [(row.record.entity_a.external_id, row.record.entity_b.external_id) for row in table.page.object_list]
        answer = client.get("/api/closeness/", {"page_size": 2, "page": number}).json()
        api += [(row["entity_a"], row["entity_b"]) for row in answer["results"]]

    assert pages == by_page
    assert api == by_api
