"""Anonymous feedback: board members create links, anyone answers once without signing in."""
import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from engagement.models import FeedbackResponse, FeedbackSurvey
from engagement.views import ANSWERED_SESSION_KEY
from tests.factories import AttendanceFactory, EntityFactory, FeedbackResponseFactory, FeedbackSurveyFactory, MeetingFactory

pytestmark = pytest.mark.django_db
ANSWER = {"trust": "4", "felt_heard": "yes", "comment": "The sergeant listened."}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def test_a_board_member_creates_a_survey_link_for_a_public_meeting(client_as):
    meeting = MeetingFactory(type="community_forum")
    response = client_as("board_member").post(f"/meetings/{meeting.pk}/surveys/", follow=True)
    survey = FeedbackSurvey.objects.get(meeting=meeting)
    assert f"/feedback/{survey.token}/" in response.content.decode()
    assert len(survey.token) >= 32  # unguessable


def test_city_staff_cannot_create_survey_links(client_as):
    meeting = MeetingFactory(type="community_forum")
    assert client_as("city_staff").post(f"/meetings/{meeting.pk}/surveys/").status_code == 403
    assert not FeedbackSurvey.objects.exists()


def test_private_meetings_get_no_survey(client_as):
    meeting = MeetingFactory(type="private_meeting")
    response = client_as("board_member").post(f"/meetings/{meeting.pk}/surveys/", follow=True)
    assert "Surveys are for public meetings" in response.content.decode()
    assert not FeedbackSurvey.objects.exists()


def test_anyone_answers_without_signing_in_and_only_once_per_session():
    survey = FeedbackSurveyFactory()
    anonymous = Client()
    page = anonymous.get(f"/feedback/{survey.token}/")
    assert page.status_code == 200 and "How much do you trust" in page.content.decode()

    thanks = anonymous.post(f"/feedback/{survey.token}/", ANSWER)
    assert thanks.status_code == 200 and "recorded anonymously" in thanks.content.decode()
    again = anonymous.post(f"/feedback/{survey.token}/", {**ANSWER, "trust": "1"})
    assert "already answered" in again.content.decode()
    assert list(FeedbackResponse.objects.values_list("trust", flat=True)) == [4]

    Client().post(f"/feedback/{survey.token}/", {**ANSWER, "trust": "2"})  # another person, another session
    assert sorted(FeedbackResponse.objects.values_list("trust", flat=True)) == [2, 4]


def test_an_answer_cannot_be_tied_back_to_a_person(user_with_role):
    """The answer row holds no user, session, address or time; the session holds no answer id."""
    assert {f.name for f in FeedbackResponse._meta.get_fields()} == {"id", "survey", "trust", "felt_heard", "comment", "submitted_on"}
    survey = FeedbackSurveyFactory()
    signed_in = Client()
    signed_in.force_login(user_with_role("city_staff"))  # even a signed-in respondent stays anonymous
    signed_in.post(f"/feedback/{survey.token}/", ANSWER, REMOTE_ADDR="203.0.113.9")
    answer = FeedbackResponse.objects.get()
    stored = {field.attname: getattr(answer, field.attname) for field in FeedbackResponse._meta.concrete_fields}
    assert "203.0.113.9" not in repr(stored) and "city_staff" not in repr(stored)
    assert answer.id.version == 4  # random key: its order says nothing about when it came in
    session = signed_in.session
    assert session[ANSWERED_SESSION_KEY] == [survey.pk]
    assert str(answer.id) not in repr(dict(session.items()))


