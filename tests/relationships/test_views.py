"""The sources page: which facts have no source, those behind public findings first."""
import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conflicts.models import Flag
from relationships.models import Relationship
from scoring.services import recompute
from tests.uploads import upload


@pytest.fixture
def scored_without_some_sources(lakeside):
    """The lakeside example scored, with the sources of a flag's evidence, a close pair's evidence
    and one other relationship removed."""
    recompute(as_of=date(2026, 6, 30))
    behind_flag = Flag.objects.get(rule="FUNDING_DEPENDENCE", subject__external_id="lk-ob").evidence.get()
    Relationship.objects.filter(external_id__in=[behind_flag.external_id, "s-01", "c-06"]).update(source_url="")
    return behind_flag


@pytest.mark.django_db
def test_the_page_lists_the_unsourced_facts_behind_flags_and_close_pairs_and_counts_by_type(scored_without_some_sources, client_as):
    page = client_as("city_staff").get("/sources/")

    assert page.status_code == 200
    # the funding, the contribution (c-06: CONTRIBUTION_FROM_OVERSEEN) and the oversight mandate (s-01) all carry flags
    assert [r.external_id for r in page.context["behind_flags"]] == sorted({scored_without_some_sources.external_id, "c-06", "s-01"})
    assert {"s-01", scored_without_some_sources.external_id} <= {r.external_id for r in page.context["behind_close"]}
    assert page.context["unsourced_count"] == 3 and page.context["total"] == Relationship.objects.count()
    by_type = {row["type"]: row for row in page.context["by_type"]}
    assert by_type["oversees"]["unsourced"] == 1 and by_type["oversees"]["total"] == Relationship.objects.filter(type="oversees").count()
    assert "3 of" in page.content.decode()
    # the pair page says so where the fact is shown
    pair = client_as("city_staff").get("/closeness/lk-ob/lk-pd/").content.decode()
    assert '<span class="unsourced" title="No source given: this fact cannot be checked here">no source</span>' in pair


@pytest.mark.django_db
def test_an_analyst_downloads_the_unsourced_fills_in_sources_and_imports_them_back(scored_without_some_sources, client_as):
    analyst = client_as("analyst")
    download = analyst.get("/sources/", {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert sorted(r["external_id"] for r in rows) == sorted({scored_without_some_sources.external_id, "s-01", "c-06"})

    for row in rows:
        row["source_url"] = f"https://records.example.org/{row['external_id']}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    # relationships.csv alone: the page lets entities.csv be left out when the rows refer to known entities
    uploaded = upload(analyst, SimpleUploadedFile("relationships.csv", out.getvalue().encode()))

    assert uploaded.status_code == 200, uploaded.content.decode()
    assert list(uploaded.context["upload"].counts) == ["relationships.csv"]
    assert not Relationship.objects.filter(source_url="").exists()
    assert client_as("city_staff").get("/sources/").context["unsourced_count"] == 0


@pytest.mark.django_db
def test_rows_that_refer_to_unknown_entities_are_still_refused_without_entities_csv(client_as):
    file = SimpleUploadedFile("relationships.csv", b"external_id,source,target,type\nr-1,nobody,no-one,advises\n")

    refused = upload(client_as("analyst"), file)

    assert refused.context["upload"].outcome == "refused" and not Relationship.objects.exists()
    assert "relationships.csv" in refused.content.decode() and "nobody" in refused.content.decode()


@pytest.mark.django_db
def test_the_api_lists_the_relationships_with_and_without_a_source(scored_without_some_sources, client_as):
    api = client_as("analyst")

    without = api.get("/api/relationships/", {"has_source": "false", "page_size": 500}).json()
    with_source = api.get("/api/relationships/", {"has_source": "true", "page_size": 500}).json()

    assert sorted(r["external_id"] for r in without["results"]) == sorted({scored_without_some_sources.external_id, "s-01", "c-06"})
    assert with_source["count"] == Relationship.objects.count() - 3
