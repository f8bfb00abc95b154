"""Every list page's table: the page size a request asks for is kept within bounds."""
import pytest

from core.tables import MAX_PER_PAGE
from tests.dashboard_helpers import scored_lakeside

# each list page and its own page size
LIST_PAGES = {"/entities/": 25, "/closeness/": 50, "/flags/": 50, "/meetings/": 50}


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(LIST_PAGES))
@pytest.mark.parametrize(
    ("asked", "shown"), [("-5", 1), ("0", 1), ("2", 2), ("100000", MAX_PER_PAGE), ("abc", None)], ids=["negative", "zero", "two", "huge", "not a number"]
)
def test_a_list_page_keeps_the_page_size_within_bounds(lakeside_dir, client_as, path, asked, shown):
    scored_lakeside(lakeside_dir)

    response = client_as("city_staff").get(path, {"per_page": asked})

    assert response.status_code == 200
    table = response.context["table"]
    assert table.paginator.per_page == (LIST_PAGES[path] if shown is None else shown)
    assert len(table.page.object_list) <= table.paginator.per_page


@pytest.mark.django_db
def test_a_page_size_of_two_pages_through_every_row(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)
    client = client_as("city_staff")

    first = client.get("/entities/", {"per_page": 2}).context["table"]
    last = client.get("/entities/", {"per_page": 2, "page": first.paginator.num_pages}).context["table"]

    assert first.paginator.num_pages == (first.paginator.count + 1) // 2 > 1
    assert len(first.page.object_list) == 2
    assert 1 <= len(last.page.object_list) <= 2


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(LIST_PAGES))
def test_every_filter_of_a_list_page_has_a_label(lakeside_dir, client_as, path):
    """django-filter labels a filter without a model field of its name "[invalid name]"."""
    scored_lakeside(lakeside_dir)

    page = client_as("city_staff").get(path).content.decode()

    assert "[invalid name]" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("path, asked, meant", [
    ("/entities/", "nme", "Name ('name')"), ("/closeness/", "-scor", "Score ('score_tenths')"), ("/flags/", "colour", ""),
    ("/meetings/", "dat", "Date ('date')"), ("/relationships/", "-amont", "Amount ('amount')"), ("/flags/", "rule,status", ""),
])
def test_a_list_page_names_a_column_it_cannot_sort_by_and_lists_in_its_own_order(lakeside_dir, client_as, path, asked, meant):
    """django-tables2 drops it: the rows came in the page's own order, as if sorted as asked."""
    scored_lakeside(lakeside_dir)
    client = client_as("city_staff")

    page = client.get(path, {"sort": asked})
    plain = client.get(path)

    assert page.context["filter"].form.non_field_errors() == [
        f"This list cannot be sorted by '{asked}'; it is in its own order" + (f": did you mean {meant}?" if meant else ".")]
    assert [row.record.pk for row in page.context["table"].page.object_list] == [row.record.pk for row in plain.context["table"].page.object_list]
    assert len(page.context["table"].page.object_list) > 0
    assert client.get(path, {"sort": "-" + page.context["table"].columns[1].name}).context["filter"].form.non_field_errors() == []
