"""Engagement selectors read by other apps' pages."""
from datetime import date

import pytest

from engagement.selectors import meetings_attended
from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory, RelationshipFactory


@pytest.mark.django_db
def test_an_organisation_was_at_the_meetings_its_people_attended_while_they_were_its_people(client_as):
    department = EntityFactory(kind="police_department", name="Department")
    chief = EntityFactory(kind="person", name="Chief")
    officer = EntityFactory(kind="person", name="Officer")
    RelationshipFactory(source=chief, target=department, type="leads", start_date=date(2020, 1, 1), end_date=date(2022, 12, 31))
    RelationshipFactory(source=officer, target=department, type="employed_by", start_date=date(2021, 6, 1), end_date=None)
    RelationshipFactory(source=chief, target=EntityFactory(kind="police_union"), type="member_of", start_date=None)
    before_the_chief = MeetingFactory(date=date(2019, 12, 31), title="before")
    while_chief = MeetingFactory(date=date(2021, 3, 1), title="chief")
    both = MeetingFactory(date=date(2022, 12, 31), title="both, and the department itself")
    after_the_chief = MeetingFactory(date=date(2023, 1, 1), title="after")
    unrelated = MeetingFactory(date=date(2024, 1, 1), title="unrelated")
    for meeting in (before_the_chief, while_chief, both, after_the_chief):
        AttendanceFactory(meeting=meeting, entity=chief)
    for meeting in (both, unrelated):
        AttendanceFactory(meeting=meeting, entity=officer if meeting is both else EntityFactory())
    AttendanceFactory(meeting=both, entity=department)

    attended = meetings_attended(department)

    assert [(m.title, in_person, [p.name for p in people]) for m, in_person, people in attended] == [
        ("both, and the department itself", True, ["Chief", "Officer"]),
        ("chief", False, ["Chief"]),
    ]
    assert [m.title for m, _, _ in meetings_attended(department, limit=1)] == ["both, and the department itself"]
    assert [(m.title, in_person) for m, in_person, _ in meetings_attended(chief)] == [
        ("after", True), ("both, and the department itself", True), ("chief", True), ("before", True),
    ]
    page = client_as("city_staff").get(f"/entities/{department.external_id}/").content.decode()
    assert f'href="/meetings/{while_chief.pk}/">chief</a> · through <a href="/entities/{chief.external_id}/">Chief</a>' in page
