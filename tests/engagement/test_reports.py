"""Conflict reports: anyone signed in reports, an analyst accepts or rejects; nothing enters unreviewed."""
import pytest

from engagement.models import ConflictReport
from relationships.models import Relationship
from tests.factories import ConflictReportFactory, EntityFactory

pytestmark = pytest.mark.django_db


def report_post(who, whom, **overrides):
    data = {"source": who.external_id, "target": whom.name, "type": "family", "start_date": "2019-05-01",
            "amount": "", "source_url": "https://news.example.org/2026/ties", "details": "Cousins."}
    data.update(overrides)
    return data


def test_any_signed_in_user_reports_a_tie_and_it_waits_for_review(client_as):
    a, b = EntityFactory(), EntityFactory(kind="oversight_body")
    response = client_as("city_staff").post("/reports/new/", report_post(a, b), follow=True)
    assert "waiting for an analyst" in response.content.decode()
    report = ConflictReport.objects.get()
    assert (report.source, report.target, report.status) == (a, b, "pending")
    assert not Relationship.objects.exists()  # nothing enters the evidence without review


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"type": "funds"}, "amount", "is required for funds"),
        ({"source_url": "not a url"}, "source_url", "Enter a valid URL"),
        ({"target": "nobody-at-all"}, "target", "No entity"),
        ({"type": "contributes_to", "amount": "$2,500"}, "amount", "without its currency sign"),  # said once, not also "required"
    ],
)
def test_a_bad_report_names_the_field_and_saves_nothing(client_as, overrides, field, message):
    a, b = EntityFactory(), EntityFactory()
    response = client_as("board_member").post("/reports/new/", report_post(a, b, **overrides))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0] and len(response.context["form"].errors[field]) == 1
    assert not ConflictReport.objects.exists()


def test_someone_not_in_the_tracker_is_reported_by_name_and_the_analyst_adds_them_on_accepting(client_as):
    """Only analysts add entities: a board member who knows of a tie with a towing company not in
    the tracker yet reports it by name, and the analyst says which entity it is, adding it first."""
    chief = EntityFactory(name="Chief Laura Benton")
    board = client_as("board_member")
    refused = board.post("/reports/new/", report_post(chief, chief, target="Acme Towing"))
    assert refused.status_code == 400 and "tick “Not in the tracker yet”" in refused.context["form"].errors["target"][0]
    assert 'id="ends-to-add"' not in refused.content.decode()  # a board member adds no entities
    offered = client_as("analyst").post("/reports/new/", report_post(chief, chief, target="Acme Towing")).content.decode()
    assert '<a href="/record/entity/?name=Acme%20Towing" target="_blank" rel="noopener">add it</a>' in offered
    known = board.post("/reports/new/", report_post(chief, chief, target="Chief Laura Benton", target_is_new="on"))
    assert "Already in the tracker as Chief Laura Benton" in known.context["form"].errors["target"][0]
    twice = board.post("/reports/new/", report_post(chief, chief, source="Acme Towing", source_is_new="on", target="acme towing",
                                                    target_is_new="on"))
    assert "is also who" in twice.context["form"].errors["target"][0] and not ConflictReport.objects.exists()

    sent = board.post("/reports/new/", report_post(chief, chief, target=" Acme Towing ", target_is_new="on", type="personal"), follow=True)
    report = ConflictReport.objects.get()
    assert (report.source, report.target, report.target_name, report.status) == (chief, None, "Acme Towing", "pending")
    assert "Acme Towing <em>(not in the tracker yet)</em>" in sent.content.decode()

    analyst = client_as("analyst")
    page = analyst.get(f"/reports/{report.pk}/").content.decode()
    assert "?name=Acme%20Towing" in page and "say below which entity it is, to accept the report" in page
    not_said = analyst.post(f"/reports/{report.pk}/decide/", {"decision": "accept", "reason": "Checked"})
    assert not_said.status_code == 400 and "Say which entity this is" in not_said.context["form"].errors["target_entity"][0]
    acme = EntityFactory(name="Acme Towing", kind="business")
    analyst.post(f"/reports/{report.pk}/decide/", {"decision": "accept", "reason": "Checked", "target_entity": acme.external_id})
    report.refresh_from_db()
    assert report.status == "accepted" and (report.target, report.target_name) == (acme, "Acme Towing")
    assert (report.relationship.source, report.relationship.target) == (chief, acme)
    assert "(reported as “Acme Towing”)" in analyst.get("/reports/?status=accepted").content.decode()


