"""Cell parsing of the interchange files (interchange/validation.py): how numbers are read."""
import re
from decimal import Decimal

import pytest

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
    ("1.500", "'1.500' may be 1.5 or 1,500: write 1500 for the thousands, or 1.50 for the decimals"),
    ("12.000", "'12.000' may be 12 or 12,000: write 12000 for the thousands, or 12.00 for the decimals"),
    ("1.234", "'1.234' has more than 2 decimal places (if it is 1,234, write 1234)"),
    ("1.000.000", "'1.000.000' is not a number: write thousands without a point between them (1000000)"),
])
def test_points_between_groups_of_three_digits_are_refused_with_both_readings(cell, message):
    # where the point separates thousands, "1.500" is fifteen hundred: it was read as 1.5 without a word
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_decimal(cell, places=2)


@pytest.mark.parametrize(("cell", "value"), [("0.500", Decimal("0.5")), ("1.50", Decimal("1.5")), ("12.5", Decimal("12.5")),
                                             ("1500.000", Decimal("1500"))])
def test_a_point_that_can_only_be_the_decimal_mark_reads_as_written(cell, value):
    assert parse_decimal(cell, places=2) == value


def test_a_rating_with_points_between_groups_of_three_digits_can_only_be_a_decimal():
    assert parse_decimal("7.500", places=1, thousands_possible=False) == Decimal("7.5")
