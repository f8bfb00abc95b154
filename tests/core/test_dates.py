"""Date windows at the ends of the calendar (core/dates.py)."""
from datetime import date

import pytest

from core.dates import days_before, is_after, parse_iso_date, years_before


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


@pytest.mark.parametrize("text,message", [
    # written in another form: how to write it, both ways where day and month could swap
    ("2026-1-1", "'2026-1-1' is not a date in the form YYYY-MM-DD: write it 2026-01-01"),
    ("2026/06/30", "'2026/06/30' is not a date in the form YYYY-MM-DD: write it 2026-06-30"),
    ("30.06.2026", "'30.06.2026' is not a date in the form YYYY-MM-DD: write it 2026-06-30"),
    ("06/30/2026", "'06/30/2026' is not a date in the form YYYY-MM-DD: write it 2026-06-30"),
    ("01/02/2026", "'01/02/2026' is not a date in the form YYYY-MM-DD: write it 2026-01-02 or 2026-02-01, whichever is meant"),
    ("2026/02/30", "'2026/02/30' is not a date in the form YYYY-MM-DD"),
    ("13/13/2026", "'13/13/2026' is not a date in the form YYYY-MM-DD"),
    ("2026", "'2026' is not a date in the form YYYY-MM-DD"),
    ("2026-02-29", "'2026-02-29' is not a real calendar date"),
    ("0000-01-01", "'0000-01-01' is not a real calendar date"),
    ("2026-01-01\n", "'2026-01-01\n' is not a date in the form YYYY-MM-DD"),
    # a spreadsheet's date with its time
    ("2026-06-30 00:00:00", "'2026-06-30 00:00:00' is not a date in the form YYYY-MM-DD: write the day without a time"),
    ("2026-06-30T09:30", "'2026-06-30T09:30' is not a date in the form YYYY-MM-DD: write the day without a time"),
    ("2026-06-301", "'2026-06-301' is not a date in the form YYYY-MM-DD"),
    ("\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661", "'\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661' is not a date in the form YYYY-MM-DD"),
])
def test_a_date_that_is_not_iso_or_not_a_real_day_says_which(text, message):
    with pytest.raises(ValueError) as refused:
        parse_iso_date(text)
    assert str(refused.value) == message


def test_an_iso_date_parses():
    assert parse_iso_date("2024-02-29") == date(2024, 2, 29)