def test_a_bad_answer_is_a_400_naming_the_field_and_stores_nothing():
    survey = FeedbackSurveyFactory()
    response = Client().post(f"/feedback/{survey.token}/", {"trust": "9", "felt_heard": "yes"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not FeedbackResponse.objects.exists()
    huge = Client().post(f"/feedback/{survey.token}/", {**ANSWER, "comment": "x" * 5000})
    assert huge.status_code == 400 and not FeedbackResponse.objects.exists()


def test_a_closed_survey_takes_no_answers(client, user_with_role):
    creator = user_with_role("board_member")
    survey = FeedbackSurveyFactory(created_by=creator)
    client.force_login(creator)
    client.post(f"/surveys/{survey.pk}/close/")
    response = Client().post(f"/feedback/{survey.token}/", ANSWER)
    assert response.status_code == 410
    assert not FeedbackResponse.objects.exists()


def test_a_board_member_closes_only_the_surveys_they_created(client, user_with_role):
    survey = FeedbackSurveyFactory(created_by=user_with_role("board_member"))
    client.force_login(user_with_role("board_member"))

    page = client.get(f"/meetings/{survey.meeting_id}/").content.decode()
    refused = client.post(f"/surveys/{survey.pk}/close/")

    assert f'action="/surveys/{survey.pk}/close/"' not in page
    assert refused.status_code == 403 and "close the surveys they created" in refused.content.decode()
    survey.refresh_from_db()
    assert not survey.closed

    client.force_login(user_with_role("analyst"))
    assert f'action="/surveys/{survey.pk}/close/"' in client.get(f"/meetings/{survey.meeting_id}/").content.decode()
    client.post(f"/surveys/{survey.pk}/close/")
    survey.refresh_from_db()
    assert survey.closed


def test_unknown_tokens_are_404():
    assert Client().get("/feedback/not-a-token/").status_code == 404


@override_settings(SURVEY_ANSWER_RATE="3/h")
def test_answers_are_rate_limited_per_network_address():
    survey = FeedbackSurveyFactory()
    codes = [Client().post(f"/feedback/{survey.token}/", ANSWER, REMOTE_ADDR="198.51.100.7").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert FeedbackResponse.objects.count() == 3
    assert Client().post(f"/feedback/{survey.token}/", ANSWER, REMOTE_ADDR="198.51.100.8").status_code == 200


def test_results_per_meeting_with_free_text_for_staff_roles_only(client_as):
    survey = FeedbackSurveyFactory()
    FeedbackResponseFactory(survey=survey, trust=2, felt_heard="no", comment="Nobody answered my question")
    FeedbackResponseFactory(survey=survey, trust=4, felt_heard="yes")
    page = client_as("city_staff").get(f"/meetings/{survey.meeting.pk}/").content.decode()
    assert "2 answers" in page and "average trust 3.0 of 5" in page and "no 1" in page
    assert "Nobody answered my question" in page
    # the respondent's own view never shows anyone's free text
    public = Client().get(f"/feedback/{survey.token}/").content.decode()
    assert "Nobody answered my question" not in public
    assert Client().get(f"/meetings/{survey.meeting.pk}/").status_code == 302  # the meeting page needs sign-in


def test_trust_trend_per_neighbourhood_and_agency(client_as):
    agency = EntityFactory(kind="police_department", name="Riverton PD")
    meeting = MeetingFactory(type="community_forum", neighborhood="Riverside")
    AttendanceFactory(meeting=meeting, entity=agency)
    survey = FeedbackSurveyFactory(meeting=meeting)
    for trust in (1, 2, 3):
        FeedbackResponseFactory(survey=survey, trust=trust)
    page = client_as("city_staff").get("/engagement/trust/?start=2026-01-01&end=2026-12-31").content.decode()
    assert "3 answers" in page
    assert "Riverside" in page and "Riverton PD" in page and "2.0" in page
    assert '"label": "Riverside", "data": [2.0]' in page  # the chart's data (json_script)


def test_an_answer_to_a_survey_closed_or_deleted_since_the_page_was_sent_is_refused():
    from datetime import date

    from engagement.services import EngagementError, feedback_answer_create

    closed, deleted = FeedbackSurveyFactory(), FeedbackSurveyFactory()
    stale_closed, stale_deleted = FeedbackSurvey.objects.get(pk=closed.pk), FeedbackSurvey.objects.get(pk=deleted.pk)
    FeedbackSurvey.objects.filter(pk=closed.pk).update(closed=True)
    deleted.meeting.delete()

    for stale in (stale_closed, stale_deleted):
        with pytest.raises(EngagementError, match="closed"):
            feedback_answer_create(survey=stale, trust=4, felt_heard="yes", comment="", on=date(2026, 1, 20))
    assert not FeedbackResponse.objects.exists()
