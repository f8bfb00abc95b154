"""The sources page (which facts have no source, those behind public findings first), and a
relationship's page: recording one, correcting one, and what its page shows to each role."""
import csv
import html
import io
import re
from datetime import date, datetime
from datetime import timezone as dt_timezone

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conflicts.models import Flag
from relationships.models import Relationship
from scoring.services import recompute
from tests.form_helpers import assert_refused_on
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
    assert f"3 of {Relationship.objects.count()} relationships have no source URL: a reader cannot check them here" in page.content.decode()
    # all of them, behind a finding or not, on the relationships page (filtered, each to correct)
    assert 'href="/relationships/?has_source=false">list them all</a>' in page.content.decode()
    listed = client_as("city_staff").get("/relationships/", {"has_source": "false"}).context["table"].data
    assert {r.external_id for r in listed} == {scored_without_some_sources.external_id, "s-01", "c-06"}
    # the pair page says so where the fact is shown
    pair = client_as("city_staff").get("/closeness/lk-ob/lk-pd/").content.decode()
    assert '<span class="unsourced" title="No source given: this fact cannot be checked here">no source</span>' in pair
    # each listed fact links to its page; an analyst's list also to where its source is added
    assert '<a href="/relationships/s-01/">s-01</a>' in page.content.decode() and "add its source" not in page.content.decode()
    assert 'action="/relationships/s-01/source/"' in client_as("analyst").get("/sources/").content.decode()
    assert 'action="/relationships/s-01/source/"' not in page.content.decode()


@pytest.mark.django_db
def test_the_sources_page_says_every_relationship_has_a_source_when_every_one_does(lakeside, client_as):
    staff = client_as("city_staff")
    Relationship.objects.exclude(external_id="s-01").update(source_url="https://lakeside.example.net/facts")
    Relationship.objects.filter(external_id="s-01").update(source_url="")
    one = " ".join(staff.get("/sources/").content.decode().split())
    assert f"1 of {Relationship.objects.count()} relationships has no source URL: a reader cannot check it here" in one
    assert '<a href="/relationships/?has_source=false">list it</a>' in one

    Relationship.objects.update(source_url="https://lakeside.example.net/facts")
    page = " ".join(staff.get("/sources/").content.decode().split())
    assert f"Every one of the {Relationship.objects.count()} relationships has a source URL" in page
    assert "no source URL" not in page and "Download every relationship without a source" not in page


