"""Templates escape everything: a script planted in every text field never reaches a page as markup,
and addresses from data become links only when they are http(s)."""
import pytest
from django.test import Client

from conflicts.models import FlagStatusChange
from engagement.models import EngagementSettings
from tests.factories import (
    AttendanceFactory,
    ConflictReportFactory,
    DisclosureFactory,
    EntityFactory,
    FeedbackResponseFactory,
    FeedbackSurveyFactory,
    FlagFactory,
    MeetingFactory,
    PairScoreFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db
PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
MARKERS = ("<script>alert", "<img src=x", "onerror=alert(2)>")


@pytest.fixture
def planted(db):
    person = EntityFactory(external_id="x-person", name="P " + PAYLOAD, jurisdiction="J " + PAYLOAD,
                           description=PAYLOAD, website="javascript:alert(3)")
    board = EntityFactory(external_id="x-board", kind="oversight_body", name="B " + PAYLOAD, jurisdiction="J " + PAYLOAD,
                          description=PAYLOAD, website="https://board.example.org/" + PAYLOAD)
    rel = RelationshipFactory(source=person, target=board, type="member_of", notes=PAYLOAD, source_url="javascript:alert(4)")
    DisclosureFactory(relationship=rel, statement=PAYLOAD, statement_public=True)
    meeting = MeetingFactory(type="community_forum", title="T " + PAYLOAD, location=PAYLOAD, neighborhood="N " + PAYLOAD, summary=PAYLOAD,
                             source_url="javascript:alert(6)" + PAYLOAD)
    AttendanceFactory(meeting=meeting, entity=person)
    AttendanceFactory(meeting=meeting, entity=board)
    survey = FeedbackSurveyFactory(meeting=meeting)
    FeedbackResponseFactory(survey=survey, comment=PAYLOAD)
    flag = FlagFactory(subject=board, counterpart=person, explanation=PAYLOAD, disclosed=True)
    FlagStatusChange.objects.create(flag=flag, from_status="", to_status="open", reason=PAYLOAD)
    flag.evidence.add(rel)
    report = ConflictReportFactory(source=person, target=board, details=PAYLOAD, source_url="javascript:alert(5)")
    PairScoreFactory(entity_a=min(person, board, key=lambda e: e.pk), entity_b=max(person, board, key=lambda e: e.pk))
    EngagementSettings.objects.update_or_create(pk=1, defaults={"disclosure_register_public": True})
    return {"meeting": meeting, "flag": flag, "report": report, "survey": survey}


def pages(planted):
    return [
        "/", "/entities/", "/entities/x-person/", "/entities/x-board/", "/closeness/", "/closeness/x-person/x-board/",
        "/network/", "/network/?entity=x-board", "/flags/", f"/flags/{planted['flag'].pk}/", "/meetings/",
        f"/meetings/{planted['meeting'].pk}/", "/engagement/coverage/?start=2020-01-01", "/engagement/trust/?start=2020-01-01",
        "/recusals/", "/register/", "/reports/?status=pending", f"/reports/{planted['report'].pk}/",
        f"/feedback/{planted['survey'].token}/", "/search/entities/?q=P+",
    ]


def test_no_page_renders_planted_markup(planted, client_as):
    client = client_as("administrator")
    for url in pages(planted):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for marker in MARKERS:
            assert marker not in html, f"{url} renders {marker!r} unescaped"
    # and the payload did reach the pages, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/entities/x-person/").content.decode()


def test_only_web_addresses_become_links(planted, client_as):
    client = client_as("administrator")
    for url in ["/entities/x-person/", "/entities/x-board/", "/closeness/x-person/x-board/", f"/flags/{planted['flag'].pk}/",
                f"/reports/{planted['report'].pk}/", f"/meetings/{planted['meeting'].pk}/"]:
        html = client.get(url).content.decode()
        assert 'href="javascript:' not in html.lower(), url
    assert 'href="https://board.example.org/' in client.get("/entities/x-board/").content.decode()


def test_the_public_register_escapes_too(planted):
    html = Client().get("/register/").content.decode()
    assert "&lt;script&gt;" in html
    for marker in MARKERS:
        assert marker not in html
