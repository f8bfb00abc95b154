"""The entity directory and entity pages."""
import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dashboard_helpers import scored_lakeside
from tests.factories import EntityFactory
from tests.form_helpers import assert_refused_on


@pytest.fixture
def scored(db, lakeside_dir):
    scored_lakeside(lakeside_dir)


@pytest.mark.django_db
def test_directory_filters_by_kind_and_band(scored, client_as):
    client = client_as("city_staff")

    response = client.get("/entities/", {"kind": "oversight_body", "band": "close"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Lakeside Police Oversight Board" in page
    assert "Lake County Inspector General" not in page  # an overseer, but not close to anyone


@pytest.mark.django_db
def test_sorting_by_closest_score_puts_entities_without_a_score_last_both_ways(scored, client_as):
    EntityFactory(external_id="z-unscored", name="Unscored Person", kind="person")

    def scores(sort):
        table = client_as("city_staff").get("/entities/", {"sort": sort, "per_page": 500}).context["table"]
        return [row.record.closest_tenths for row in table.rows]

    closest_first, least_close_first = scores("closest_tenths"), scores("-closest_tenths")
    for listed in (closest_first, least_close_first):
        scored_part = [t for t in listed if t is not None]
        assert scored_part and None in listed and listed[: len(scored_part)] == scored_part  # the unscored at the end
    assert [t for t in closest_first if t is not None] == sorted((t for t in closest_first if t is not None), reverse=True)
    assert [t for t in least_close_first if t is not None] == sorted(t for t in least_close_first if t is not None)


@pytest.mark.django_db
def test_each_page_of_the_directory_shows_its_rows_closest_scores_read_for_that_page_alone(scored, client_as):
    # scored for the page's rows only (annotated in the page's query, PostgreSQL scored every row
    # the OFFSET skipped), and the rows read once
    from entities.models import Entity
    from scoring.selectors import with_closest_score

    expected = dict(with_closest_score(Entity.objects.all()).values_list("external_id", "closest_tenths"))
    client = client_as("city_staff")
    seen = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/entities/", {"per_page": 10, "page": page})
        rows = [row.record for row in response.context["table"].page.object_list]
        html = response.content.decode()
        assert [e.closest_tenths for e in rows] == [expected[e.external_id] for e in rows]
        assert sum("entities_entity" in q["sql"] and "LIMIT 10" in q["sql"] for q in ctx.captured_queries) == 1
        for e in rows:
            if e.closest_tenths is not None:
                assert re.search(rf'class="band-\w+">{e.closest_tenths / 10:.1f}</span>', html)
        seen += rows
    assert any(e.closest_tenths is not None for e in seen) and any(e.closest_tenths is None for e in seen)


@pytest.mark.django_db
def test_directory_search_finds_by_name(scored, client_as):
    page = client_as("city_staff").get("/entities/", {"q": "inspector"}).content.decode()

    assert "Lake County Inspector General" in page
    assert "Lakeside Police Department" not in page


@pytest.mark.django_db
def test_find_an_entity_goes_to_the_one_typed_or_searches_the_directory(client_as):
    board = EntityFactory(external_id="rv-board", name="Civilian Review Board")
    EntityFactory(external_id="p-1", name="Alex Kim", kind="person")
    EntityFactory(external_id="p-2", name="Alex Kim", kind="person")
    client = client_as("city_staff")

    assert client.get("/find/", {"q": "rv-board"})["Location"] == "/entities/rv-board/"  # its id
    assert client.get("/find/", {"q": " civilian review BOARD "})["Location"] == "/entities/rv-board/"  # a name only it has
    assert client.get("/find/", {"q": "Alex Kim"})["Location"] == "/entities/?q=Alex+Kim"  # two people share it: choose
    assert client.get("/find/", {"q": "review"})["Location"] == "/entities/?q=review"  # part of a name
    assert client.get("/find/", {"q": "  "})["Location"] == "/entities/"
    listed = client.get("/entities/", {"q": "review"}).content.decode()
    assert f'href="/entities/{board.external_id}/"' in listed
    # the box is on every page of a signed-in role, beside the title
    assert 'action="/find/"' in client.get("/meetings/").content.decode()


@pytest.mark.django_db
def test_a_name_found_nowhere_is_offered_to_add_to_those_who_add_entities(client_as):
    EntityFactory(external_id="rv-board", name="Civilian Review Board")
    analyst = client_as("analyst")
    assert analyst.get("/find/", {"q": "Acme Towing"})["Location"] == "/entities/?q=Acme+Towing"
    offered = analyst.get("/entities/", {"q": " Acme Towing "}).content.decode()
    assert '<a href="/record/entity/?name=Acme%20Towing">add “Acme Towing” as an entity</a>' in offered
    # typed in the directory's own box (htmx asks for the table alone): the offer comes with it
    assert 'id="add-named"' in analyst.get("/entities/", {"q": "Acme Towing"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="add-named"' not in analyst.get("/entities/", {"q": "review"}).content.decode()  # found
    assert 'id="add-named"' not in analyst.get("/entities/").content.decode()
    assert 'id="add-named"' not in client_as("city_staff").get("/entities/", {"q": "Acme Towing"}).content.decode()


@pytest.mark.django_db
def test_directory_exports_the_filtered_rows_as_spreadsheet_safe_csv(scored, client_as):
    EntityFactory(external_id="evil", name="=HYPERLINK(\"http://x\")", kind="person")

    response = client_as("city_staff").get("/entities/", {"q": "HYPERLINK", "export": "csv"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["external_id", "name", "kind"]
    assert rows[1][:2] == ["evil", "'=HYPERLINK(\"http://x\")"]


@pytest.mark.django_db
def test_namesakes_are_listed_and_downloaded_by_id(client_as):
    ids = [f"person-{n:02d}" for n in range(30)]
    for external_id in reversed(ids):  # stored in an order other than the ids'
        EntityFactory(external_id=external_id, name="Jordan Smith", kind="person")
    client = client_as("city_staff")

    response = client.get("/entities/", {"q": "Jordan Smith", "export": "csv"})
    downloaded = [row[0] for row in csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))][1:]
    pages = [row.record.external_id for number in (1, 2) for row in client.get("/entities/", {"q": "Jordan Smith", "page": number}).context["table"].page.object_list]

    assert downloaded == ids
    assert pages == ids


@pytest.mark.django_db
def test_entity_page_shows_closest_counterparts_flags_people_and_timeline(scored, client_as):
    page = client_as("city_staff").get("/entities/lk-pd/").content.decode()

    assert "Closest counterparts" in page
    assert "Lakeside Police Oversight Board" in page and "9.4" in page
    assert ">Funding dependence</a> (high, Open)" in page  # its flags, each rule named in words
    assert "Chief Morgan Hill" in page  # leads the department
    assert "East District" in page  # its unit
    assert "https://lakeside.example.net/records/s-01" in page  # provenance
    assert "180,000" in page and "180000" not in page  # f-01's amount, as people read money


@pytest.mark.django_db
def test_an_entitys_closest_counterparts_say_which_are_its_own_body_or_its_people(scored, client_as):
    client = client_as("city_staff")

    def counterparts(external_id):
        return {other.external_id: own for other, _, own in client.get(f"/entities/{external_id}/").context["closest"]}

    department = counterparts("lk-pd")
    # the chief leads it (and is employed by it: the head is said); a former officer is no longer its own
    assert department["p-chief"] == "its head"
    assert department["lk-ob"] is None and department.get("p-exoff") is None
    assert counterparts("p-chief")["lk-pd"] == "the body they lead"
    # a unit and its body (not always a listed pair: no evidence of their own joins them)
    from datetime import date

    from entities.models import Entity
    from scoring.selectors import own_body_counterparts

    east, pd = Entity.objects.get(external_id="lk-pd-east"), Entity.objects.get(external_id="lk-pd")
    assert own_body_counterparts(east, date(2026, 6, 30))[pd.pk] == "the body it is part of"
    assert own_body_counterparts(pd, date(2026, 6, 30))[east.pk] == "one of its units"
    assert "Chief Morgan Hill</a> <span class=\"text-body-secondary\">(its head)</span>" in client.get("/entities/lk-pd/").content.decode()


@pytest.mark.django_db
def test_unknown_entity_is_404(scored, client_as):
    assert client_as("city_staff").get("/entities/nobody/").status_code == 404


@pytest.mark.django_db
def test_an_entity_with_the_id_new_has_its_page_and_the_old_form_address_leads_to_the_form_until_then(client_as):
    # the contract allows the id "new"; the form to add an entity was at /entities/new/ and hid it
    analyst = client_as("analyst")
    assert analyst.get("/entities/new/?parent=lk-pd").url == "/record/entity/?parent=lk-pd"
    assert analyst.get("/record/entity/").status_code == 200

    EntityFactory(external_id="new", name="New Horizons Coalition")

    page = analyst.get("/entities/new/")
    assert page.status_code == 200 and "New Horizons Coalition" in page.content.decode()
    assert analyst.get("/entities/new/edit/").status_code == 200


@pytest.mark.django_db
def test_directory_and_entity_pages_use_a_constant_number_of_queries(scored, client_as):
    client = client_as("city_staff")

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = (queries("/entities/"), queries("/entities/lk-pd/"))
    for i in range(60):
        EntityFactory(external_id=f"extra-{i}", kind="person")
    after = (queries("/entities/"), queries("/entities/lk-pd/"))

    assert after == before


@pytest.mark.django_db
def test_an_organisations_page_lists_its_people_now_the_head_first(scored, client_as):
    """What each person is to it (head, member, staff) and since when; those who left are in the
    timeline, not here."""
    page = client_as("city_staff").get("/entities/lk-pd/").content.decode()
    people = page[page.index("<h2>People</h2>"):page.index("<h2>Relationships (timeline)</h2>")]

    items = re.findall(r">([^<]+)</a> (\([^)]*\))</li>", people)
    assert items[0] == ("Chief Morgan Hill", "(head, since 2021-04-01)")
    items = [role for _, role in items]
    assert "(staff, since 2001-08-01)" in items and "(staff, since 2012-05-01)" in items
    assert len(items) == 3  # the chief twice (heads it, works there) and the officer; three have left
    assert "is employed by since" not in people


@pytest.mark.django_db
def test_an_administrator_merges_a_duplicate_from_the_sources_page(client_as):
    from entities.models import Entity

    keep = EntityFactory(external_id="x-1", name="Harlan County Sheriff's Office", kind="sheriffs_office")
    twin = EntityFactory(external_id="x-2", name="Harlan County Sheriffs Office", kind="sheriffs_office")
    admin = client_as("administrator")

    sources = admin.get("/sources/?checks=1").content.decode()
    assert 'href="/entities/x-2/merge/?into=x-1"' in sources and "merge x-1 into x-2" in sources
    plan = admin.get("/entities/x-2/merge/", {"into": "x-1"})
    assert plan.status_code == 200 and 'id="merge-plan"' in plan.content.decode()

    done = admin.post("/entities/x-2/merge/", {"into": "x-1"}, follow=True)

    assert done.redirect_chain[-1][0] == "/entities/x-1/"
    assert "Harlan County Sheriffs Office (x-2) merged into this entity" in done.content.decode()
    assert list(Entity.objects.values_list("external_id", flat=True)) == [keep.external_id]
    assert twin.pk not in Entity.objects.values_list("pk", flat=True)
    EntityFactory(external_id="x-3", name="Harlan County Sheriff’s Office", kind="sheriffs_office")
    assert "/merge/" not in client_as("analyst").get("/sources/?checks=1").content.decode()  # administrators merge


@pytest.mark.django_db
def test_a_merge_that_cannot_be_says_why_and_offers_no_button(client_as):
    person, department = EntityFactory(external_id="p-1", kind="person"), EntityFactory(external_id="d-1", kind="police_department")
    admin = client_as("administrator")

    page = admin.get("/entities/p-1/merge/", {"into": "d-1"}).content.decode()
    refused = admin.post("/entities/p-1/merge/", {"into": "d-1"}, follow=True).content.decode()

    assert "cannot be merged" in page and "Merge and delete" not in page
    assert "only entities of one kind are merged" in refused
    assert client_as("analyst").post("/entities/p-1/merge/", {"into": "d-1"}).status_code == 403
    from entities.models import Entity

    assert {person.pk, department.pk} <= set(Entity.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_merge_page_warns_of_facts_stated_twice(client_as):
    from datetime import date

    from tests.factories import RelationshipFactory

    department = EntityFactory(external_id="d-9", kind="police_department")
    keep, twin = EntityFactory(external_id="p-8", kind="person"), EntityFactory(external_id="p-9", kind="person")
    for ext, person in (("r-8", keep), ("r-9", twin)):
        RelationshipFactory(external_id=ext, source=person, target=department, type="employed_by", start_date=date(2001, 8, 1))

    page = client_as("administrator").get("/entities/p-9/merge/", {"into": "p-8"}).content.decode()

    assert 'id="repeated-facts"' in page and "<code>r-8</code> and <code>r-9</code>" in page


@pytest.mark.django_db
def test_an_entity_page_follows_and_stops_following(scored, client_as):
    staff = client_as("city_staff")
    page = staff.get("/entities/lk-pd/").content.decode()
    assert ">Follow</button>" in page

    followed = staff.post("/entities/lk-pd/follow/", follow=True)

    assert followed.redirect_chain[-1][0] == "/entities/lk-pd/" and "You follow Lakeside Police Department." in followed.content.decode()
    assert "Stop following</button>" in followed.content.decode()
    # back to the page asked for, when it is this site's; elsewhere is ignored
    stopped = staff.post("/entities/lk-pd/follow/", {"following": "0", "next": "/following/"})
    assert stopped.status_code == 302 and stopped["Location"] == "/following/"
    assert staff.post("/entities/lk-pd/follow/", {"next": "https://evil.example/"})["Location"] == "/entities/lk-pd/"
    assert staff.get("/entities/lk-pd/follow/").status_code == 405
    assert staff.post("/entities/nobody/follow/").status_code == 404


@pytest.mark.django_db
def test_an_administrator_undoes_a_merge_from_the_kept_entitys_page(client_as):
    from entities.models import Entity
    from tests.factories import RelationshipFactory

    EntityFactory(external_id="x-1", name="Harlan County Sheriff's Office", kind="sheriffs_office")
    twin = EntityFactory(external_id="x-2", name="Harlan County Sheriffs Office", kind="sheriffs_office")
    RelationshipFactory(external_id="r-twin", source=twin)
    admin = client_as("administrator")
    merged = admin.post("/entities/x-2/merge/", {"into": "x-1"}, follow=True).content.decode()
    assert 'id="merged-in"' in merged and "undo this merge" in merged

    # an old link to the twin leads to the entity kept, and says why
    old_link = client_as("city_staff").get("/entities/x-2/", follow=True)  # (the same client, signed in again)
    assert old_link.redirect_chain[-1][0] == "/entities/x-1/" and "x-2 was merged into Harlan County Sheriff&#x27;s Office (x-1)" in old_link.content.decode()
    assert "undo this merge" not in old_link.content.decode()  # administrators undo
    undo_url = re.search(r'href="(/entities/x-1/merges/\d+/undo/)"', merged).group(1)
    assert client_as("analyst").post(undo_url).status_code == 403
    assert f'href="{undo_url}">undo</a>' not in client_as("city_staff").get("/sources/?checks=1").content.decode()
    admin = client_as("administrator")
    assert f'href="{undo_url}">undo</a>' in admin.get("/sources/?checks=1").content.decode()
    plan = admin.get(undo_url).content.decode()
    assert 'id="undo-plan"' in plan and "Undo the merge and put back x-2" in plan

    done = admin.post(undo_url, follow=True)

    assert done.redirect_chain[-1][0] == "/entities/x-2/"
    assert "The merge into Harlan County Sheriff&#x27;s Office is undone: Harlan County Sheriffs Office (x-2) is back, with 1 relationship." in done.content.decode()
    back = Entity.objects.get(external_id="x-2")
    assert back.relationships_out.get().external_id == "r-twin" and back.pk == twin.pk  # under its old id, with its pairs' history
    again = admin.get(undo_url).content.decode()
    assert "This merge was undone on" in again and "Undo the merge and put back" not in again
    assert "undone on" in admin.get("/entities/x-1/").content.decode()
    # the Sources page lists the latest merges, with their undo for administrators
    sources = admin.get("/sources/?checks=1").content.decode()
    assert 'id="recent-merges"' in sources and "<code>x-2</code> (Harlan County Sheriffs Office) into" in sources and ", undone on" in sources
    assert client_as("city_staff").get("/entities/no-such-id/").status_code == 404


# --- Adding and correcting an entity on its page ------------------------------------------------

def entity_post(**overrides):
    data = {"name": "Harbor Watch Coalition", "kind": "community_group", "jurisdiction": "City of Lakeside", "parent": "",
            "website": "https://harborwatch.example.org", "description": "", "external_id": ""}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_analyst_adds_an_entity_under_an_id_made_from_its_name(lakeside, client_as):
    from audit.models import AuditEvent
    from entities.models import Entity

    analyst = client_as("analyst")
    assert 'href="/record/entity/"' in analyst.get("/entities/").content.decode()

    response = analyst.post("/record/entity/", entity_post(), follow=True)

    added = Entity.objects.get(name="Harbor Watch Coalition")
    assert re.fullmatch(r"e-harbor-watch-coalition-[0-9a-f]{6}", added.external_id)
    assert (added.kind, added.category, added.website) == ("community_group", "community", "https://harborwatch.example.org")
    assert response.redirect_chain[-1][0] == f"/entities/{added.external_id}/"
    assert "Added Harbor Watch Coalition" in response.content.decode()
    assert AuditEvent.objects.get(object_type="entities.entity", object_key=added.external_id).actor_id == response.wsgi_request.user.pk
    # a person's made-up id starts as the meeting form's do; a typed one is kept
    analyst.post("/record/entity/", entity_post(name="Dana Okafor", kind="person", website=""))
    assert Entity.objects.get(name="Dana Okafor").external_id.startswith("p-dana-okafor-")
    analyst.post("/record/entity/", entity_post(name="Harbor Precinct", kind="police_department", parent="lk-pd", external_id="lk-pd-harbor"))
    assert Entity.objects.get(external_id="lk-pd-harbor").parent.external_id == "lk-pd"


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, words", [
    ({"name": "  "}, "name", "required"),
    ({"kind": "sheriff"}, "kind", "valid choice"),
    ({"external_id": "lk-pd"}, "external_id", "already exists"),
    ({"external_id": "harbor watch"}, "external_id", ""),
    ({"parent": "nobody-here"}, "parent", "No entity 'nobody-here'"),
])
def test_an_entity_the_import_would_refuse_is_refused_on_its_field_and_nothing_is_saved(lakeside, client_as, overrides, field, words):
    from entities.models import Entity

    count = Entity.objects.count()

    refused = client_as("analyst").post("/record/entity/", entity_post(**overrides))

    assert_refused_on(refused, field, words, kept="https://harborwatch.example.org")
    assert Entity.objects.count() == count


@pytest.mark.django_db
def test_an_analyst_corrects_an_entity_and_its_id_stays(lakeside, client_as):
    from audit.models import AuditEvent
    from entities.models import Entity

    analyst = client_as("analyst")
    east = analyst.get("/entities/lk-pd-east/edit/").content.decode()
    assert 'value="lk-pd"' in east and "id_external_id" not in east
    assert 'href="/entities/lk-pd-east/edit/"' in analyst.get("/entities/lk-pd-east/").content.decode()

    response = analyst.post("/entities/lk-pd-east/edit/", entity_post(name="East District Station", kind="police_department", parent="lk-pd",
                                                                      jurisdiction="City of Lakeside", website="", external_id="other"), follow=True)

    assert response.redirect_chain[-1][0] == "/entities/lk-pd-east/"
    east = Entity.objects.get(external_id="lk-pd-east")
    assert (east.name, east.parent.external_id) == ("East District Station", "lk-pd")
    assert not Entity.objects.filter(external_id="other").exists()
    assert set(AuditEvent.objects.get(object_key="lk-pd-east", action="update").changes) == {"name"}
    # its own unit, or a unit of its own unit, is refused
    itself = analyst.post("/entities/lk-pd/edit/", entity_post(name="Lakeside Police Department", kind="police_department", parent="lk-pd"))
    loop = analyst.post("/entities/lk-pd/edit/", entity_post(name="Lakeside Police Department", kind="police_department", parent="lk-pd-east"))
    assert itself.status_code == loop.status_code == 400 and "parent" in itself.context["form"].errors and "parent" in loop.context["form"].errors
    assert Entity.objects.get(external_id="lk-pd").parent is None


@pytest.mark.django_db
def test_adding_an_entity_already_there_under_another_id_warns_and_saves_it(lakeside, client_as):
    from entities.models import Entity

    response = client_as("analyst").post("/record/entity/", entity_post(name="Lakeside Police Dept.", kind="police_department"), follow=True)

    assert Entity.objects.filter(name="Lakeside Police Dept.").exists()
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert any("lk-pd" in w and "merge" in w for w in warnings), warnings
    # a person as a parent unit: the contract allows it, so it is saved with why it reads oddly
    under_a_person = client_as("analyst").post("/record/entity/", entity_post(name="Chief's office", kind="police_department", parent="p-chief"),
                                               follow=True)
    assert Entity.objects.get(name="Chief's office").parent.external_id == "p-chief"
    assert any("person" in str(m) for m in under_a_person.context["messages"] if m.level_tag == "warning")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city_staff", "board_member"])
def test_only_analysts_and_administrators_add_or_correct_entities(lakeside, client_as, role):
    from entities.models import Entity

    client = client_as(role)
    count = Entity.objects.count()

    assert client.post("/record/entity/", entity_post()).status_code == 403
    assert client.post("/entities/lk-pd/edit/", entity_post(name="Renamed", kind="police_department")).status_code == 403
    assert Entity.objects.count() == count and Entity.objects.get(external_id="lk-pd").name == "Lakeside Police Department"
    assert "Correct this entity" not in client.get("/entities/lk-pd/").content.decode()
    assert "Add an entity" not in client.get("/entities/").content.decode()


@pytest.mark.django_db
def test_an_entitys_page_lists_the_disclosures_it_made(lakeside, client_as):
    from relationships.models import Disclosure

    made = Disclosure.objects.filter(discloser__external_id="eo-c1").order_by("-disclosed_on")
    Disclosure.objects.filter(pk=made[0].pk).update(source_url="https://lakeside.example.org/ethics/3")

    page = client_as("city_staff").get("/entities/eo-c1/").content.decode()

    assert made.exists() and "Disclosures it made" in page
    for disclosure in made:
        assert f'href="/relationships/{disclosure.relationship.external_id}/"' in page
    assert f'<a href="https://lakeside.example.org/ethics/3" rel="noopener noreferrer nofollow">{made[0].disclosed_on}</a>' in page
    assert "Disclosures it made" not in client_as("city_staff").get("/entities/lk-pd/").content.decode()


@pytest.mark.django_db
def test_an_analyst_deletes_an_entity_added_by_mistake_once_confirmed_when_nothing_refers_to_it(lakeside, client_as):
    from audit.models import AuditEvent
    from entities.models import Entity

    analyst = client_as("analyst")
    analyst.post("/record/entity/", entity_post(external_id="typo-group"))
    assert "Delete entity" in analyst.get("/entities/typo-group/edit/").content.decode()

    assert analyst.post("/entities/typo-group/delete/").status_code == 302 and Entity.objects.filter(external_id="typo-group").exists()
    deleted = analyst.post("/entities/typo-group/delete/", {"confirm": "yes"}, follow=True)
    assert not Entity.objects.filter(external_id="typo-group").exists()
    assert deleted.redirect_chain[-1][0] == "/entities/" and "Deleted Harbor Watch Coalition (typo-group)" in deleted.content.decode()
    assert AuditEvent.objects.filter(object_key="typo-group", action="delete").exists()

    # an entity with evidence, or with units, stays, saying why
    for external_id, what in (("lk-pd", "relationships"), ("lk-pd-east", "")):
        page = analyst.get(f"/entities/{external_id}/edit/").content.decode()
        assert "It cannot be deleted" in page and what in page
        refused = analyst.post(f"/entities/{external_id}/delete/", {"confirm": "yes"}, follow=True)
        assert Entity.objects.filter(external_id=external_id).exists() and "Not deleted" in refused.content.decode()
    assert client_as("board_member").post("/entities/lk-pd/delete/", {"confirm": "yes"}).status_code == 403


@pytest.mark.django_db
def test_the_entity_form_says_what_in_its_address_it_could_not_fill_in(client_as):
    analyst = client_as("analyst")
    page = analyst.get("/record/entity/", {"name": "Riverside Tenants Union", "kind": "community_group"})
    assert page.context["form"].initial == {"name": "Riverside Tenants Union", "kind": "community_group"} and not page.context["not_read"]

    page = analyst.get("/record/entity/", {"name": "Riverside Tenants Union", "kind": "tenants", "nme": "x"})
    said = page.context["not_read"]
    assert len(said) == 2
    assert said[0].startswith("Kind ('kind' in the address): Select a valid choice. tenants is not one of the available choices.")
    assert said[1] == "This form fills in nothing from 'nme' (in its address): did you mean 'name'?"
    assert "tenants is not one of the available choices" in page.content.decode()