@pytest.mark.django_db
def test_an_analyst_gives_an_unsourced_fact_its_source_beside_it_on_the_sources_page(scored_without_some_sources, client_as):
    from audit.models import AuditEvent

    analyst = client_as("analyst")

    # with htmx: the row comes back with its source
    row = analyst.post("/relationships/s-01/source/", {"source_url": " https://lakeside.example.net/charter ", "list": "behind-flags"},
                       HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and '<tr id="unsourced-s-01">' in row.content.decode()
    assert 'href="https://lakeside.example.net/charter"' in row.content.decode() and "saved" in row.content.decode()
    assert Relationship.objects.get(external_id="s-01").source_url == "https://lakeside.example.net/charter"
    assert AuditEvent.objects.filter(object_key="s-01", action="update").exists()
    # without script: the page again, saying so; an empty or too long source is refused, nothing saved
    page = analyst.post("/relationships/c-06/source/", {"source_url": "https://lakeside.example.net/c-06", "list": "behind-flags"}, follow=True)
    assert page.redirect_chain[-1][0] == "/sources/#behind-flags" and "Saved the source of c-06." in page.content.decode()
    empty = analyst.post(f"/relationships/{scored_without_some_sources.external_id}/source/", {"source_url": "  "}, HTTP_HX_REQUEST="true")
    too_long = analyst.post(f"/relationships/{scored_without_some_sources.external_id}/source/", {"source_url": "x" * 1001}, follow=True)
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.content.decode() and "required" in empty.content.decode()
    assert "Not saved" in too_long.content.decode()
    assert Relationship.objects.get(pk=scored_without_some_sources.pk).source_url == ""
    assert client_as("city_staff").post("/relationships/s-01/source/", {"source_url": "https://x.example"}).status_code == 403


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


# --- A relationship's page, recording one and correcting one ------------------------------------

def relationship_post(**overrides):
    data = {"source": "x-a2", "type": "personal", "target": "x-b2", "start_date": "2024-05-01", "end_date": "", "amount": "",
            "analyst_score": "", "source_url": "https://news.example.org/friends", "notes": "", "external_id": ""}
    data.update(overrides)
    return data


@pytest.mark.django_db(transaction=True)
def test_an_analyst_records_a_relationship_and_the_pair_score_follows(lakeside_dir, client_as):
    from django.core.management import call_command
    from django.utils import timezone

    from audit.models import AuditEvent
    from entities.models import Entity
    from scoring.selectors import pair_for
    from tests.recompute_helpers import assert_incremental_gave_what_a_full_recompute_gives

    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    today = timezone.localdate()
    recompute(as_of=today)
    a, b = Entity.objects.get(external_id="x-a2"), Entity.objects.get(external_id="x-b2")
    before = pair_for(a, b)
    analyst = client_as("analyst")

    # from a person's page: the form comes with that person filled in
    assert 'href="/record/relationship/?source=x-a2"' in analyst.get("/entities/x-a2/").content.decode()
    assert 'value="x-a2"' in analyst.get("/record/relationship/?source=x-a2").content.decode()
    response = analyst.post("/record/relationship/", relationship_post(target="Example Person B2"), follow=True)

    assert response.status_code == 200
    recorded = Relationship.objects.get(source=a, target=b)
    assert re.fullmatch(r"r-web-[0-9a-f]{12}", recorded.external_id)
    assert (recorded.type, recorded.start_date, recorded.source_url) == ("personal", date(2024, 5, 1), "https://news.example.org/friends")
    assert response.redirect_chain[-1][0] == f"/relationships/{recorded.external_id}/"
    assert f"Recorded {recorded.external_id}" in response.content.decode()
    after = pair_for(a, b)
    assert after.score_tenths > (before.score_tenths if before else 0) and recorded.pk in after.relationship_ids
    assert_incremental_gave_what_a_full_recompute_gives(today)
    created = AuditEvent.objects.get(object_type="relationships.relationship", object_key=recorded.external_id)
    assert created.action == "create" and created.actor_id == response.wsgi_request.user.pk
    # its page: the pair and its score now, and who recorded it (the change history)
    page = analyst.get(f"/relationships/{recorded.external_id}/").content.decode()
    assert f"{after.score_tenths / 10:.1f}</span>" in page and "/closeness/x-a2/x-b2/" in page
    assert "Created relationships.relationship" in page


@pytest.mark.django_db
def test_a_relationship_with_the_id_new_has_its_page_and_the_old_form_address_leads_to_the_form_until_then(lakeside, client_as):
    analyst = client_as("analyst")
    assert analyst.get("/relationships/new/?source=lk-pd&target=lk-ob").url == "/record/relationship/?source=lk-pd&target=lk-ob"

    analyst.post("/record/relationship/", relationship_post(external_id="new"))

    page = analyst.get("/relationships/new/")
    assert page.status_code == 200 and "x-a2" in page.content.decode()
    assert analyst.get("/relationships/new/edit/").status_code == 200
    assert analyst.get("/relationships/nothing-here/").status_code == 404


@pytest.mark.django_db
def test_a_relationship_is_recorded_under_the_id_typed(lakeside, client_as):
    analyst = client_as("analyst")
    analyst.post("/record/relationship/", relationship_post(external_id=" k-77 "))

    assert Relationship.objects.get(external_id="k-77").target.external_id == "x-b2"
    # an id taken, or one a data set could not hold, is refused on its field
    for taken_or_bad, message in (("k-77", "already exists"), ("k 78", "")):
        refused = analyst.post("/record/relationship/", relationship_post(external_id=taken_or_bad))
        assert refused.status_code == 400 and refused.context["form"].errors["external_id"]
        assert message in " ".join(refused.context["form"].errors["external_id"])
    assert not Relationship.objects.filter(external_id="k 78").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "kept"), [("2,500", "2500.00"), (" 1,234,567.89 ", "1234567.89"), ("2500", "2500.00"), ("0.5", "0.50")])
def test_an_amount_is_recorded_as_people_write_it(lakeside, client_as, typed, kept):
    # a browser's number field refused "2,500"; the import reads it, and so does the form now
    client_as("analyst").post("/record/relationship/", relationship_post(type="contributes_to", amount=typed, external_id="c-web"))

    assert str(Relationship.objects.get(external_id="c-web").amount) == kept


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, words", [
    ({"type": ""}, "type", "required"),
    ({"target": "x-a2"}, "target", "the same entity 'x-a2'"),
    ({"target": "nobody-here"}, "target", "No entity 'nobody-here'"),
    ({"type": "funds", "amount": ""}, "amount", "required"),
    ({"start_date": "2025-01-01", "end_date": "2024-01-01"}, "end_date", "before"),
    ({"analyst_score": "11"}, "analyst_score", "10"),
    ({"analyst_score": "7,5"}, "analyst_score", "write decimals with a point"),
    ({"amount": "-5", "type": "contributes_to"}, "amount", ""),
    ({"start_date": "someday"}, "start_date", "valid date"),
    ({"type": "funds", "amount": "$2,500"}, "amount", "without its currency sign"),
    ({"type": "funds", "amount": "2500,50"}, "amount", "write decimals with a point"),
    ({"type": "funds", "amount": "1.500"}, "amount", "may be 1,500, with a point between thousands: write 1500 if so, or 1.5 if not"),
    ({"type": "funds", "amount": "1.500e0"}, "amount", "may be 1,500"),  # as read: 1.500
    ({"type": "funds", "amount": "2,500.505"}, "amount", "2 decimal places"),
])
def test_a_relationship_the_import_would_refuse_is_refused_on_its_field_and_nothing_is_saved(lakeside, client_as, overrides, field, words):
    count = Relationship.objects.count()

    refused = client_as("analyst").post("/record/relationship/", relationship_post(**overrides))

    assert_refused_on(refused, field, words, kept="https://news.example.org/friends")
    assert len(refused.context["form"].errors[field]) == 1  # an amount not read is not also "required for funds"
    assert Relationship.objects.count() == count


