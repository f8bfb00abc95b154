"""Coverage, recusal guidance and the public disclosure register, on real data."""
import csv
import html
import io
from datetime import date

import pytest
from django.test import Client

from engagement.models import EngagementSettings
from scoring.services import recompute
from tests.factories import AttendanceFactory, DisclosureFactory, EntityFactory, FlagFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_coverage_page_counts_filters_and_exports(client_as):
    riverton = EntityFactory(kind="police_department", name="Riverton PD", jurisdiction="City of Riverton")
    county = EntityFactory(kind="sheriffs_office", name="Lake County Sheriff", jurisdiction="Lake County")
    AttendanceFactory(meeting=MeetingFactory(type="community_forum", date=date(2026, 3, 3), neighborhood="Old Town"), entity=riverton)
    AttendanceFactory(meeting=MeetingFactory(type="private_meeting", date=date(2026, 3, 9), neighborhood="Old Town"), entity=riverton)
    AttendanceFactory(meeting=MeetingFactory(type="focus_group", date=date(2026, 4, 15), neighborhood="Lakeshore"), entity=county)
    staff = client_as("city_staff")

    page = staff.get("/engagement/coverage/?start=2026-01-01&end=2026-06-30")
    html = page.content.decode()
    assert page.status_code == 200 and "Riverton PD" in html and "Lake County Sheriff" in html
    assert "50%" in html  # Riverton PD: one private of two
    report = page.context["report"]
    assert report.monthly["community_forum"][2] == 1 and report.monthly["focus_group"][3] == 1
    assert [name for name, _ in report.quiet_neighborhoods] == ["Old Town"]  # last engagement 3 March, > 90 days before 30 June

    only_county = staff.get("/engagement/coverage/?start=2026-01-01&end=2026-06-30&jurisdiction=Lake+County").context["report"]
    assert [row.name for row in only_county.agencies] == ["Lake County Sheriff"]

    rows = csv_rows(staff.get("/engagement/coverage/?start=2026-01-01&end=2026-06-30&export=csv"))
    assert rows[0] == ["scope", "name", "external_id", "month", "meeting_type", "meetings"]
    assert ["agency", "Riverton PD", riverton.external_id, "2026-03", "private_meeting", "1"] in rows


def test_coverage_rejects_a_backwards_period_with_a_message(client_as):
    response = client_as("city_staff").get("/engagement/coverage/?start=2026-06-01&end=2026-01-01")
    assert response.status_code == 400
    assert "must be on or after the start date" in response.content.decode()


def test_recusal_guidance_from_the_lakeside_flags(lakeside, client_as):
    recompute(as_of=date(2026, 6, 30))
    staff = client_as("city_staff")
    html = staff.get("/recusals/").content.decode()
    assert ("Board Member Jamie Fox (Lakeside Police Oversight Board) should not review complaints about "
            "Lakeside Police Department until the flag is resolved.") in html
    assert "Councilmember Sam Okoro (Lakeside City Council) should not" in html
    rows = csv_rows(staff.get("/recusals/?export=csv"))
    assert rows[0][:4] == ["body", "body_external_id", "who", "who_external_id"]
    assert any(r[1] == "lk-ob" and r[3] == "lk-ob" and "FUNDING_DEPENDENCE" in r[8].split(";") for r in rows[1:])
    assert len({tuple(r[:7]) for r in rows[1:]}) == len(rows) - 1  # one line per step back


def test_resolved_flags_need_no_recusal(client_as):
    flag = FlagFactory(status="resolved")
    assert flag.subject.name not in client_as("city_staff").get("/recusals/").content.decode()


def test_the_register_is_private_until_an_administrator_publishes_it(client_as):
    disclosed = DisclosureFactory(statement="My brother is a sergeant.", source_url="https://intranet.example.org/hr/filing-17")
    published = DisclosureFactory(statement="I own shares in the body-camera vendor.", statement_public=True,
                                  source_url="https://ethics.example.org/filings/42")
    anonymous = Client()
    assert anonymous.get("/register/").status_code == 404
    assert client_as("city_staff").post("/register/publish/", {"public": "1"}).status_code == 403

    admin = client_as("administrator")
    admin.post("/register/publish/", {"public": "1"})
    assert EngagementSettings.load().disclosure_register_public
    html = anonymous.get("/register/").content.decode()
    assert disclosed.discloser.name in html and published.discloser.name in html
    assert "I own shares in the body-camera vendor." in html
    assert "My brother is a sergeant." not in html  # not allowed by the discloser
    # where each is on file goes with the statement: published only by the discloser's leave
    assert '<a href="https://ethics.example.org/filings/42" rel="noopener noreferrer nofollow">source</a>' in html
    assert "intranet.example.org" not in html
    assert "csrfmiddlewaretoken" not in html  # read-only for the public

    admin.post("/register/publish/", {"public": "0"})
    assert anonymous.get("/register/").status_code == 404


