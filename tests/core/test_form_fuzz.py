"""Every form takes hostile input without a server error and without half-writing: random text,
control characters, huge values and formula-like strings in every field, and random bytes uploaded
as a data set."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflicts.forms import FlagTransitionForm
from engagement.forms import ConflictReportForm, CoveragePeriodForm, FeedbackAnswerForm, MeetingForm, ReportDecisionForm
from engagement.models import ConflictReport, FeedbackResponse, Meeting
from entities.forms import EntityForm
from entities.models import Entity
from relationships.forms import DisclosureForm, RelationshipForm
from relationships.models import Disclosure, Relationship
from scoring.forms import ScoringSettingsForm
from tests.examples import examples
from tests.factories import ConflictReportFactory, EntityFactory, FeedbackSurveyFactory, FlagFactory, RelationshipFactory
from tests.uploads import upload

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
hostile_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(['=HYPERLINK("http://x")', "<script>alert(1)</script>", "9" * 400, "-1", "1e309", "NaN", "2026-02-30", " "]),
    st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(1000, 200_000)),  # huge values
    # numbers as people and spreadsheets write them, read by the import's rule on the forms too
    st.sampled_from(["2,500", "$2,500", "1,5", "1.500", "1.500e0", "+1.500", "-1.000.000", "1e-400", "0.005", "1,234.5678", "١٢"]),
)


def fields_of(form_class, **kwargs) -> list[str]:
    return list(form_class(**kwargs).fields) if kwargs else list(form_class.base_fields)


def post_is_safe(client, url, data, models):
    before = [m.objects.count() for m in models]
    response = client.post(url, data)
    assert response.status_code < 500, (url, data)
    if response.status_code == 400:
        assert [m.objects.count() for m in models] == before, "an invalid form wrote something"
    return response


@FUZZ
@given(values=st.lists(hostile_text, min_size=12, max_size=12))
def test_meeting_form(client_as, values):
    names = fields_of(MeetingForm)
    data = dict(zip(names, values))
    data.update({"attendance-TOTAL_FORMS": "1", "attendance-INITIAL_FORMS": "0", "attendance-MIN_NUM_FORMS": "0",
                 "attendance-MAX_NUM_FORMS": "200", "attendance-0-entity": values[-1], "attendance-0-role": values[-2]})
    post_is_safe(client_as("board_member"), "/meetings/new/", data, [Meeting])


@FUZZ
@given(values=st.lists(hostile_text, min_size=10, max_size=10), ends_known=st.booleans())
def test_relationship_forms(client_as, values, ends_known):
    # the ends typed as known ids half the time, so that the other fields' rules are reached
    data = dict(zip(fields_of(RelationshipForm), values))
    if ends_known:
        data.update(source=EntityFactory().external_id, target=EntityFactory().external_id)
    analyst = client_as("analyst")
    post_is_safe(analyst, "/record/relationship/", data, [Relationship, Entity])
    relationship = RelationshipFactory()
    post_is_safe(analyst, f"/relationships/{relationship.external_id}/edit/", data, [Relationship])
    post_is_safe(analyst, f"/relationships/{relationship.external_id}/disclosures/new/", dict(zip(fields_of(DisclosureForm), values)),
                 [Disclosure])


@FUZZ
@given(values=st.lists(hostile_text, min_size=8, max_size=8))
def test_entity_forms(client_as, values):
    analyst = client_as("analyst")
    post_is_safe(analyst, "/record/entity/", dict(zip(fields_of(EntityForm), values)), [Entity])
    entity = EntityFactory()
    post_is_safe(analyst, f"/entities/{entity.external_id}/edit/", dict(zip(fields_of(EntityForm), values)), [Entity])


@FUZZ
@given(values=st.lists(hostile_text, min_size=8, max_size=8))
def test_conflict_report_form(client_as, values):
    post_is_safe(client_as("city_staff"), "/reports/new/", dict(zip(fields_of(ConflictReportForm), values)), [ConflictReport])


@FUZZ
@given(values=st.lists(hostile_text, min_size=3, max_size=3))
def test_survey_form(client, values):
    from django.core.cache import cache

    cache.clear()  # the rate limit is not what is tested here
    survey = FeedbackSurveyFactory()
    post_is_safe(client, f"/feedback/{survey.token}/", dict(zip(fields_of(FeedbackAnswerForm), values)), [FeedbackResponse])


@FUZZ
@given(values=st.lists(hostile_text, min_size=40, max_size=40))
def test_scoring_settings_form(client_as, values):
    from scoring.models import ScoringSettings

    record = ScoringSettings.load()
    before = dict(record.parameters)
    response = post_is_safe(client_as("administrator"), "/scoring/settings/", dict(zip(fields_of(ScoringSettingsForm), values)), [])
    if response.status_code == 400:
        record.refresh_from_db()
        assert record.parameters == before


@FUZZ
@given(values=st.lists(hostile_text, min_size=2, max_size=2))
def test_flag_review_and_report_decision_forms(client_as, values):
    analyst = client_as("analyst")
    flag = FlagFactory()
    post_is_safe(analyst, f"/flags/{flag.pk}/status/", dict(zip(fields_of(FlagTransitionForm), values)), [])
    report = ConflictReportFactory()
    post_is_safe(analyst, f"/reports/{report.pk}/decide/", dict(zip(fields_of(ReportDecisionForm), values)), [])


@FUZZ
@given(values=st.lists(hostile_text, min_size=4, max_size=4), ticked=st.lists(st.one_of(hostile_text, st.just("FLAG")), max_size=3))
def test_bulk_flag_review_form(client_as, values, ticked):
    from conflicts.models import Flag, FlagStatusChange

    flag = FlagFactory()
    statuses = list(Flag.objects.order_by("pk").values_list("pk", "status"))
    data = {**dict(zip(["to_status", "reason", "query"], values)), "selected": [str(flag.pk) if t == "FLAG" else t for t in ticked]}
    response = post_is_safe(client_as("analyst"), "/flags/status/", data, [FlagStatusChange])
    if response.status_code == 400:
        assert list(Flag.objects.order_by("pk").values_list("pk", "status")) == statuses


@FUZZ
@given(values=st.lists(hostile_text, min_size=3, max_size=3))
def test_coverage_filters(client_as, values):
    response = client_as("city_staff").get("/engagement/coverage/", dict(zip(fields_of(CoveragePeriodForm, jurisdictions=[], today=None), values)))
    assert response.status_code in (200, 400)


@FUZZ
@given(name=st.sampled_from(["entities.csv", "data.zip", "notes.txt", "../../etc/passwd"]), content=st.binary(max_size=2000))
def test_data_set_upload(client_as, name, content):
    response = upload(client_as("analyst"), SimpleUploadedFile(name, content))  # the worker's part run, its report read
    assert response.status_code < 500
    outcome = response.context.get("upload") and response.context["upload"].outcome
    assert Entity.objects.count() == 0 or outcome == "imported"
