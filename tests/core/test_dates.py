"""Date windows at the ends of the calendar (core/dates.py)."""
from datetime import date

import pytest

from core.dates import days_before, is_after, years_before


@pytest.mark.parametrize("day,years,expected", [
    (date(2026, 6, 30), 2, date(2024, 6, 30)),
    (date(2024, 2, 29), 1, date(2023, 2, 28)),  # a leap day gives the last day of February
    (date(5, 1, 1), 4, date(1, 1, 1)),
    (date(4, 12, 31), 5, None),  # before year 1: every date comes after it
    (date.min, 2, None),
    (date.max, 5, date(9994, 12, 31)),
])
def test_years_before_counts_calendar_years_and_says_when_it_is_before_year_1(day, years, expected):
    assert years_before(day, years) == expected


@pytest.mark.parametrize("day,days,expected", [
    (date(2026, 3, 1), 1, date(2026, 2, 28)),
    (date(1, 1, 31), 30, date.min),
    (date(1, 1, 30), 30, date.min),
    (date.max, 30, date(9999, 12, 1)),
])
def test_days_before_stops_at_the_first_day(day, days, expected):
    assert days_before(day, days) == expected


def test_every_day_is_after_a_start_before_year_1_and_after_only_later_starts_otherwise():
    assert is_after(date.min, None)
    assert is_after(date(2026, 1, 2), date(2026, 1, 1))
    assert not is_after(date(2026, 1, 1), date(2026, 1, 1))