@pytest.mark.django_db
def test_an_end_not_in_the_tracker_is_offered_to_add_in_a_new_tab_and_the_form_keeps_what_was_typed(lakeside, client_as):
    from entities.models import Entity

    analyst = client_as("analyst")
    refused = analyst.post("/record/relationship/", relationship_post(source="Harbor Security Group", type="contributes_to", target="eo-c1",
                                                                      amount="2,500"))

    assert refused.status_code == 400
    page = refused.content.decode()
    assert ('<a href="/record/entity/?name=Harbor%20Security%20Group" target="_blank" rel="noopener">add it</a>' in page
            and "“Harbor Security Group” is not in the tracker yet" in page)
    assert 'value="Harbor Security Group"' in page and 'value="2,500"' in page  # kept as typed
    # the entity form takes the name; the relationship then goes through
    assert 'value="Harbor Security Group"' in analyst.get("/record/entity/?name=Harbor%20Security%20Group").content.decode()
    Entity.objects.create(external_id="harbor", name="Harbor Security Group", kind="business")
    assert analyst.post("/record/relationship/", relationship_post(source="Harbor Security Group", type="contributes_to", target="eo-c1",
                                                                   amount="2,500")).status_code == 302
    # a name two entities share, or an end that is there, is not offered to add
    Entity.objects.create(external_id="harbor-2", name="Harbor Security Group", kind="business")
    shared = analyst.post("/record/relationship/", relationship_post(source="Harbor Security Group", external_id="r-shared")).content.decode()
    assert "More than one entity is named" in shared and 'id="ends-to-add"' not in shared
    assert 'id="ends-to-add"' not in analyst.get("/record/relationship/").content.decode()
    # nor on a correction: an end typed there that names nobody is offered the same way
    relationship = analyst.post("/record/relationship/", relationship_post(external_id="r-fix"))
    fix = analyst.post("/relationships/r-fix/edit/", relationship_post(external_id="r-fix", target="Nobody Yet"))
    assert relationship.status_code == 302 and fix.status_code == 400 and "?name=Nobody%20Yet" in fix.content.decode()
    # a disclosure by someone not in the tracker yet, the same
    said = analyst.post("/relationships/r-fix/disclosures/new/", {"discloser": "Dana Whitfield Jr", "disclosed_on": "2026-01-05"})
    assert said.status_code == 400 and '?name=Dana%20Whitfield%20Jr" target="_blank"' in said.content.decode()


@pytest.mark.django_db
def test_an_analyst_corrects_a_relationship_and_its_id_stays(lakeside, client_as):
    from audit.models import AuditEvent

    s01 = Relationship.objects.get(external_id="s-01")
    analyst = client_as("analyst")
    form = analyst.get("/relationships/s-01/edit/")
    assert form.status_code == 200 and 'value="lk-ob"' in form.content.decode() and "id_external_id" not in form.content.decode()

    corrected = relationship_post(source="lk-ob", type="oversees", target="lk-pd", start_date="2018-03-01",
                                  source_url="https://lakeside.example.net/charter", notes="Charter, section 4.", external_id="other")
    response = analyst.post("/relationships/s-01/edit/", corrected, follow=True)

    assert response.redirect_chain[-1][0] == "/relationships/s-01/"
    s01.refresh_from_db()
    assert (s01.external_id, s01.source_url, s01.notes) == ("s-01", "https://lakeside.example.net/charter", "Charter, section 4.")
    assert not Relationship.objects.filter(external_id="other").exists()
    update = AuditEvent.objects.get(object_type="relationships.relationship", object_key="s-01", action="update")
    assert set(update.changes) == {"source_url", "notes"}
    page = response.content.decode()
    assert 'href="https://lakeside.example.net/charter"' in page and "Charter, section 4." in page
    # a source and notes change no score: the page does not promise an update
    assert [str(m) for m in response.context["messages"]] == ["Saved the corrections to s-01 (its source or notes: no score changes)."]
    # posting it unchanged writes nothing
    analyst.post("/relationships/s-01/edit/", corrected)
    assert AuditEvent.objects.filter(object_key="s-01", action="update").count() == 1
    # a corrected date does change the scores
    redated = analyst.post("/relationships/s-01/edit/", {**corrected, "start_date": "2018-04-01"}, follow=True)
    assert [str(m) for m in redated.context["messages"]][-1] == "Saved the corrections to s-01; the scores are being updated."


