"""Meetings valid by the contract that are most likely one meeting given twice: the same day, type
and attendees under two ids (two board members logging the same lunch, or minutes from two sources
merged). Both count, so every pair there meets twice. Noted by an import and said when a meeting is
logged; pure: rows in, notes out."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from core.repeats import NOTES_PER_CHECK, Repeat, firsts, repeats


class MeetingRow(NamedTuple):
    at: int  # its line in a file, or the id of a stored meeting
    external_id: str
    day: date
    type: str
    attendees: frozenset[str]  # the attendees' external ids


def repeated_meetings(rows: Iterable[MeetingRow]) -> list[Repeat]:
    """Each meeting with the day, type and attendees of an earlier one, at most NOTES_PER_CHECK, then
    one saying how many more. Meetings of fewer than two attendees are let be: they make no pair."""
    def why(row: MeetingRow, earlier: MeetingRow) -> str:
        return (f"{row.external_id} looks like the same meeting as {earlier.external_id} (same day, type and attendees): "
                f"both are counted, so every pair there meets twice; if it is one meeting, remove one")

    return repeats((row for row in rows if len(row.attendees) > 1), meeting_of, NOTES_PER_CHECK, why, ("meeting", "meetings"))


def meeting_of(row: MeetingRow) -> tuple:
    """What makes two meetings one: their day, type and attendees."""
    return row.day, row.type, row.attendees


def meetings_given_again(stored: Iterable[MeetingRow], given: Iterable[MeetingRow]) -> list[Repeat]:
    """Each of the `given` meetings (a file's, in its order) with the day, type and attendees of a
    `stored` one, at most NOTES_PER_CHECK, then one saying how many more. Repeats within either
    side are not reported here (the file's own are noted on their lines)."""
    return repeated_meetings(firsts(stored, meeting_of) + firsts(given, meeting_of))
