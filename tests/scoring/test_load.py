"""The loader reads the database into the engine's plain data as the ORM sees it."""
from datetime import date

import pytest

from engagement.models import Attendance, Meeting
from engagement.types import MeetingType
from relationships.types import MONEY_TYPES, RelationshipType
from scoring.engine.data import RelationshipColumns
from scoring.load import load_evidence, load_meetings, load_relationship_columns, load_relationships
from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory, RelationshipFactory


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


@pytest.mark.django_db
def test_relationship_columns_read_by_the_database_are_those_of_the_records():
    """The engine's arrays as the database computes them (days, type codes, missing amounts,
    ratings and dates) against the same arrays built from the records in Python."""
    for i, rel_type in enumerate(RelationshipType.values):
        RelationshipFactory(
            type=rel_type,
            start_date=None if i % 3 == 0 else date(2000 + 4 * i, 2, 28 + i % 2),
            end_date=date(2070, 12, 31) if i % 2 else None,
            amount="1234.56" if rel_type in MONEY_TYPES else (None if i % 2 else "0.05"),
            analyst_score=None if i % 4 == 0 else f"{i % 11}.5" if i % 11 < 10 else "10.0",
        )
    from_records = RelationshipColumns.of(load_relationships())
    read = load_relationship_columns()

    for column in ("id", "source", "target", "start_day", "end_day", "amount", "rating"):
        assert getattr(read, column).tolist() == getattr(from_records, column).tolist(), column
    types = [read.type_names[code] for code in read.type_code]
    assert types == [from_records.type_names[code] for code in from_records.type_code]
    assert load_evidence().relationship_table().id.tolist() == read.id.tolist()


@pytest.mark.django_db
def test_an_incremental_recompute_reads_the_columns_of_its_scope_and_the_meetings_of_its_people():
    """Scoped, the loader reads the scope's relationships and every affiliation as columns (the same
    ones the records would give), and the meetings the scope attended in person or through its
    people."""
    chief, board, outsider, other = EntityFactory.create_batch(4)
    RelationshipFactory(source=chief, target=board, type=RelationshipType.LEADS)
    RelationshipFactory(source=outsider, target=other, type=RelationshipType.MEMBER_OF)  # an affiliation: kept
    RelationshipFactory(source=outsider, target=other, type=RelationshipType.CONTRIBUTES_TO, amount="50.00")  # neither: left out
    RelationshipFactory(source=other, target=board, type=RelationshipType.CONTRIBUTES_TO, amount="75.00")
    through_chief, with_outsider = MeetingFactory(), MeetingFactory()
    AttendanceFactory(meeting=through_chief, entity=chief)
    AttendanceFactory(meeting=with_outsider, entity=outsider)

    scope = {board.pk}
    read = load_relationship_columns(scope)
    from_records = RelationshipColumns.of(load_relationships(scope))
    assert len(read.id) == 3
    for column in ("id", "source", "target", "start_day", "end_day", "amount", "rating"):
        assert getattr(read, column).tolist() == getattr(from_records, column).tolist(), column
    evidence = load_evidence(scope)
    assert evidence.relationship_table().id.tolist() == read.id.tolist()
    assert evidence.meetings.meeting_id.tolist() == [through_chief.pk]
