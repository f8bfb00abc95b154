"""Meetings valid by the contract that are most likely one meeting given twice: the same day, type
and attendees under two ids (two board members logging the same lunch, or minutes from two sources
merged). Both count, so every pair there meets twice. Noted by an import and said when a meeting is
logged; pure: rows in, notes out."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from core.formatting import count_text
from core.repeats import first_repeats
from relationships.checks import NOTES_PER_CHECK


class MeetingRow(NamedTuple):
    at: int  # its line in a file, or the id of a stored meeting
    external_id: str
    day: date
    type: str
    attendees: frozenset[str]  # the attendees' external ids


@dataclass(frozen=True)
class RepeatedMeeting:
    at: int
    external_id: str
    first_at: int  # where the same meeting was first given
    first_external_id: str
    more: int = 0  # on the line after the first NOTES_PER_CHECK: how many more repeat an earlier one

    @property
    def message(self) -> str:
        if self.more:
            return f"and {count_text(self.more, 'more meeting', 'more meetings')} that repeat an earlier one"
        return (f"{self.external_id} looks like the same meeting as {self.first_external_id} (same day, type and attendees): "
                f"both are counted, so every pair there meets twice; if it is one meeting, remove one")


def repeated_meetings(rows: Iterable[MeetingRow]) -> list[RepeatedMeeting]:
    """Each meeting with the day, type and attendees of an earlier one, at most NOTES_PER_CHECK, then
    one saying how many more. Meetings of fewer than two attendees are let be: they make no pair."""
    pairs, more = first_repeats((row for row in rows if len(row.attendees) > 1),
                                lambda row: (row.day, row.type, row.attendees), NOTES_PER_CHECK)
    found = [RepeatedMeeting(row.at, row.external_id, earlier.at, earlier.external_id) for row, earlier in pairs]
    if more:
        last = found[-1]
        found.append(RepeatedMeeting(last.at, last.external_id, last.first_at, last.first_external_id, more))
    return found
