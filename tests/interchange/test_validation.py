"""Cell parsing of the interchange files (interchange/validation.py): how numbers are read."""
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
