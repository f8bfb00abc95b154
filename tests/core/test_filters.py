"""The lists' shared filters (core/filters.py): yes-or-no values and the query parameters a page
does not read."""
import re
from html import unescape

import pytest
from django import forms

from core.filters import YesOrNoField, filter_meant
from engagement.filters import MeetingFilter
from tests.dashboard_helpers import scored_lakeside

LIST_PAGES = ["/entities/", "/closeness/", "/flags/", "/meetings/", "/relationships/"]


@pytest.mark.parametrize("written, read", [("true", True), ("FALSE", False), ("1", True), ("0", False), ("Yes", True), ("off", False),
                                           ("", None), (None, None), (True, True), (False, False)])
def test_a_yes_or_no_is_read_as_the_apis_booleans_read_it(written, read):
    assert YesOrNoField(required=False).clean(written) is read


@pytest.mark.parametrize("written", ["maybe", "2", "either", "ja"])
def test_what_is_neither_yes_nor_no_is_refused_naming_it(written):
    with pytest.raises(forms.ValidationError) as refused:
        YesOrNoField(required=False).clean(written)
    assert refused.value.messages == [f"'{written}' is neither yes nor no: true or false (or 1/0, yes/no, on/off)."]


def test_the_filter_meant_is_one_spelt_closely_or_one_whose_label_the_name_starts():
    filters = MeetingFilter.base_filters

    assert filter_meant("titel", filters) == "'title'"
    assert filter_meant("per-page", filters) == "'per_page'"
    assert filter_meant("attended_by", filters) == "the filter \"Attended by (id or name)\" ('entity')"
    assert filter_meant("zzz", filters) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_PAGES)
def test_a_list_page_names_a_query_parameter_none_of_its_filters_reads(lakeside_dir, client_as, path):
    """`/flags/?staus=open` listed every flag as if nothing had been asked; now it lists none beside
    the message, as for a filter the page cannot read."""
    scored_lakeside(lakeside_dir)
    client = client_as("analyst")

    sorted_by = {"/entities/": "-name", "/relationships/": "-external_id", "/closeness/": "score_tenths", "/flags/": "rule", "/meetings/": "date"}
    asked = client.get(path, {"staus": "open", "per_page": 5, "page": 1, "sort": sorted_by[path]})
    plain = client.get(path, {"per_page": 5, "page": 1})

    assert asked.status_code == 200
    assert asked.context["filter"].form.non_field_errors() == [
        "This page has no filter 'staus' (in its address)" + (": did you mean 'status'?" if path == "/flags/" else ".")]
    assert "This page has no filter 'staus'" in unescape(asked.content.decode())
    assert plain.context["filter"].form.non_field_errors() == []
    assert len(asked.context["table"].rows) == 0 < len(plain.context["table"].rows)


@pytest.mark.django_db
@pytest.mark.parametrize("path, asked", [("/entities/", {"band": "closest"}), ("/closeness/", {"min_score": "high"}),
                                         ("/flags/", {"severity": "hgh"})])
def test_a_list_page_lists_nothing_beside_a_filter_it_cannot_read(lakeside_dir, client_as, path, asked):
    """Every flag was listed beside "Select a valid choice" as if it were the high ones."""
    scored_lakeside(lakeside_dir)
    client = client_as("analyst")

    page = client.get(path, asked)
    download = client.get(path, {**asked, "export": "csv"})

    assert page.status_code == 200 and page.context["filter"].errors and len(page.context["table"].rows) == 0
    assert len(b"".join(download.streaming_content).decode("utf-8-sig").strip().splitlines()) == 1  # the header alone


@pytest.mark.django_db
def test_every_link_into_a_list_page_asks_only_what_the_page_reads(lakeside_dir, client_as):
    """The pages' own links (filters, paging, sorting, downloads) are not named as unread."""
    from conflicts.models import Flag
    from engagement.models import Meeting
    from scoring.selectors import listed_pairs

    scored_lakeside(lakeside_dir)
    client = client_as("administrator")
    pair = listed_pairs().order_by("-score_tenths").first()
    pages = ["/", "/entities/lk-pd/", f"/closeness/{pair.entity_a.external_id}/{pair.entity_b.external_id}/", f"/flags/{Flag.objects.first().pk}/",
             f"/meetings/{Meeting.objects.first().pk}/", "/sources/", "/closeness/changes/?since=2001-01-01", "/recusals/", "/following/",
             "/engagement/coverage/", "/help/using/", "/help/reference/", *(f"{path}?per_page=3" for path in LIST_PAGES)]
    # a list's own sorting and paging links are its query alone ("?sort=name&per_page=3")
    links = {page.split("?")[0] + link if link.startswith("?") else link
             for page in pages for link in map(unescape, re.findall(r'href="([^"]+)"', client.get(page).content.decode()))}
    links = {link for link in links if link.split("?")[0] in LIST_PAGES and "?" in link}

    named = {link: client.get(link).context["filter"].form.non_field_errors() for link in sorted(links) if "export=csv" not in link}

    assert len(named) >= 20 and {"sort", "page", "per_page"} <= {name for link in named for name in re.findall(r"[?&]([a-z_]+)=", link)}
    assert {link: errors for link, errors in named.items() if errors} == {}


@pytest.mark.django_db
@pytest.mark.parametrize("path, asked, said", [
    ("/closeness/changes/", "sinse", "This page has no filter 'sinse' (in its address): did you mean 'since'?"),
    ("/following/", "sinse", "This page has no filter 'sinse' (in its address): did you mean 'since'?"),
    ("/engagement/coverage/", "jurisdicton", "This page has no filter 'jurisdicton' (in its address): did you mean 'jurisdiction'?"),
    ("/engagement/trust/", "from", "This page has no filter 'from' (in its address): did you mean the filter \"From\" ('start')?"),
])
def test_a_page_with_a_form_of_filters_names_a_query_parameter_none_of_them_reads(lakeside_dir, client_as, path, asked, said):
    """`/closeness/changes/?sinse=2025-07-01` answered for the default day, as if nothing had been asked."""
    scored_lakeside(lakeside_dir)
    client = client_as("city_staff")

    page = client.get(path, {asked: "2025-07-01"})

    assert page.status_code == 400 and page.context["form"].non_field_errors() == [said]
    assert html_unescaped(page).count(said) == 1
    assert client.get(path, {"since": "2025-07-01"} if "since" in said else {"start": "2025-07-01"}).status_code == 200
    if path == "/engagement/coverage/":
        assert client.get(path, {"export": "csv"}).status_code == 200  # its download is read


def html_unescaped(response) -> str:
    return unescape(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("path, asked, said", [
    ("/sources/", "check", "This page has no filter 'check' (in its address): did you mean 'checks'?"),
    ("/register/", "pgae", "This page has no filter 'pgae' (in its address)."),
])
def test_the_sources_and_register_pages_name_a_query_parameter_they_do_not_read(lakeside_dir, client_as, path, asked, said):
    scored_lakeside(lakeside_dir)
    client = client_as("analyst")

    page = client.get(path, {asked: "1"})

    assert page.status_code == 200 and page.context["not_read"] == [said]
    assert said in html_unescaped(page)
    assert client.get(path, {"checks": "1"} if path == "/sources/" else {"page": "2"}).context["not_read"] == []
