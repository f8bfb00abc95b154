"""The loader reads the database into the engine's plain data as the ORM sees it."""
from datetime import date

import pytest

from engagement.models import Attendance, Meeting
from engagement.types import MeetingType
from scoring.load import load_meetings
from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory


@pytest.mark.django_db
def test_meetings_load_with_their_day_type_and_attendance():
    people = EntityFactory.create_batch(3)
    for i, meeting_type in enumerate(MeetingType.values):
        meeting = MeetingFactory(type=meeting_type, date=date(2020 + i, 2, 29 if i % 4 == 0 else 28))
        for person in people[: 1 + i % 3]:
            AttendanceFactory(meeting=meeting, entity=person)

    def as_rows(table):
        return sorted(
            (int(table.meeting_id[m]), date.fromordinal(int(table.meeting_day[m])), table.meeting_type[m], int(e))
            for m, e in zip(table.attendance_meeting, table.attendance_entity)
        )

    expected = sorted((a.meeting_id, a.meeting.date, a.meeting.type, a.entity_id) for a in Attendance.objects.select_related("meeting"))
    assert as_rows(load_meetings()) == expected
    some = sorted(Meeting.objects.values_list("id", flat=True))[::2]
    assert as_rows(load_meetings(some)) == [row for row in expected if row[0] in some]
    assert len(load_meetings([])) == 0