@pytest.mark.django_db
def test_recording_a_tie_that_reads_oddly_or_is_already_there_warns_and_saves_it(lakeside, client_as):
    analyst = client_as("analyst")
    s01 = Relationship.objects.get(external_id="s-01")

    # the department overseeing its board: most likely the wrong way round
    backwards = analyst.post("/record/relationship/", relationship_post(source="lk-pd", type="oversees", target="lk-ob", start_date="2018-03-01",
                                                                      external_id="backwards"), follow=True)
    # the same fact as s-01 under another id: both would count
    again = analyst.post("/record/relationship/", relationship_post(source="lk-ob", type="oversees", target="lk-pd", start_date="2018-03-01",
                                                                  end_date="", external_id="s-01-again"), follow=True)

    assert Relationship.objects.filter(external_id__in=["backwards", "s-01-again"]).count() == 2
    warned = [str(m) for m in backwards.context["messages"] if m.level_tag == "warning"]
    assert warned and all("backwards" in w or "wrong way" in w or "law enforcement" in w for w in warned), warned
    assert any(s01.external_id in str(m) for m in again.context["messages"] if m.level_tag == "warning")


@pytest.mark.django_db
def test_a_relationship_page_shows_its_flags_disclosures_and_source_to_each_role(lakeside, client_as):
    from relationships.models import Disclosure

    recompute(as_of=date(2026, 6, 30))
    flagged = Flag.objects.filter(evidence__isnull=False).order_by("pk").first()
    evidence = flagged.evidence.order_by("external_id").first()
    disclosure = Disclosure.objects.create(external_id="dc-page", discloser=evidence.source, relationship=evidence, disclosed_on=date(2026, 1, 5),
                                           statement="Disclosed to the board in writing.", source_url="https://lakeside.example.net/filings/9")

    staff = client_as("city_staff").get(f"/relationships/{evidence.external_id}/")
    analyst = client_as("analyst").get(f"/relationships/{evidence.external_id}/").content.decode()

    page = staff.content.decode()
    assert staff.status_code == 200
    assert f'href="/flags/{flagged.pk}/"' in page
    assert 'href="https://lakeside.example.net/filings/9"' in page and disclosure.discloser.name in page
    # a statement not agreed for publication: analysts read it, city staff do not
    assert "Disclosed to the board in writing." not in page and "Disclosed to the board in writing." in analyst
    assert "Correct this relationship" not in page and "Correct this relationship" in analyst
    Disclosure.objects.filter(pk=disclosure.pk).update(statement_public=True)
    assert "Disclosed to the board in writing." in client_as("city_staff").get(f"/relationships/{evidence.external_id}/").content.decode()
    # the pages that show it link to it
    assert f'href="/relationships/{evidence.external_id}/"' in client_as("city_staff").get(f"/flags/{flagged.pk}/").content.decode()
    a, b = sorted([evidence.source, evidence.target], key=lambda e: e.pk)
    assert f'href="/relationships/{evidence.external_id}/"' in client_as("city_staff").get(f"/closeness/{a.external_id}/{b.external_id}/").content.decode()


@pytest.mark.django_db
def test_a_relationship_without_a_source_says_so_and_a_missing_one_is_a_404(lakeside, client_as):
    Relationship.objects.filter(external_id="s-01").update(source_url="")

    page = client_as("city_staff").get("/relationships/s-01/").content.decode()

    assert "none given: this fact cannot be checked here" in page
    # when it came into the tracker, and when it last changed, for whoever relies on it
    Relationship.objects.filter(external_id="s-01").update(created_at=datetime(2026, 1, 5, 12, tzinfo=dt_timezone.utc),
                                                            updated_at=datetime(2026, 3, 9, 12, tzinfo=dt_timezone.utc))
    recorded = client_as("city_staff").get("/relationships/s-01/").content.decode()
    assert '<dd class="col-sm-9" id="relationship-recorded">since 2026-01-05, last changed 2026-03-09</dd>' in recorded
    # data can hold any text: only a web address becomes a link
    Relationship.objects.filter(external_id="s-01").update(source_url="javascript:alert(1)", notes="<script>alert(2)</script>")
    page = client_as("city_staff").get("/relationships/s-01/").content.decode()
    assert 'href="javascript' not in page and "javascript:alert(1)" in page
    assert "<script>alert(2)" not in page and "&lt;script&gt;alert(2)" in page
    assert client_as("city_staff").get("/relationships/no-such-fact/").status_code == 404
    assert client_as("analyst").get("/relationships/no-such-fact/edit/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city_staff", "board_member"])
def test_only_analysts_and_administrators_record_or_correct_relationships(lakeside, client_as, role):
    client = client_as(role)
    count = Relationship.objects.count()

    assert client.post("/record/relationship/", relationship_post()).status_code == 403
    assert client.post("/relationships/s-01/edit/", relationship_post(source="lk-ob", target="lk-pd")).status_code == 403
    assert Relationship.objects.count() == count and Relationship.objects.get(external_id="s-01").target.external_id == "lk-pd"
    assert "Record a relationship" not in client.get("/entities/x-a2/").content.decode()


