"""A page far into a long list reads its rows' ids first, and gives the rows a plain slice gives;
every list keeps one order from page to page, whatever column sorts it."""
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from core import paging
from core.paging import ordered_to_the_row
from core.tables import MAX_PER_PAGE
from engagement.models import Meeting
from scoring.models import PairScore, PairScoreHistory, VersionQuerySet
from tests.factories import EntityFactory, PairScoreFactory, SnapshotFactory

ROWS = 24
ORDERINGS = [
    ("-score_tenths", "entity_a__external_id", "entity_b__external_id"),  # the pairs page's
    ("-score_tenths", "entity_a_id", "entity_b_id"),  # the API's
    ("score_tenths", "entity_b__name", "pk"),  # the pairs page sorted by score, lowest first
    ("entity_b__name", "-id"),
]


def read_ids_first_from(monkeypatch, row: int):
    """Every queryset that reads a deep slice's ids first does from `row` on."""
    for queryset in (paging.DeferredJoinQuerySet, VersionQuerySet):
        monkeypatch.setattr(queryset, "ids_first_from_row", row)


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
@pytest.mark.parametrize("ordering", ORDERINGS, ids=["pairs page", "api", "lowest score first", "a related name"])
def test_every_slice_read_ids_first_holds_the_rows_of_the_plain_slice(pairs, monkeypatch, ordering):
    listed = PairScore.objects.filter(score_tenths__gte=11).select_related("entity_a", "entity_b").order_by(*ordering)
    expected = [row.pk for row in listed]
    read_ids_first_from(monkeypatch, 3)

    for start in range(0, len(expected) + 2):
        for size in (1, 5, 50):
            page = listed._chain()[start:start + size]
            assert [row.pk for row in page] == expected[start:start + size], (start, size)


@pytest.mark.django_db
def test_a_deep_page_is_two_queries_and_its_rows_carry_their_entities(pairs, monkeypatch):
    read_ids_first_from(monkeypatch, 3)
    listed = PairScore.objects.select_related("entity_a", "entity_b").order_by("entity_b_id", "pk")

    with CaptureQueriesContext(connection) as deep:
        rows = listed._chain()[5:10]
        names = [(row.entity_a.name, row.entity_b.name) for row in rows]
    with CaptureQueriesContext(connection) as shallow:
        first = list(listed._chain()[0:2])

    assert len(rows) == 5 and all(all(pair) for pair in names)
    assert len(deep) == 2
    assert " OFFSET 5" in deep[0]["sql"] and '"entities_entity"."name"' not in deep[0]["sql"]
    assert " OFFSET " not in deep[1]["sql"]
    assert len(shallow) == 1 and len(first) == 2


@pytest.mark.django_db
def test_a_deep_page_of_pairs_by_score_sorts_only_from_the_score_of_its_first_row(pairs, monkeypatch):
    """The rows of each score counted, the ids read from the score the page starts at, then the rows."""
    read_ids_first_from(monkeypatch, 3)
    listed = PairScore.objects.select_related("entity_a", "entity_b").order_by("-score_tenths", "entity_a__external_id", "pk")
    scores = sorted((row.score_tenths for row in pairs), reverse=True)
    higher = sum(1 for score in scores if score > scores[15])

    with CaptureQueriesContext(connection) as deep:
        rows = listed._chain()[15:20]

    assert [row.pk for row in rows] == [row.pk for row in listed._chain().order_by("-score_tenths", "entity_a__external_id", "pk")][15:20]
    counts, ids, whole = (query["sql"] for query in deep.captured_queries)
    assert "GROUP BY" in counts and "COUNT(" in counts
    assert f'"score_tenths" <= {scores[15]}' in ids and f"OFFSET {15 - higher}" in ids
    assert " OFFSET " not in whole


@pytest.mark.django_db
def test_a_deep_slice_counts_iterates_and_slices_its_rows_without_reading_again_and_refuses_a_filter(pairs, monkeypatch):
    read_ids_first_from(monkeypatch, 3)
    listed = PairScore.objects.order_by("pk")
    ids = list(listed.values_list("pk", flat=True))
    page = listed._chain()[4:9]

    with CaptureQueriesContext(connection) as read_again:
        assert page.count() == len(page) == 5 and page.exists()
        assert [row.pk for row in page] == ids[4:9] and [row.pk for row in page[1:3]] == ids[5:7] and page[0].pk == ids[4]
    assert len(read_again) == 0
    with pytest.raises(TypeError, match="slice has been taken"):
        page.filter(score_tenths=10)