def test_the_register_lists_flags_whose_conflicts_were_disclosed(client_as):
    EngagementSettings.objects.update_or_create(pk=1, defaults={"disclosure_register_public": True})
    shown = FlagFactory(disclosed=True)
    hidden = FlagFactory(disclosed=False)
    html = Client().get("/register/").content.decode()
    assert shown.subject.name in html and hidden.subject.name not in html
    assert "<td>Funding dependence</td>" in html and "FUNDING_DEPENDENCE" not in html  # residents read words, not codes


def test_the_register_pages_its_disclosures(client_as):
    for _ in range(105):
        DisclosureFactory()
    staff = client_as("city_staff")
    first, second = staff.get("/register/"), staff.get("/register/?page=2")
    assert len(first.context["disclosures"]) == 100 and len(second.context["disclosures"]) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_a_district_meeting_counts_for_its_department_too(client_as):
    department = EntityFactory(kind="police_department", name="Riverton PD")
    district = EntityFactory(kind="police_department", name="East District", parent=department)
    AttendanceFactory(meeting=MeetingFactory(type="focus_group", date=date(2026, 3, 3), neighborhood="East"), entity=district)
    report = client_as("city_staff").get("/engagement/coverage/?start=2026-01-01&end=2026-06-30").context["report"]
    counts = {row.name: row.by_type["focus_group"] for row in report.agencies}
    assert counts == {"Riverton PD": 1, "East District": 1}


def test_an_agency_is_present_through_its_people_on_the_meetings_date(client_as):
    from tests.factories import RelationshipFactory

    department = EntityFactory(kind="police_department", name="Riverton PD")
    officer = EntityFactory(kind="person", name="Officer Lee")
    RelationshipFactory(source=officer, target=department, type="employed_by", start_date=date(2026, 2, 1), end_date=None)
    AttendanceFactory(meeting=MeetingFactory(type="community_policing", date=date(2026, 3, 3)), entity=officer)
    AttendanceFactory(meeting=MeetingFactory(type="community_policing", date=date(2026, 1, 10)), entity=officer)  # before the job
    report = client_as("city_staff").get("/engagement/coverage/?start=2026-01-01&end=2026-06-30").context["report"]
    assert {row.name: row.by_type["community_policing"] for row in report.agencies} == {"Riverton PD": 1}


def test_recusal_guidance_pages_through_bodies_and_shows_one_body(lakeside, client_as, monkeypatch):
    from engagement import views

    recompute(as_of=date(2026, 6, 30))
    staff = client_as("city_staff")
    every = staff.get("/recusals/").context["groups"]
    bodies = [g["body"].external_id for g in every]
    assert len(bodies) >= 2

    monkeypatch.setattr(views, "RECUSAL_BODIES_PER_PAGE", 1)
    first, second = staff.get("/recusals/"), staff.get("/recusals/", {"page": 2})
    assert [g["body"].external_id for g in first.context["groups"]] == bodies[:1]
    assert [g["body"].external_id for g in second.context["groups"]] == bodies[1:2]
    assert f"Page 1 of {len(bodies)}" in first.content.decode() and 'href="?page=2"' in first.content.decode()

    with_body = staff.get("/recusals/", {"body": bodies[1]}).content.decode()
    assert "Page 1 of" not in with_body  # one body: one page
    one = staff.get("/recusals/", {"body": "lk-ob"})
    assert [g["body"].external_id for g in one.context["groups"]] == ["lk-ob"]
    assert 'Only <strong><a href="/entities/lk-ob/">Lakeside Police Oversight Board</a></strong>' in one.content.decode()
    assert 'href="/recusals/?body=lk-ob"' in staff.get("/entities/lk-ob/").content.decode()
    # an id no entity has is said, not "nobody needs to step back"; a body with none says so of it
    unknown = html.unescape(staff.get("/recusals/", {"body": "lk-nobody"}).content.decode())
    assert "No entity has the id 'lk-nobody'." in unknown and "nobody needs to step back" not in unknown
    assert "No open flag asks FBI Lakeside Field Office or its people to step back." in staff.get("/recusals/", {"body": "lk-fbi"}).content.decode()
    assert staff.get("/recusals/", {"bodyy": "lk-ob"}).context["not_read"] == [
        "This page has no filter 'bodyy' (in its address): did you mean 'body'?"]
    assert one.context["not_read"] == []