def disclosure_post(**overrides):
    data = {"discloser": "", "disclosed_on": "2026-01-05", "statement": "Told the council before the vote.",
            "source_url": "https://lakeside.example.net/filings/12", "external_id": ""}
    data.update(overrides)
    return data


@pytest.mark.django_db(transaction=True)
def test_an_analyst_records_a_disclosure_and_the_flag_on_it_is_disclosed(lakeside_dir, client_as):
    from django.core.management import call_command
    from django.utils import timezone

    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    recompute(as_of=timezone.localdate())
    flag = next(f for f in Flag.objects.filter(disclosed=False, evidence__isnull=False).distinct().order_by("pk")
                if f.evidence.count() == 1 and not f.evidence.get().disclosures.exists())
    evidence, severity = flag.evidence.get(), flag.severity
    analyst = client_as("analyst")
    form = analyst.get(f"/relationships/{evidence.external_id}/disclosures/new/").content.decode()
    assert f'value="{evidence.source.external_id}"' in form  # its source, who usually discloses
    assert "id_statement_public" not in form  # an administrator's call

    response = analyst.post(f"/relationships/{evidence.external_id}/disclosures/new/",
                            disclosure_post(discloser=evidence.source.external_id), follow=True)

    disclosure = evidence.disclosures.get()
    assert re.fullmatch(r"d-web-[0-9a-f]{12}", disclosure.external_id) and not disclosure.statement_public
    assert response.redirect_chain[-1][0] == f"/relationships/{evidence.external_id}/#disclosures"
    flag.refresh_from_db()
    assert flag.disclosed and flag.severity != severity
    assert "Told the council before the vote." in response.content.decode()  # an analyst reads the statement
    assert f"Created relationships.disclosure {disclosure.external_id}" in response.content.decode()  # in its change history


