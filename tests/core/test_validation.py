"""The contract's rules as models and forms report them (core/validation.py)."""
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from engagement.forms import MeetingForm
from engagement.models import Meeting
from entities.models import Entity
from relationships.models import Relationship
from tests.factories import EntityFactory


def test_a_required_field_left_empty_on_a_form_is_reported_once():
    # Django's own check says "This field is required."; the contract's "is required" said it again
    form = MeetingForm(data={"date": "2026-05-01", "title": "", "type": ""})

    assert not form.is_valid()
    assert form.errors["type"] == ["This field is required."]
    assert form.errors["title"] == ["This field is required."]


@pytest.mark.django_db
def test_a_model_checked_whole_reports_an_empty_required_field_once():
    with pytest.raises(ValidationError) as refused:
        Meeting(external_id="m-1", date=date(2026, 5, 1), type="", title="").full_clean()

    assert {field: len(messages) for field, messages in refused.value.message_dict.items()} == {"type": 1, "title": 1}


@pytest.mark.django_db
def test_the_contracts_other_rules_still_speak_on_a_model():
    a, b = EntityFactory(), EntityFactory()
    with pytest.raises(ValidationError) as refused:
        Relationship(external_id="r 1", source=a, target=b, type="funds", start_date=date(2026, 1, 1)).full_clean()

    messages = refused.value.message_dict
    assert any("is required for funds" in m for m in messages["amount"])  # the field may be blank, but not for funds
    assert "external_id" in messages  # a space is not allowed in a key


@pytest.mark.django_db
def test_a_value_that_is_not_empty_but_wrong_is_the_contracts_to_report():
    with pytest.raises(ValidationError) as refused:
        Entity(external_id="e-1", name="A name", kind="planet").full_clean()

    assert any("police_department" in m for m in refused.value.message_dict["kind"])  # the contract's list of kinds


@pytest.mark.django_db
@pytest.mark.parametrize("blank", ["   ", "\t", " \n "])
def test_a_name_or_title_of_spaces_is_missing(blank):
    # forms, the API and the CSV reader strip cells; a model saved directly (a script, the shell) does not
    with pytest.raises(ValidationError) as entity_refused:
        Entity(external_id="e-1", name=blank, kind="person").full_clean()
    with pytest.raises(ValidationError) as meeting_refused:
        Meeting(external_id="m-1", date=date(2026, 5, 1), type="community_forum", title=blank).full_clean()

    assert entity_refused.value.message_dict["name"] == ["is required"]
    assert meeting_refused.value.message_dict["title"] == ["is required"]


@pytest.mark.parametrize(("rule", "value", "meant"), [
    ("entity", "Police Department", "police_department"), ("entity", "police-department", "police_department"),
    ("meeting", "Private meeting", "private_meeting"), ("attendance", "Organizer", "organizer"),
    ("relationship", "Budget Authority", "budget_authority"),
    # or as the pages label it
    ("entity", "Sheriff's Office", "sheriffs_office"), ("entity", "Sheriff’s office", "sheriffs_office"),
    ("entity", "Civil-rights organisation", "civil_rights_org"), ("entity", "civil rights org", "civil_rights_org"),
    # or in the words other data sets use
    ("entity", "Police", "police_department"), ("relationship", "Donation", "contributes_to"), ("relationship", "MOU", "partners_with"),
    ("meeting", "Town hall", "community_forum"), ("attendance", "Organiser", "organizer"), ("attendance", "speaker", "presenter"),
    ("entity", "Mayor", "elected_official"), ("entity", "council member", "elected_official"),
    ("attendance", "Chair", "organizer"), ("attendance", "observer", "attendee"),
])
def test_a_choice_written_in_words_is_unknown_and_the_problem_names_the_value_meant(rule, value, meant):
    from core.validation import attendance_problems, entity_problems, meeting_problems, relationship_problems

    problems = {
        "entity": lambda: entity_problems(name="A", kind=value),
        "meeting": lambda: meeting_problems(type=value, title="A"),
        "attendance": lambda: attendance_problems(role=value),
        "relationship": lambda: relationship_problems(type=value, source="a", target="b", start_date=None, end_date=None,
                                                      amount=None, analyst_score=None),
    }[rule]()

    assert len(problems) == 1 and problems[0].message.startswith("unknown ")
    assert problems[0].message.endswith(f"; did you mean '{meant}'?")


@pytest.mark.parametrize(("value", "meant"), [
    ("funded_by", "funds"), ("Overseen by", "oversees"), ("employs", "employed_by"), ("led-by", "leads"), ("has_member", "member_of"),
])
def test_a_type_written_from_the_other_end_is_unknown_and_the_problem_says_how_to_write_it(value, meant):
    from core.validation import relationship_problems

    (problem,) = relationship_problems(type=value, source="a", target="b", start_date=None, end_date=None, amount=None,
                                       analyst_score=None)

    assert problem.field == "type" and problem.message.startswith(f"unknown type '{value}' (expected one of: oversees, ")
    assert problem.message.endswith(f"; write it as '{meant}' from the other side (swap source and target)")


def test_a_kind_that_may_be_either_of_two_names_both():
    from core.validation import entity_problems

    (problem,) = entity_problems(name="A", kind="Sheriff")

    assert problem.message.endswith("; did you mean 'sheriffs_office' (the office) or 'elected_official' (the sheriff, elected)?")


@pytest.mark.parametrize("value", ["sheriffs deputy", "persons", "private meetings"])
def test_a_choice_that_is_no_value_written_otherwise_gets_no_guess(value):
    from core.validation import entity_problems

    problems = entity_problems(name="A", kind=value)

    assert len(problems) == 1 and "did you mean" not in problems[0].message


@pytest.mark.parametrize(("value", "named"), [
    ("x y", "U+0020, space, at character 2"),
    ("p1\u200b", "U+200B, zero width space, at character 3"),  # pasted from a web page: looks like 'p1'
    ("p\u00a01", "U+00A0, no-break space, at character 2"),
    ("é-1", "'é' at character 1"),
    ("a/b", "'/' at character 2"),
    ("p1\n", "U+000A, a control character, at character 3"),  # a final newline got past '$'
])
def test_an_id_with_a_character_it_may_not_hold_names_that_character_and_where_it_is(value, named):
    from core.validation import external_id_problems

    assert [p.message for p in external_id_problems(value)] == [
        f"'{value}' may hold only the letters A-Z and a-z, digits, '-', '_' and '.' ({named})"]


@pytest.mark.parametrize("value", ["lk-pd", "A.b_c-9", "x" * 100])
def test_an_id_of_the_allowed_characters_is_fine(value):
    from core.validation import external_id_problems

    assert external_id_problems(value) == []
