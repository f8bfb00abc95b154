"""The form fields and saving helpers the apps share (core/forms.py)."""
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.forms import AmountField, WrittenNumberField
from core.validation import AMOUNT_PLACES, RATING_PLACES, parse_decimal
from tests.examples import examples
from tests.meanwhile import deleted_once_checked

# numbers as written (groups of three, a decimal part, an exponent), and anything of their characters
number_like = st.from_regex(r"[+-]?[0-9]{1,4}([.,][0-9]{3}){0,3}([.,][0-9]{1,4})?([eE][+-]?[0-9]{1,3})?", fullmatch=True) | st.text(
    alphabet="0123456789,.eE+-$ ", max_size=16)


@settings(max_examples=examples(1000))  # fast; the shapes that matter are few among them
@given(number_like, st.sampled_from([(AmountField, AMOUNT_PLACES, AMOUNT_PLACES), (WrittenNumberField, RATING_PLACES, None)]))
def test_a_number_field_reads_what_the_import_reads_or_refuses_it_with_a_message(typed, kind):
    # an amount, where a point may separate thousands, and a rating, where it may not
    field_class, places, thousands_places = kind
    field = field_class(max_digits=16, decimal_places=places, required=False)
    try:
        number = field.clean(typed)
    except ValidationError as refused:
        assert all(message.strip() for message in refused.messages)  # said, never a server error
        return
    if number is None:
        assert not typed.strip()
    else:
        assert isinstance(number, Decimal) and number == parse_decimal(typed.strip(), places=thousands_places)


@pytest.mark.django_db
@pytest.mark.parametrize(("form_path", "url", "post", "taken"), [
    ("entities.forms.EntityForm", "/record/entity/", {"name": "Harbor Watch", "kind": "community_group"}, "lk-pd"),
    ("relationships.forms.RelationshipForm", "/record/relationship/", {"source": "x-a2", "type": "personal", "target": "x-b2"}, "s-01"),
    ("relationships.forms.DisclosureForm", "/relationships/c-02/disclosures/new/", {"discloser": "eo-c1", "disclosed_on": "2026-02-01"}, "dc-01"),
])
def test_an_id_stored_meanwhile_is_refused_beside_it_not_a_server_error(lakeside, client_as, monkeypatch, form_path, url, post, taken):
    """The form checked the id free, then an import (holding its rows until it ended) or another
    analyst stored it: the save met PostgreSQL's unique constraint, a server error."""
    from django.utils.module_loading import import_string

    form_class = import_string(form_path)
    monkeypatch.setattr(form_class, "validate_unique", lambda self: None)  # as if checked before the other stored it
    model = form_class._meta.model
    before = model.objects.count()

    refused = client_as("analyst").post(url, {**post, "external_id": taken})

    assert refused.status_code == 400
    assert "was stored meanwhile by someone else" in " ".join(refused.context["form"].errors["external_id"])
    assert model.objects.count() == before


@pytest.mark.parametrize(("form_path", "url", "post", "field"), [
    ("entities.forms.EntityForm", "/record/entity/", {"name": "Harbor Unit", "kind": "police_department", "parent": "{gone}"}, "parent"),
    ("relationships.forms.RelationshipForm", "/record/relationship/", {"source": "x-a2", "type": "personal", "target": "{gone}"}, "target"),
    ("relationships.forms.DisclosureForm", "/relationships/c-02/disclosures/new/", {"discloser": "{gone}", "disclosed_on": "2026-02-01"}, "discloser"),
    ("engagement.forms.ConflictReportForm", "/reports/new/",
     {"source": "{gone}", "type": "personal", "target": "x-a2", "start_date": "2026-01-01", "source_url": "https://example.org/a"}, "source"),
])
def test_an_entity_deleted_meanwhile_is_refused_beside_its_field_not_a_server_error(lakeside, checked_at_each_statement, client_as, monkeypatch,
                                                                                 form_path, url, post, field):
    """The form found the entity, then an administrator deleted it (or merged it into another)
    before the save: the foreign key refused the row at commit, a server error."""
    from django.utils.module_loading import import_string

    from tests.factories import EntityFactory

    gone = EntityFactory(kind="police_department")
    form_class = import_string(form_path)
    deleted_once_checked(monkeypatch, form_class, "_post_clean", gone)
    model = form_class._meta.model
    others = model.objects.exclude(pk=gone.pk) if model is type(gone) else model.objects.all()  # not counting the one deleted
    before = others.count()

    refused = client_as("analyst").post(url, {name: value.format(gone=gone.external_id) for name, value in post.items()})

    assert refused.status_code == 400
    assert refused.context["form"].errors[field] == ["was deleted meanwhile by someone else, or merged into another: choose again"]
    assert others.count() == before