@pytest.mark.django_db
def test_a_disclosure_is_refused_on_its_field_warned_of_when_dated_ahead_and_corrected_by_its_id(lakeside, client_as):
    from django.utils import timezone

    from relationships.models import Disclosure

    analyst = client_as("analyst")
    refused = analyst.post("/relationships/c-02/disclosures/new/", disclosure_post(discloser="nobody-here", disclosed_on="someday"))
    assert refused.status_code == 400 and set(refused.context["form"].errors) == {"discloser", "disclosed_on"}
    count = Disclosure.objects.count()
    assert Disclosure.objects.filter(relationship__external_id="c-02").count() == 1

    ahead = (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    warned = analyst.post("/relationships/c-02/disclosures/new/", disclosure_post(discloser="eo-c1", disclosed_on=ahead, external_id="dc-ahead"),
                          follow=True)
    assert Disclosure.objects.count() == count + 1
    assert any("after today" in str(m) for m in warned.context["messages"] if m.level_tag == "warning")

    corrected = analyst.post("/disclosures/dc-ahead/edit/", disclosure_post(discloser="eo-c1", disclosed_on="2026-02-01", external_id="other"),
                             follow=True)
    assert corrected.redirect_chain[-1][0] == "/relationships/c-02/#disclosures"
    assert str(Disclosure.objects.get(external_id="dc-ahead").disclosed_on) == "2026-02-01"
    assert not Disclosure.objects.filter(external_id="other").exists()
    # an administrator may also publish the statement
    admin_form = client_as("administrator").get("/disclosures/dc-ahead/edit/").content.decode()
    assert "id_statement_public" in admin_form
    client_as("administrator").post("/disclosures/dc-ahead/edit/", disclosure_post(discloser="eo-c1", disclosed_on="2026-02-01", statement_public="on"))
    assert Disclosure.objects.get(external_id="dc-ahead").statement_public
    for role in ("city_staff", "board_member"):
        assert client_as(role).post("/disclosures/dc-ahead/edit/", disclosure_post(discloser="eo-c2")).status_code == 403
        assert client_as(role).post("/relationships/c-02/disclosures/new/", disclosure_post(discloser="eo-c2")).status_code == 403
    assert Disclosure.objects.get(external_id="dc-ahead").discloser.external_id == "eo-c1"


# --- The relationships page -------------------------------------------------------------------

def listed_ids(page) -> list[str]:
    return [r.external_id for r in page.context["table"].page.object_list.data]


@pytest.mark.django_db
def test_the_relationships_page_filters_by_entity_type_dates_money_and_source(lakeside, client_as):
    from relationships.selectors import in_force_on

    staff = client_as("city_staff")
    every = staff.get("/relationships/")
    assert every.status_code == 200 and every.context["summary"]["count"] == Relationship.objects.count()
    # newest first, undated last
    starts = [r.start_date for r in every.context["table"].page.object_list.data]
    dated = [d for d in starts if d is not None]
    assert dated == sorted(dated, reverse=True) and starts[:len(dated)] == dated

    # an entity's page leads to its relationships here, to filter or download them
    assert 'href="/relationships/?entity=eo-c1">Filter or download them</a>' in staff.get("/entities/eo-c1/").content.decode()
    council = staff.get("/relationships/", {"entity": "eo-c1", "type": "contributes_to"})
    expected = Relationship.objects.filter(type="contributes_to").filter(source__external_id="eo-c1") | \
        Relationship.objects.filter(type="contributes_to", target__external_id="eo-c1")
    assert sorted(listed_ids(council)) == sorted(expected.values_list("external_id", flat=True)) != []
    total = sum(r.amount for r in expected)
    assert council.context["summary"]["amount"] == total and f"carrying {total:,.0f} in all" in council.content.decode()

    on_day = staff.get("/relationships/", {"in_force_on": "2020-01-01", "per_page": 500})
    assert sorted(listed_ids(on_day)) == sorted(in_force_on(Relationship.objects.all(), date(2020, 1, 1)).values_list("external_id", flat=True))
    # money of two kinds: each type's sum beside the whole
    money = staff.get("/relationships/", {"group": "money"})
    by_type = {row["type"]: row["amount"] for row in money.context["summary"]["by_type"]}
    assert set(by_type) == {"funds", "contributes_to"}
    assert by_type["funds"] == sum(r.amount for r in Relationship.objects.filter(type="funds"))
    assert sum(by_type.values()) == money.context["summary"]["amount"]
    assert council.context["summary"]["by_type"] == []  # one type: its sum is the whole
    big = staff.get("/relationships/", {"min_amount": "5000", "per_page": 500})
    assert sorted(listed_ids(big)) == sorted(Relationship.objects.filter(amount__gte=5000).values_list("external_id", flat=True))
    Relationship.objects.filter(external_id="s-01").update(source_url="")
    assert listed_ids(staff.get("/relationships/", {"has_source": "false"})) == ["s-01"]


@pytest.mark.django_db
def test_a_relationships_filter_it_cannot_read_lists_nothing_beside_its_message(lakeside, client_as):
    page = client_as("city_staff").get("/relationships/", {"entity": "nobody-here", "started_after": "someday", "has_source": "maybe"})

    assert page.status_code == 200 and listed_ids(page) == []
    assert "No entity's id or name is or holds 'nobody-here'" in html.unescape(page.content.decode())
    assert page.context["filter"].errors["started_after"]
    # a yes-or-no it cannot read is not "either" (which listed every row)
    assert page.context["filter"].errors["has_source"] == ["'maybe' is neither yes nor no: true or false (or 1/0, yes/no, on/off)."]


@pytest.mark.django_db
def test_the_relationships_download_is_in_the_contract_columns_and_imports_back_unchanged(lakeside, client_as):
    from interchange.format import RELATIONSHIPS

    download = client_as("city_staff").get("/relationships/", {"type": "contributes_to", "export": "csv"})
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))

    assert list(rows[0]) == list(RELATIONSHIPS.columns)
    assert sorted(r["external_id"] for r in rows) == sorted(Relationship.objects.filter(type="contributes_to").values_list("external_id", flat=True))
    before = {r.external_id: (r.amount, r.start_date, r.source_url) for r in Relationship.objects.all()}
    analyst = client_as("analyst")
    uploaded = upload(analyst, SimpleUploadedFile("relationships.csv", text.encode("utf-8")))
    assert uploaded.status_code == 200 and uploaded.context["upload"].counts["relationships.csv"]["unchanged"] == len(rows)
    assert {r.external_id: (r.amount, r.start_date, r.source_url) for r in Relationship.objects.all()} == before


@pytest.mark.django_db
def test_a_relationship_long_over_says_it_weighs_nothing_and_a_scored_one_that_it_counts(client_as):
    from tests.factories import RelationshipFactory

    old = RelationshipFactory(type="employed_by", start_date=date(2001, 1, 1), end_date=date(2004, 6, 30))
    current = RelationshipFactory(type="oversees", source__kind="oversight_body", start_date=date(2024, 1, 1))
    recompute(as_of=date(2026, 6, 30))
    staff = client_as("city_staff")

    over = staff.get(f"/relationships/{old.external_id}/")
    counted = staff.get(f"/relationships/{current.external_id}/")

    assert over.context["pair"] is None and "no score in the current scores" in over.content.decode()
    assert "so long ago that it weighs nothing" in over.content.decode()
    assert current.pk in counted.context["pair"].relationship_ids and "not part of" not in counted.content.decode()


def test_every_relationship_type_is_in_exactly_one_kind_of_fact():
    from relationships.types import TYPE_GROUPS, RelationshipType

    grouped = [t for _, types in TYPE_GROUPS.values() for t in types]
    assert sorted(grouped) == sorted(RelationshipType.values)


