"""Cell parsing of the interchange files (interchange/validation.py): how numbers are read."""
import re
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interchange.validation import parse_decimal


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
    from interchange.validation import may_be_thousands

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
    from core.validation import kept_to

    assert str(kept_to(Decimal(value), 2)) == kept


@given(st.decimals(min_value=0, max_value=10, places=6) | st.integers(0, 10**40).map(Decimal)
       | st.decimals(min_value=-10**40, max_value=10**40, allow_nan=False, allow_infinity=False), st.sampled_from([1, 2]))
def test_a_number_is_kept_to_the_nearest_decimal_it_keeps_halves_up(value, places):
    from core.validation import kept_to

    kept = kept_to(value, places)

    step = Decimal(1).scaleb(-places)
    with localcontext(prec=len(value.as_tuple().digits) + abs(value.as_tuple().exponent) + 10):  # exact, whatever the size
        halfway = abs(value / step) % 1 == Decimal("0.5")  # 7.25: as near 7.2 as 7.3
        assert kept.as_tuple().exponent == -places  # written with the decimals it keeps: 5000 as 5000.00
        assert abs(kept - value) == step / 2 and abs(kept) > abs(value) if halfway else abs(kept - value) < step / 2