def test_a_correction_of_a_record_deleted_meanwhile_is_refused_and_not_stored_again(lakeside, client_as, monkeypatch):
    """Django saves a record it read as an UPDATE, then, finding no row, an INSERT: a correction
    posted after someone deleted the record stored it again."""
    from relationships.forms import RelationshipForm
    from relationships.models import Relationship
    from tests.factories import RelationshipFactory

    relationship = RelationshipFactory(notes="before")
    deleted_once_checked(monkeypatch, RelationshipForm, "_post_clean", relationship)
    post = {"source": relationship.source.external_id, "type": relationship.type, "target": relationship.target.external_id,
            "start_date": "2020-01-01", "notes": "after"}

    refused = client_as("analyst").post(f"/relationships/{relationship.external_id}/edit/", post)

    assert refused.status_code == 400
    assert refused.context["form"].non_field_errors() == ["This relationship was deleted meanwhile by someone else: nothing was saved."]
    assert not Relationship.objects.filter(external_id=relationship.external_id).exists()


def test_a_deletion_that_a_row_recorded_meanwhile_refers_to_is_refused_saying_so(lakeside, client_as, monkeypatch):
    """The page checked that nothing refers to the entity; a relationship naming it was stored
    before the deletion (simulated: the check passes although one does)."""
    from entities.models import Entity
    from tests.factories import RelationshipFactory

    relationship = RelationshipFactory()
    monkeypatch.setattr("entities.views.entity_deletion_refused", lambda entity: "")

    answer = client_as("administrator").post(f"/entities/{relationship.target.external_id}/delete/", {"confirm": "yes"}, follow=True)

    assert answer.status_code == 200
    assert "Not deleted: relationships recorded meanwhile by someone else refer to it." in [str(m) for m in answer.context["messages"]]
    assert Entity.objects.filter(pk=relationship.target_id).exists()


# A correction that would undo a change someone saved after the form was shown (UnchangedSinceShownMixin)

def opened(client, path: str) -> dict[str, str]:
    """The correction form on `path` (sent to its own page) as shown, to send as a browser would."""
    from tests.form_helpers import FormsOnPage

    return FormsOnPage(client.get(path).content.decode()).fields_of("")


def two_analysts(user_with_role):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(user_with_role("analyst"))
    second.force_login(user_with_role("analyst"))
    return first, second


@pytest.mark.django_db
def test_a_correction_leaving_as_shown_what_someone_changed_meanwhile_now_shows_theirs_and_saves_next(user_with_role):
    from entities.models import Entity
    from tests.factories import EntityFactory
    from tests.form_helpers import FormsOnPage

    entity = EntityFactory(name="Riverton Police", description="As first recorded.")
    path = f"/entities/{entity.external_id}/edit/"
    mine, theirs = two_analysts(user_with_role)
    form = opened(mine, path)
    their_form = opened(theirs, path)
    assert theirs.post(path, {**their_form, "description": "Corrected by the other analyst."}).status_code == 302

    refused = mine.post(path, {**form, "name": "Riverton Police Department"})
    page = refused.content.decode()
    again = FormsOnPage(page).fields_of("")

    assert refused.status_code == 400
    assert "<h1>Correct Riverton Police</h1>" in page  # as saved: what was typed is in the form
    assert ("Not saved: someone saved a change after you opened this form; the form now shows what they saved for "
            "description (Corrected by the other analyst. now)") in page
    assert Entity.objects.get(pk=entity.pk).name == "Riverton Police"  # nothing saved
    assert (again["name"], again["description"]) == ("Riverton Police Department", "Corrected by the other analyst.")
    assert mine.post(path, again).status_code == 302
    saved = Entity.objects.get(pk=entity.pk)
    assert (saved.name, saved.description) == ("Riverton Police Department", "Corrected by the other analyst.")


