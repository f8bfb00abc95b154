"""Date arithmetic that stays within Python's dates (year 1 to 9999). A data set may hold any ISO
date and a recompute may take any reference date: a window reaching past year 1 covers the rest
of time on that side instead of failing the whole recompute (a seat dated 0001-01-03, a typo
for 2001-01-03, made every recompute fail with "year -4 is out of range")."""
import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def years_before(day: date, years: int) -> date | None:
    """The same day `years` calendar years earlier (29 February gives 28 February), or None when
    that is before year 1: every date there is comes after it (`is_after`)."""
    try:
        return day - relativedelta(years=years)
    except (ValueError, OverflowError):
        return None


def is_after(day: date, start: date | None) -> bool:
    """Whether `day` comes after `start` (a window's start from `years_before`; None: before year 1)."""
    return start is None or day > start


def after_today_note(external_id: str, day: date, today: date, counts: str) -> str:
    """What to say of an event (a meeting, a disclosure) dated after today: it `counts` ("counts
    toward closeness") only from that day, and a mistyped year is likelier than a planned one."""
    return (f"{external_id} is dated {day.isoformat()}, after today ({today.isoformat()}): it {counts} only from that day; "
            "if the year is mistyped, correct it")


def days_before(day: date, days: int) -> date:
    """`days` days earlier, or the first day there is."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits: \d takes any script's too


_YEAR_FIRST = re.compile(r"([0-9]{4})[/.-]([0-9]{1,2})[/.-]([0-9]{1,2})")  # 2026/06/30, 2026.6.30, 2026-6-3
_YEAR_LAST = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")  # 30/06/2026, 06/30/2026, 30.06.2026


def _written_iso(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _how_to_write(text: str) -> str:
    """The hint after "not a date in the form YYYY-MM-DD": the day alone for a date with a time, the
    ISO form of a date written in another order (both readings where day and month could swap)."""
    if _ISO_DATE.match(text) is not None and text[10:11] in (" ", "T"):  # a spreadsheet's date and time
        return ": write the day without a time"
    if found := _YEAR_FIRST.fullmatch(text):
        iso = _written_iso(*found.groups())
        return f": write it {iso}" if iso else ""
    if found := _YEAR_LAST.fullmatch(text):
        first, second, year = found.groups()
        readings = sorted({iso for iso in (_written_iso(year, second, first), _written_iso(year, first, second)) if iso})
        return f": write it {' or '.join(readings)}, whichever is meant" if len(readings) > 1 else (
            f": write it {readings[0]}" if readings else "")
    return ""


def parse_iso_date(text: str) -> date:
    """A date written YYYY-MM-DD (the interchange files, `--as-of`, the API's `?as_of=`); a
    ValueError saying which of the two is wrong otherwise: the form (with how to write it, when
    that can be told), or the day (2026-02-29)."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"'{text}' is not a date in the form YYYY-MM-DD{_how_to_write(text)}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a real calendar date") from None
