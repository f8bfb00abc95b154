"""The closeness list and the pair page (score, components, evidence, history)."""
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dashboard_helpers import scored_lakeside


@pytest.fixture
def scored(db, lakeside_dir):
    scored_lakeside(lakeside_dir)


@pytest.mark.django_db
def test_closeness_list_filters_by_band(scored, client_as):
    page = client_as("city_staff").get("/closeness/", {"band": "close"}).content.decode()

    assert "Lakeside Police Oversight Board" in page and "Lakeside Security Services" in page
    assert "FBI Lakeside Field Office" not in page


@pytest.mark.django_db
def test_the_closeness_list_downloads_what_the_export_says_of_the_pairs_listed(scored, client_as, tmp_path):
    import csv

    staff = client_as("city_staff")

    def downloaded(**asked) -> list[dict]:
        text = b"".join(staff.get("/closeness/", {"export": "csv", **asked}).streaming_content).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    call_command("export_dataset", str(tmp_path), stdout=io.StringIO())
    with open(tmp_path / "closeness.csv", newline="") as exported:
        # the contract's rows of the pairs the pages list (1.0 and over), without the reference date
        listed = [{k: v for k, v in row.items() if k != "as_of"} for row in csv.DictReader(exported) if float(row["score"]) >= 1.0]
    every = downloaded()
    key = lambda row: (row["entity_a"], row["entity_b"])  # noqa: E731
    assert len(every) == len(listed) > 20 and sorted(every, key=key) == sorted(listed, key=key)
    assert [float(row["score"]) for row in every] == sorted((float(row["score"]) for row in every), reverse=True)
    close = downloaded(band="close")
    assert close and close == [row for row in every if row["band"] == "close"]


@pytest.mark.django_db
def test_pair_page_explains_the_score(scored, client_as):
    page = client_as("city_staff").get("/closeness/lk-ob/lk-pd/").content.decode()

    assert "9.4" in page and "(close)" in page
    assert "<td>formal</td><td>8.0</td>" in page
    assert "<td>financial</td><td>9.3</td>" in page
    assert "s-01" in page and "f-01" in page  # the relationships behind it
    assert "Meetings behind the interaction component (26)" in page  # chair and chief, rolled up
    # 26 meetings saturate interaction; the freshness cap of the latest (13 days before) holds it at 9.9
    assert "<td>interaction</td><td>9.9</td>" in page
    assert "give an interaction of 10.0, capped at\n9.9 because the latest was on 2026-06-17" in page


@pytest.mark.django_db
def test_pair_page_shows_how_the_components_make_the_score(scored, client_as):
    """The weighted components, with the settings that scored the pair, give the score shown
    (or say it came from the unrounded components), and each meeting behind it links to its page."""
    page = client_as("city_staff").get("/closeness/lk-ob/lk-pd/").content.decode()
    formula = re.sub(r"\s+", " ", page.split('class="score-formula">')[1].split("</p>")[0])

    # formal 8.0, interaction 9.9, financial 9.3 with weights 0.6, 0.75, 0.6; analyst 0 left out
    assert "10 &times; (1 &minus; (1 &minus; 0.6 &times; 8.0/10) &times; (1 &minus; 0.75 &times; 9.9/10) &times; (1 &minus; 0.6 &times; 9.3/10)) = 9.4" in formula
    assert "analyst" not in formula and "before their rounding" not in formula
    from engagement.models import Meeting

    latest = Meeting.objects.get(date="2026-06-17", attendance__entity__external_id="p-chief", type="private_meeting")
    assert f'<a href="/meetings/{latest.pk}/">' in page


@pytest.mark.django_db
def test_the_components_as_shown_give_every_stored_score_within_a_tenth(scored):
    """The pair page's formula, from components rounded to one decimal, against every stored
    score of the lakeside: the engine's compiled pass and `combined_score` are the same formula."""
    from scoring.engine import ScoringParameters
    from scoring.models import PairScore
    from scoring.selectors import score_explained

    params = ScoringParameters()
    pairs = list(PairScore.objects.all())
    off = [(p.entity_a_id, p.entity_b_id, p.score, score_explained(p, params)["from_shown"]) for p in pairs
           if abs(score_explained(p, params)["from_shown"] - p.score) > 0.1 + 1e-9]
    assert len(pairs) > 300 and not off, off[:5]