def test_a_report_by_name_is_rejected_without_naming_its_entity(client_as):
    report = ConflictReportFactory(target=None, target_name="Acme Towing")
    analyst = client_as("analyst")
    analyst.post(f"/reports/{report.pk}/decide/", {"decision": "reject", "reason": "No source supports it"})
    report.refresh_from_db()
    assert report.status == "rejected" and report.target is None and not Relationship.objects.exists()


def test_a_reported_amount_is_read_as_people_write_it(client_as):
    union, mayor = EntityFactory(kind="police_union"), EntityFactory(kind="elected_official")
    client_as("city_staff").post("/reports/new/", report_post(union, mayor, type="contributes_to", amount="2,500"))
    assert str(ConflictReport.objects.get().amount) == "2500.00"


def test_reporting_a_tie_with_oneself_is_refused(client_as):
    a = EntityFactory()
    response = client_as("city_staff").post("/reports/new/", report_post(a, a))
    assert "same entity" in str(response.context["form"].errors)


def test_an_analyst_accepts_a_report_as_a_relationship_with_its_provenance(client_as, django_capture_on_commit_callbacks):
    report = ConflictReportFactory(type="contributes_to", amount="2500.00", start_date="2025-03-01")
    analyst = client_as("analyst")
    assert "Record the decision" in analyst.get(f"/reports/{report.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        analyst.post(f"/reports/{report.pk}/decide/", {"decision": "accept", "reason": "Filing checked"})
    report.refresh_from_db()
    rel = Relationship.objects.get()
    assert report.status == "accepted" and report.relationship == rel and report.decision_reason == "Filing checked"
    assert (rel.source_id, rel.target_id, rel.type, str(rel.amount)) == (report.source_id, report.target_id, "contributes_to", "2500.00")
    assert rel.source_url == report.source_url and f"conflict report #{report.pk}" in rel.notes
    assert rel.conflict_report == report
    assert callbacks, "accepting queues the incremental recompute"
    # a second decision is refused
    page = analyst.post(f"/reports/{report.pk}/decide/", {"decision": "reject", "reason": "again"}, follow=True)
    assert "already accepted" in page.content.decode()


def test_rejecting_needs_a_reason_and_keeps_the_report(client_as):
    report = ConflictReportFactory()
    analyst = client_as("analyst")
    refused = analyst.post(f"/reports/{report.pk}/decide/", {"decision": "reject", "reason": ""})
    assert refused.status_code == 400
    assert "This field is required." in refused.context["form"].errors["reason"][0]  # beside the field at fault
    report.refresh_from_db()
    assert report.status == "pending"
    analyst.post(f"/reports/{report.pk}/decide/", {"decision": "reject", "reason": "No source supports it"})
    report.refresh_from_db()
    assert (report.status, report.decision_reason) == ("rejected", "No source supports it")
    assert not Relationship.objects.exists()


def test_only_analysts_decide_and_reporters_see_only_their_own(client_as, user_with_role, client):
    mine = ConflictReportFactory()
    theirs = ConflictReportFactory()
    reporter = user_with_role("board_member")
    ConflictReport.objects.filter(pk=mine.pk).update(reported_by=reporter)
    client.force_login(reporter)
    assert client.post(f"/reports/{mine.pk}/decide/", {"decision": "accept", "reason": "me"}).status_code == 403
    assert client.get(f"/reports/{mine.pk}/").status_code == 200
    assert client.get(f"/reports/{theirs.pk}/").status_code == 403
    listing = client.get("/reports/").content.decode()
    assert f"/reports/{mine.pk}/" in listing and f"/reports/{theirs.pk}/" not in listing
    queue = client_as("analyst").get("/reports/").content.decode()
    assert f"/reports/{mine.pk}/" in queue and f"/reports/{theirs.pk}/" in queue


def test_the_queue_lists_nothing_beside_a_status_it_cannot_read(client_as):
    """`?status=aproved` listed every report, as if they were the ones asked."""
    ConflictReportFactory()
    analyst = client_as("analyst")

    unknown = analyst.get("/reports/", {"status": "aproved"})
    pending = analyst.get("/reports/", {"status": "pending"})

    assert list(unknown.context["reports"]) == [] and len(pending.context["reports"]) == 1
    assert unknown.context["not_read"] == ["'aproved' is not a report's status (waiting for review, accepted, rejected)."]
    typo = analyst.get("/reports/", {"statuss": "pending"})
    assert typo.context["not_read"] == ["This page has no filter 'statuss' (in its address): did you mean 'status'?"]
    assert list(typo.context["reports"]) == []
    assert "is not a report&#x27;s status" in unknown.content.decode()