@pytest.mark.django_db
def test_values_and_a_step_are_sliced_as_django_slices_them(pairs, monkeypatch):
    read_ids_first_from(monkeypatch, 3)
    listed = PairScore.objects.order_by("pk")
    ids = list(listed.values_list("pk", flat=True))

    assert list(listed.values_list("pk", flat=True)[4:8]) == ids[4:8]
    assert [row.pk for row in listed[4:12:2]] == ids[4:12:2]
    assert listed[5].pk == ids[5]


@pytest.mark.django_db
def test_a_row_gone_between_the_two_reads_is_left_out(pairs, monkeypatch):
    read_ids_first_from(monkeypatch, 3)
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


@pytest.mark.parametrize(("asked", "read"), [
    ((), ("-date", "external_id", "pk")),  # the model's own order
    (("type",), ("type", "pk")),
    (("type", "-id"), ("type", "-id")),  # already to the row
    ((F("location").asc(nulls_last=True),), (F("location").asc(nulls_last=True), "pk")),
], ids=["the model's", "a column", "already", "an expression"])
def test_a_list_is_ordered_to_the_row_by_its_primary_key_last(asked, read):
    listed = Meeting.objects.order_by(*asked) if asked else Meeting.objects.all()

    assert ordered_to_the_row(listed).query.order_by == read


def page_rows(client, url: str, size: int, number: int, **params) -> list:
    """What a list page or an API list shows on page `number` of `size` rows: each row's record's
    id (a page's), or its external id or its pair of entities (the API's)."""
    if url.startswith("/api/"):
        rows = client.get(url, {"page_size": size, "page": number, **params}).json()["results"]
        return [row.get("external_id") or (row["entity_a"], row["entity_b"]) for row in rows]
    table = client.get(url, {"per_page": size, "page": number, **params}).context["table"]
    return [row.record.pk for row in table.page.object_list]


PAGES = 12  # pages each list is read in: a dozen page breaks, where rows of equal sort values could be lost or repeated

# each list whose model reads a deep page's ids first (its pages and its API), and lists sorted by
# a column of many equal values (`sort` on a page, `ordering` in the API)
LISTS = [
    ("/closeness/", {}), ("/api/closeness/", {}), ("/meetings/", {}), ("/api/meetings/", {}), ("/relationships/", {}),
    ("/api/relationships/", {}), ("/meetings/", {"sort": "attendees"}), ("/meetings/", {"sort": "-type"}),
    ("/closeness/", {"sort": "score"}), ("/relationships/", {"sort": "type"}), ("/entities/", {"sort": "kind"}),
    ("/flags/", {"sort": "rule"}), ("/api/meetings/", {"ordering": "type"}), ("/api/relationships/", {"ordering": "-type"}),
    ("/api/entities/", {"ordering": "kind"}),
    ("/api/closeness/", {"as_of": "2025-12-31"}),  # an earlier snapshot's pairs, current rows and history
]


@pytest.mark.django_db
def test_every_list_read_in_a_dozen_pages_shows_every_row_of_one_page_in_its_order(lakeside, client_as, monkeypatch):
    call_command("recompute", "--as-of", "2025-06-30", stdout=io.StringIO())
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    assert PairScoreHistory.objects.exists()
    client = client_as("city_staff")
    for url, sorted_by in LISTS:
        read_ids_first_from(monkeypatch, 10**9)
        whole = page_rows(client, url, MAX_PER_PAGE, 1, **sorted_by)  # one page, read at once
        assert 6 < len(whole) < MAX_PER_PAGE, url

        read_ids_first_from(monkeypatch, 3)  # every page from the third row on in two steps
        size = max(len(whole) // PAGES, 3)
        paged = [row for number in range(1, -(-len(whole) // size) + 1) for row in page_rows(client, url, size, number, **sorted_by)]

        assert paged == whole, (url, sorted_by)