@pytest.mark.django_db
def test_where_the_rounded_components_give_another_tenth_the_pair_page_says_why(scored, client_as):
    from scoring.engine import ScoringParameters
    from scoring.models import PairScore
    from scoring.selectors import score_explained

    differing = next(p for p in PairScore.objects.select_related("entity_a", "entity_b")
                     if f"{score_explained(p, ScoringParameters())['from_shown']:.1f}" != f"{p.score:.1f}")
    page = client_as("city_staff").get(f"/closeness/{differing.entity_a.external_id}/{differing.entity_b.external_id}/").content.decode()

    assert f"(the score, {differing.score:.1f}, is computed from the components before their rounding to one decimal)" in page


@pytest.mark.django_db
def test_pair_page_names_the_freshness_cap_where_it_binds_on_money(scored, client_as):
    # the sheriff's office paid the inspector general 30,000 until 2023-12-31, 2.5 years before
    page = client_as("city_staff").get("/closeness/lk-ig/lk-so/").content.decode()

    assert "<td>financial</td><td>4.2</td>" in page
    assert "give a financial component of 6.0, capped at\n4.2 by the freshness of the latest of them" in page
    assert "give a formal component" not in page  # the oversight mandate is in force: no cap


@pytest.mark.django_db
def test_pair_page_weighs_meetings_with_the_settings_that_scored_the_pair(scored, client_as):
    from scoring.models import ScoringSettings

    record = ScoringSettings.load()  # changed after the recompute, not yet run
    record.parameters = {**record.parameters, "meeting_type_weights": {**record.parameters["meeting_type_weights"], "private_meeting": 0.1}}
    record.save()
    from engagement.models import Meeting

    lunch = Meeting.objects.filter(attendance__entity__external_id="x-a1").filter(attendance__entity__external_id="x-b1").earliest("date")
    Meeting.objects.filter(pk=lunch.pk).update(source_url="https://lakeside.example.org/calendar/lunch")

    page = client_as("city_staff").get("/closeness/x-a1/x-b1/").content.decode()

    table = page.split("Meetings behind the interaction component")[1].split("</table>")[0]
    weights = [float(w) for w in re.findall(r"<td>(\d\.\d{3})</td>", table)]
    # five private lunches of two, weighed 1.0 x t (t 0.74 to 0.91) as scored, not 0.1 x t
    assert len(weights) == 5 and all(0.7 < w < 0.95 for w in weights), weights
    # each with where it can be checked: the lakeside example's meetings cite nothing, but for one
    assert table.count('<span class="unsourced" title="No source given: this fact cannot be checked here">no source</span>') == 4
    assert '<a href="https://lakeside.example.org/calendar/lunch" rel="noopener noreferrer nofollow">source</a>' in table
    assert 'id="pair-history"' in page


@pytest.mark.django_db
def test_pair_page_charts_history_across_recomputes(scored, client_as):
    call_command("recompute", "--as-of", "2025-06-30", stdout=io.StringIO())

    page = client_as("city_staff").get("/closeness/lk-pd/lk-ob/").content.decode()

    assert "2026-06-30" in page and "2025-06-30" in page


@pytest.mark.django_db
def test_the_chart_of_a_pair_unchanged_since_the_last_recompute_runs_to_its_date(scored, client_as):
    from scoring.models import ClosenessSnapshot, PairScore

    first = ClosenessSnapshot.objects.get()
    call_command("recompute", "--as-of", "2026-07-01", stdout=io.StringIO())
    unchanged = PairScore.objects.filter(valid_from=first).select_related("entity_a", "entity_b").order_by("-score_tenths").first()

    page = client_as("city_staff").get(f"/closeness/{unchanged.entity_a.external_id}/{unchanged.entity_b.external_id}/")

    chart = json.loads(page.content.decode().split('id="pair-history" type="application/json">')[1].split("</script>")[0])
    assert [p["as_of"] for p in chart] == ["2026-06-30", "2026-07-01"]
    assert chart[0]["score"] == chart[1]["score"] == unchanged.score_tenths / 10
    assert len(page.context["history"]) == 1  # the table lists changes only, with the components
    components = "".join(f"<td>{v:.1f}</td>" for v in unchanged.components.values())
    assert f"<td>2026-06-30</td><td>{unchanged.score:.1f}</td>{components}" in page.content.decode()