@pytest.mark.django_db
def test_the_relationships_page_and_the_api_list_a_kind_of_fact(lakeside, client_as):
    money = sorted(Relationship.objects.filter(type__in=["funds", "contributes_to"]).values_list("external_id", flat=True))

    page = client_as("city_staff").get("/relationships/", {"group": "money", "per_page": 500})
    api = client_as("city_staff").get("/api/relationships/", {"group": "money", "page_size": 500}).json()["results"]

    assert sorted(listed_ids(page)) == money != [] and sorted(r["external_id"] for r in api) == money


@pytest.mark.django_db
def test_the_relationships_recorded_or_corrected_lately_are_listed_whenever_they_began(lakeside, client_as):
    from datetime import timedelta

    from django.utils import timezone

    Relationship.objects.update(created_at=timezone.now() - timedelta(days=30))
    client_as("analyst").post("/record/relationship/", relationship_post(start_date="2011-05-01", external_id="old-news"))

    page = client_as("city_staff").get("/relationships/", {"recorded_since": (timezone.localdate() - timedelta(days=7)).isoformat()})
    api = client_as("city_staff").get("/api/relationships/", {"recorded_since": (timezone.localdate() - timedelta(days=7)).isoformat()}).json()

    assert listed_ids(page) == ["old-news"] and [r["external_id"] for r in api["results"]] == ["old-news"]

    # corrected since, though recorded before: listed as changed, not as recorded
    Relationship.objects.update(updated_at=timezone.now() - timedelta(days=30))
    corrected = Relationship.objects.exclude(external_id="old-news").order_by("external_id").first()
    corrected.notes = "checked against the filing"
    corrected.save()
    since = (timezone.localdate() - timedelta(days=7)).isoformat()

    page = client_as("city_staff").get("/relationships/", {"changed_since": since})
    api = client_as("city_staff").get("/api/relationships/", {"changed_since": since}).json()

    assert listed_ids(page) == [corrected.external_id] and [r["external_id"] for r in api["results"]] == [corrected.external_id]
    assert 'name="changed_since"' in page.content.decode()


@pytest.mark.django_db
def test_an_analyst_deletes_a_relationship_recorded_by_mistake_once_confirmed_unless_a_flag_or_a_disclosure_rests_on_it(client_as):
    from audit.models import AuditEvent
    from relationships.models import Disclosure
    from tests.factories import RelationshipFactory

    mistake = RelationshipFactory(external_id="twice-by-mistake")
    analyst = client_as("analyst")
    assert "Delete relationship" in analyst.get("/relationships/twice-by-mistake/edit/").content.decode()

    unconfirmed = analyst.post("/relationships/twice-by-mistake/delete/", follow=True)
    assert Relationship.objects.filter(pk=mistake.pk).exists() and "tick the box" in unconfirmed.content.decode()
    deleted = analyst.post("/relationships/twice-by-mistake/delete/", {"confirm": "yes"}, follow=True)
    assert not Relationship.objects.filter(pk=mistake.pk).exists()
    assert deleted.redirect_chain[-1][0] == "/relationships/" and "Deleted twice-by-mistake" in deleted.content.decode()
    assert AuditEvent.objects.get(object_key="twice-by-mistake", action="delete").actor_id == deleted.wsgi_request.user.pk

    cited, disclosed = RelationshipFactory(external_id="cited"), RelationshipFactory(external_id="disclosed")
    flag = Flag.objects.create(rule="PERSONAL_TIE", subject=cited.source, counterpart=cited.target, severity="medium", explanation="x",
                               first_raised_on=date(2026, 1, 1), last_evaluated_on=date(2026, 1, 1))
    flag.evidence.add(cited)
    Disclosure.objects.create(external_id="d-1", discloser=disclosed.source, relationship=disclosed, disclosed_on=date(2026, 1, 1))
    for external_id, why in (("cited", "a conflict-of-interest flag cites it"), ("disclosed", "someone disclosed it")):
        assert why in analyst.get(f"/relationships/{external_id}/edit/").content.decode()
        refused = analyst.post(f"/relationships/{external_id}/delete/", {"confirm": "yes"}, follow=True)
        assert Relationship.objects.filter(external_id=external_id).exists() and f"Not deleted: {why}" in refused.content.decode()
    assert client_as("city_staff").post("/relationships/cited/delete/", {"confirm": "yes"}).status_code == 403