@pytest.mark.django_db
def test_a_field_both_changed_keeps_what_was_typed_and_names_theirs_and_one_both_set_alike_saves(user_with_role):
    from relationships.models import Relationship
    from tests.factories import RelationshipFactory

    relationship = RelationshipFactory(notes="")
    path = f"/relationships/{relationship.external_id}/edit/"
    mine, theirs = two_analysts(user_with_role)
    form, their_form = opened(mine, path), opened(theirs, path)
    theirs.post(path, {**their_form, "notes": "Theirs.", "source_url": "https://records.example/1"})

    both = mine.post(path, {**form, "notes": "Mine."})
    alike = mine.post(path, {**opened(mine, path), "source_url": "https://records.example/1", "notes": "Mine."})

    assert both.status_code == 400
    assert "you both changed notes (Theirs. now): what you typed is still here" in both.content.decode()
    assert "Mine.</textarea>" in both.content.decode()
    assert alike.status_code == 302
    assert Relationship.objects.get(pk=relationship.pk).notes == "Mine."


@pytest.mark.django_db
def test_a_meeting_whose_attendees_changed_meanwhile_is_not_saved_over_them(user_with_role):
    from engagement.models import Meeting
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory

    meeting = MeetingFactory(title="Coffee")
    for external_id in ("x-a1", "x-b1"):
        AttendanceFactory(meeting=meeting, entity=EntityFactory(external_id=external_id))
    EntityFactory(external_id="x-c1")
    path = f"/meetings/{meeting.pk}/edit/"
    mine, theirs = two_analysts(user_with_role)
    form, their_form = opened(mine, path), opened(theirs, path)
    empty_row = next(name for name, value in their_form.items() if name.endswith("-entity") and not value)
    theirs.post(path, {**their_form, empty_row: "x-c1"})

    refused = mine.post(path, {**form, "title": "Coffee at the station"})

    assert refused.status_code == 400
    assert "they changed attendees (x-a1 (attendee), x-b1 (attendee), x-c1 (attendee) now)" in refused.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).title == "Coffee"
    assert Meeting.objects.get(pk=meeting.pk).attendance.count() == 3


@pytest.mark.django_db
def test_a_meeting_whose_attendees_changed_between_its_check_and_its_save_is_not_saved_over_them(user_with_role, monkeypatch):
    from engagement.forms import MeetingForm
    from engagement.models import Attendance, Meeting
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory

    meeting = MeetingFactory(title="Coffee")
    AttendanceFactory(meeting=meeting, entity=EntityFactory(external_id="x-a1"))
    newcomer = EntityFactory(external_id="x-c1")
    path = f"/meetings/{meeting.pk}/edit/"
    mine, _ = two_analysts(user_with_role)
    form = opened(mine, path)
    checked = MeetingForm.clean

    def then_theirs_saved(self):
        cleaned = checked(self)
        Attendance.objects.create(meeting=meeting, entity=newcomer, role="attendee")  # their save, in between
        return cleaned

    monkeypatch.setattr(MeetingForm, "clean", then_theirs_saved)

    refused = mine.post(path, {**form, "title": "Coffee at the station"})

    assert refused.status_code == 400 and "someone saved a change to this meeting at the same moment" in refused.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).title == "Coffee"
    assert sorted(Meeting.objects.get(pk=meeting.pk).attendance.values_list("entity__external_id", flat=True)) == ["x-a1", "x-c1"]


@pytest.mark.django_db
def test_a_source_given_meanwhile_on_the_sources_page_is_not_overwritten_unseen(user_with_role):
    from relationships.models import Relationship
    from tests.factories import RelationshipFactory

    relationship = RelationshipFactory(source_url="")
    path = f"/relationships/{relationship.external_id}/source/"
    mine, theirs = two_analysts(user_with_role)
    row = {"list": "", "shown_as": '{"source_url": ""}'}  # the row as the Sources page shows it
    theirs.post(path, {**row, "source_url": "https://records.example/theirs"})

    refused = mine.post(path, {**row, "source_url": "https://records.example/mine"}, headers={"HX-Request": "true"})
    no_mark = mine.post(path, {"list": "", "source_url": "https://records.example/mine"})  # a page from before: no check

    assert refused.status_code == 400 and "you both changed source URL (https://records.example/theirs now)" in refused.content.decode()
    assert no_mark.status_code == 302
    assert Relationship.objects.get(pk=relationship.pk).source_url == "https://records.example/mine"