@pytest.mark.django_db
def test_a_history_line_names_the_relationships_a_recompute_added_and_removed(scored, client_as):
    """A version can differ from the one before only in its evidence (an old, ended tie adds
    nothing at one decimal to a saturated formal component): the line says which relationships
    came and went, so it does not read as a repeat of the line before."""
    from entities.models import Entity
    from relationships.models import Relationship

    ob, pd = Entity.objects.get(external_id="lk-ob"), Entity.objects.get(external_id="lk-pd")
    old_advice = Relationship.objects.create(external_id="old-advice", source=ob, target=pd, type="advises",
                                             start_date="2001-01-01", end_date="2001-12-31")
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    old_advice_id = old_advice.pk
    old_advice.delete()
    old_partnership = Relationship.objects.create(external_id="old-partnership", source=ob, target=pd, type="partners_with",
                                                  start_date="2002-01-01", end_date="2002-12-31")
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())

    page = client_as("city_staff").get("/closeness/lk-ob/lk-pd/")

    first, gained, swapped = page.context["history"]
    assert (first["score"], first["components"]) == (gained["score"], gained["components"]) == (swapped["score"], swapped["components"])
    assert (gained["evidence_added"], gained["evidence_removed"]) == ([old_advice_id], [])
    assert (swapped["evidence_added"], swapped["evidence_removed"]) == ([old_partnership.pk], [old_advice_id])
    html = page.content.decode()
    assert ('<span class="gained" title="Lakeside Police Oversight Board partners with Lakeside Police Department">'
            "+&nbsp;old-partnership (partners with)</span>") in html
    # a relationship deleted since is named by its id
    assert f"+&nbsp;relationship #{old_advice_id} (deleted since)" in html
    assert f"&minus;&nbsp;relationship #{old_advice_id} (deleted since)" in html
    api = client_as("city_staff").get("/api/closeness/lk-ob/lk-pd/history/").json()["history"]
    assert [v["evidence_removed"] for v in api] == [[], [], [old_advice_id]]


@pytest.mark.django_db
def test_pair_page_without_a_score_says_so(scored, client_as):
    page = client_as("city_staff").get("/closeness/x-old1/lk-pd/").content.decode()

    assert "No current score" in page


@pytest.mark.django_db
def test_closeness_pages_use_a_constant_number_of_queries(scored, client_as):
    client = client_as("city_staff")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/closeness/")
    small = len(ctx.captured_queries)
    call_command("recompute", "--as-of", "2025-06-30", stdout=io.StringIO())
    with CaptureQueriesContext(connection) as ctx:
        client.get("/closeness/")

    assert len(ctx.captured_queries) == small


@pytest.mark.django_db
def test_the_pair_page_lists_the_flags_raised_on_the_pair_either_way_round(scored, client_as):
    from conflicts.models import Flag

    flags = Flag.objects.filter(subject__external_id="lk-ob", counterpart__external_id="lk-pd")
    assert flags.exists()

    for a, b in (("lk-ob", "lk-pd"), ("lk-pd", "lk-ob")):
        page = client_as("city_staff").get(f"/closeness/{a}/{b}/")
        assert set(page.context["flags"]) == set(flags)
        assert all(f'href="/flags/{f.pk}/"' in page.content.decode() for f in flags)
    lapsed = flags.first()
    Flag.objects.filter(pk=lapsed.pk).update(holds=False)
    page = client_as("city_staff").get("/closeness/lk-ob/lk-pd/").content.decode()
    assert "its situation no longer holds" in page
    # a pair with no flag has no such section
    assert "Conflict-of-interest flags on this pair" not in client_as("city_staff").get("/closeness/lk-fbi/lk-pd/").content.decode()


@pytest.mark.django_db
def test_the_pair_page_says_how_many_meetings_it_lists_and_downloads_them_all(scored, client_as, monkeypatch):
    """A pair of a board and a department may share hundreds of meetings; the page lists the
    latest, and said nothing of the others but their count."""
    import csv

    import scoring.views

    staff = client_as("city_staff")
    everything = staff.get("/closeness/lk-ob/lk-pd/").context["meetings"]
    monkeypatch.setattr(scoring.views, "PAIR_MEETINGS_SHOWN", 2)

    page = staff.get("/closeness/lk-ob/lk-pd/")
    download = staff.get("/closeness/lk-ob/lk-pd/", {"export": "meetings"})
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))

    assert len(everything) > 2
    assert f"The 2 latest of {len(everything)} are listed." in page.content.decode()
    assert f'<a href="?export=meetings">Download all {len(everything)} with their weights (CSV)</a>' in page.content.decode()
    assert download["Content-Disposition"] == 'attachment; filename="meetings-lk-ob-lk-pd.csv"'
    assert [(r["meeting"], r["date"], r["weight"]) for r in rows] == [(m.external_id, str(m.date), f"{w:.3f}") for m, w in everything]
    assert list(rows[0]) == ["meeting", "date", "type", "title", "weight", "source_url"]
