"""The contract's rules as models and forms report them (core/validation.py)."""
import re
from datetime import date
from decimal import Decimal, localcontext

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.validation import kept_to, may_be_thousands, name_meant, parse_decimal
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


# How a number is read from a cell of the interchange files or a form's field (parse_decimal), and kept (kept_to)

@pytest.mark.parametrize(("cell", "value"), [
    ("6000", Decimal("6000")), ("6000.5", Decimal("6000.5")), ("12,500", Decimal("12500")),
    ("1,234,567.89", Decimal("1234567.89")), ("-1,234", Decimal("-1234")), ("0.5", Decimal("0.5")),
])
def test_a_number_reads_as_written_with_commas_only_between_groups_of_three_digits(cell, value):
    assert parse_decimal(cell, places=2) == value


@pytest.mark.parametrize("cell", ["0,5", "1,5", "1234,50", "1.234,50", "1,2345", "1,000,00", ",5", "5,"])
def test_a_decimal_comma_is_refused_with_how_to_write_it(cell):
    # read as thousands separators, "0,5" was 5 and "1234,50" was 123,450
    with pytest.raises(ValueError, match=r"not a number: write decimals with a point \(1234\.50\), not a comma$"):
        parse_decimal(cell, places=1)


@pytest.mark.parametrize("cell", ["$6,000", "6000 €", "£6000.50"])
def test_a_currency_sign_is_refused_with_how_to_write_it(cell):
    with pytest.raises(ValueError, match="write the amount without its currency sign$"):
        parse_decimal(cell, places=2)


@pytest.mark.parametrize("cell", ["nan", "inf", "-Infinity", "12 500", "six"])
def test_what_is_not_a_finite_number_is_refused(cell):
    with pytest.raises(ValueError, match=f"^'{cell}' is not a number$"):
        parse_decimal(cell, places=2)


@pytest.mark.parametrize(("cell", "message"), [
    ("1.234", "'1.234' may be 1,234, with a point between thousands: write 1234, or at most 2 decimals if it is 1.234"),
    ("+12.345", "'+12.345' may be 12,345, with a point between thousands: write 12345, or at most 2 decimals if it is +12.345"),
    ("1.000.000", "'1.000.000' is not a number: write thousands without a point between them (1000000)"),
])
def test_points_between_groups_of_three_digits_refused_say_how_to_write_thousands(cell, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_decimal(cell, places=2)


@pytest.mark.parametrize(("cell", "value", "thousands"), [
    ("1.500", Decimal("1.5"), True), ("12.000", Decimal("12"), True), ("0.500", Decimal("0.5"), False), ("1.50", Decimal("1.5"), False),
    ("12.5", Decimal("12.5"), False), ("1500.000", Decimal("1500"), False),
])
def test_a_number_with_a_point_reads_as_a_decimal_and_one_that_may_be_thousands_is_known(cell, value, thousands):
    # "1.500" is a valid number: read as written, and the import notes it (fifteen hundred where a point separates thousands)
    parsed = parse_decimal(cell, places=2)

    assert parsed == value and may_be_thousands(parsed) is thousands


def test_a_rating_reads_with_any_number_of_decimals():
    # a rating of 0 to 10 is never written with thousands points: "7.525" is seven and a half
    assert parse_decimal("7.525", places=None) == Decimal("7.525")


@pytest.mark.parametrize(("cell", "value"), [
    ("1234.567", Decimal("1234.567")), ("0.125", Decimal("0.125")), ("1.2345", Decimal("1.2345")), ("1500.0001", Decimal("1500.0001")),
])
def test_an_amount_with_more_decimals_that_cannot_be_thousands_reads_as_written(cell, value):
    # the contract sets no number of decimals: kept to the cent by the import, with a note
    assert parse_decimal(cell, places=2) == value


@pytest.mark.parametrize(("value", "kept"), [
    ("99999999999999999999999999999.995", "100000000000000000000000000000.00"), ("1e30", "1000000000000000000000000000000.00"),
    ("1e-1000000", "0.00"), ("1.5e999999999", "1.5E+999999999"), ("5", "5.00"), ("5e3", "5000.00"),
])
def test_a_number_of_any_size_is_kept_without_running_out_of_digits(value, kept):
    # decimal's default context rounds to 28 digits: quantizing more raised InvalidOperation
    assert str(kept_to(Decimal(value), 2)) == kept


@given(st.decimals(min_value=0, max_value=10, places=6) | st.integers(0, 10**40).map(Decimal)
       | st.decimals(min_value=-10**40, max_value=10**40, allow_nan=False, allow_infinity=False), st.sampled_from([1, 2]))
def test_a_number_is_kept_to_the_nearest_decimal_it_keeps_halves_up(value, places):
    kept = kept_to(value, places)

    step = Decimal(1).scaleb(-places)
    with localcontext(prec=len(value.as_tuple().digits) + abs(value.as_tuple().exponent) + 10):  # exact, whatever the size
        halfway = abs(value / step) % 1 == Decimal("0.5")  # 7.25: as near 7.2 as 7.3
        assert kept.as_tuple().exponent == -places  # written with the decimals it keeps: 5000 as 5000.00
        assert abs(kept - value) == step / 2 and abs(kept) > abs(value) if halfway else abs(kept - value) < step / 2


def test_the_name_meant_is_one_spelt_closely_enough_whatever_its_case_and_hyphens():
    assert name_meant("Staus", {"status", "severity"}) == "status"
    assert name_meant("start-date", ["end_date", "start_date"]) == "start_date"
    assert name_meant("ammount", ("amount", "analyst_score")) == "amount"
    assert name_meant("colour", {"status", "severity"}) == ""