@pytest.mark.django_db
def test_an_analyst_deletes_a_disclosure_recorded_on_the_wrong_relationship_unless_it_is_published(lakeside, client_as):
    from audit.models import AuditEvent
    from relationships.models import Disclosure

    analyst = client_as("analyst")
    analyst.post("/relationships/c-01/disclosures/new/", disclosure_post(discloser="eo-c1", external_id="dc-wrong"))
    assert "Delete disclosure" in analyst.get("/disclosures/dc-wrong/edit/").content.decode()

    assert analyst.post("/disclosures/dc-wrong/delete/").status_code == 302 and Disclosure.objects.filter(external_id="dc-wrong").exists()
    deleted = analyst.post("/disclosures/dc-wrong/delete/", {"confirm": "yes"}, follow=True)
    assert not Disclosure.objects.filter(external_id="dc-wrong").exists()
    assert deleted.redirect_chain[-1][0] == "/relationships/c-01/#disclosures" and "Deleted disclosure dc-wrong" in deleted.content.decode()
    assert AuditEvent.objects.filter(object_key="dc-wrong", action="delete").exists()

    Disclosure.objects.filter(external_id="dc-01").update(statement_public=True)
    refused = analyst.post("/disclosures/dc-01/delete/", {"confirm": "yes"}, follow=True)
    assert Disclosure.objects.filter(external_id="dc-01").exists() and "published on the disclosure register" in refused.content.decode()
    assert client_as("administrator").post("/disclosures/dc-01/delete/", {"confirm": "yes"}).status_code == 302
    assert not Disclosure.objects.filter(external_id="dc-01").exists()
    assert client_as("board_member").post("/disclosures/dc-02/delete/", {"confirm": "yes"}).status_code == 403


@pytest.mark.django_db
def test_the_relationships_page_lists_money_from_one_kind_of_entity_to_another(lakeside, client_as):
    asked = {"group": "money", "source_kind": "police_union", "target_kind": "elected_official", "per_page": 500}
    expected = sorted(Relationship.objects.filter(type__in=["funds", "contributes_to"], source__kind="police_union",
                                                  target__kind="elected_official").values_list("external_id", flat=True))

    page = client_as("city_staff").get("/relationships/", asked)
    api = client_as("city_staff").get("/api/relationships/", {**asked, "page_size": 500}).json()["results"]

    assert sorted(listed_ids(page)) == expected != [] and sorted(r["external_id"] for r in api) == expected


@pytest.mark.django_db
def test_the_relationships_of_a_jurisdiction_are_those_with_an_end_in_it(lakeside, client_as):
    from django.db.models import Q

    in_it = Q(source__jurisdiction__icontains="lake county") | Q(target__jurisdiction__icontains="lake county")
    expected = sorted(Relationship.objects.filter(in_it).values_list("external_id", flat=True))

    page = client_as("city_staff").get("/relationships/", {"jurisdiction": "Lake County", "per_page": 500})

    assert sorted(listed_ids(page)) == expected and 0 < len(expected) < Relationship.objects.count()


@pytest.mark.django_db
def test_the_page_asks_for_each_part_of_its_checks_on_its_own_and_each_part_shows_only_its_own(lakeside, client_as):
    from tests.factories import EntityFactory

    EntityFactory(external_id="lk-pd-2", name="Lakeside Police Dept.", kind="police_department", jurisdiction="City of Lakeside")
    staff = client_as("city_staff")
    page = staff.get("/sources/").content.decode()
    parts = {part: staff.get("/sources/", {"checks": part}, headers={"HX-Request": "true"}).content.decode()
             for part in ("ties", "meetings", "names")}
    all_at_once = staff.get("/sources/?checks=1", headers={"HX-Request": "true"}).content.decode()

    for part, shown in parts.items():
        assert f'hx-get="/sources/?checks={part}" hx-trigger="load" hx-swap="outerHTML"' in page
        assert shown.startswith(f'<div id="checks-{part}">') and "<html" not in shown and "hx-get" not in shown
        assert shown in all_at_once  # the same part, whether asked for alone or with the others
    assert "Ties that read oddly (0)" in parts["ties"] and "Entities that may be the same" not in parts["ties"]
    assert "Entities that may be the same (1)" in parts["names"] and "lk-pd-2" in parts["names"] and "Ties that read" not in parts["names"]
    assert "lk-pd-2" not in page  # the checks are not read for the page itself


@pytest.mark.django_db
def test_the_relationship_form_says_which_end_in_its_address_is_no_entity(lakeside, client_as):
    analyst = client_as("analyst")
    assert analyst.get("/record/relationship/", {"source": "lk-pd", "target": "lk-ob", "type": "oversees"}).context["not_read"] == []

    # an old link to an entity merged away since, and a mistyped parameter
    said = analyst.get("/record/relationship/", {"source": "lk-gone", "targt": "lk-ob", "type": "oversee"}).context["not_read"]
    assert said[0].startswith("From (id or name) ('source' in the address): ") and "lk-gone" in said[0]
    assert said[1].startswith("Type ('type' in the address): Select a valid choice. oversee") and said[1].endswith("Did you mean 'oversees'?")
    assert said[2] == "This form fills in nothing from 'targt' (in its address): did you mean 'target'?"
    # what was sent is judged by the form alone
    refused = analyst.post("/record/relationship/?source=lk-gone", relationship_post(source="lk-nobody"))
    assert refused.status_code == 400 and refused.context["not_read"] == []