@pytest.mark.django_db
def test_every_correction_form_carries_the_record_as_shown(client_as):
    from tests.factories import DisclosureFactory, MeetingFactory

    disclosure, meeting = DisclosureFactory(), MeetingFactory()
    analyst = client_as("analyst")
    for path in (f"/entities/{disclosure.discloser.external_id}/edit/", f"/relationships/{disclosure.relationship.external_id}/edit/",
                 f"/disclosures/{disclosure.external_id}/edit/", f"/meetings/{meeting.pk}/edit/"):
        shown = json.loads(opened(analyst, path)["shown_as"])

        assert shown and all(isinstance(value, str) for value in shown.values()), path
    # a new record has nothing to compare with
    assert "shown_as" not in opened(analyst, "/meetings/new/")


@pytest.mark.django_db
def test_a_correction_of_a_record_deleted_once_checked_says_so(client_as, monkeypatch):
    from entities.forms import EntityForm
    from tests.factories import EntityFactory
    from tests.meanwhile import deleted_once_checked

    entity = EntityFactory(name="Riverton Police")
    deleted_once_checked(monkeypatch, EntityForm, "clean", entity)

    refused = client_as("analyst").post(f"/entities/{entity.external_id}/edit/", {"name": "Renamed", "kind": "person"})

    # the page, not a server error reading again a record no longer there
    assert refused.status_code == 400 and "deleted meanwhile" in refused.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("theirs", [{"description": "Theirs"}, {"name": "Riverton PD"}])
def test_a_change_saved_between_a_corrections_check_and_its_save_is_not_overwritten(client_as, monkeypatch, theirs):
    """The check of a change saved since runs when the form is validated; a save by someone else in
    the moment before this one locks the row was overwritten unseen."""
    from entities.forms import EntityForm
    from entities.models import Entity
    from tests.factories import EntityFactory
    from tests.meanwhile import changed_once_checked

    entity = EntityFactory(name="Riverton Police", description="")
    analyst = client_as("analyst")
    shown = opened(analyst, f"/entities/{entity.external_id}/edit/")
    changed_once_checked(monkeypatch, EntityForm, "clean", entity, **theirs)

    refused = analyst.post(f"/entities/{entity.external_id}/edit/", {**shown, "name": "Riverton Police Department"})

    assert refused.status_code == 400
    assert "someone saved a change to this entity at the same moment" in refused.content.decode()
    stored = Entity.objects.get(pk=entity.pk)
    assert {name: getattr(stored, name) for name in theirs} == theirs and (stored.name == "Riverton Police") is ("name" not in theirs)
    monkeypatch.undo()
    from tests.form_helpers import FormsOnPage

    again = FormsOnPage(refused.content.decode()).fields_of("")

    answered = analyst.post(f"/entities/{entity.external_id}/edit/", again)  # their change found, as at any save

    assert answered.status_code == 400 and "someone saved a change after you opened this form" in answered.content.decode()


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shown_as=st.one_of(st.text(max_size=40), json_values.map(json.dumps),
                          st.dictionaries(st.sampled_from(["name", "kind", "jurisdiction", "parent", "website", "description"]),
                                          json_values, max_size=6).map(json.dumps)))
def test_any_record_as_shown_sent_with_a_correction_is_answered_without_a_server_error(client_as, shown_as):
    from entities.models import Entity
    from tests.factories import EntityFactory

    entity = Entity.objects.filter(external_id="as-shown").first() or EntityFactory(external_id="as-shown", name="Riverton Police")
    response = client_as("analyst").post(f"/entities/{entity.external_id}/edit/",
                                          {"name": "Riverton Police", "kind": "person", "shown_as": shown_as})

    assert response.status_code in (302, 400)
