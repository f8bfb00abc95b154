"""Engagement selectors read by other apps' pages."""
from datetime import date

import pytest

from engagement.selectors import meetings_attended, organisations_represented
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
    while_chief = MeetingFactory(date=date(2021, 3, 1), title="chief", source_url="https://city.example.org/minutes/chief")
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
    assert (f'href="/meetings/{while_chief.pk}/">chief</a> · through <a href="/entities/{chief.external_id}/">Chief</a> · '
            '<a href="https://city.example.org/minutes/chief" rel="noopener noreferrer nofollow">source</a></li>') in page
    assert f'href="/meetings/{both.pk}/">both, and the department itself</a> · with' in page
    assert page.count('this fact cannot be checked here">no source</span></li>') == 1  # the other meeting cites none


@pytest.mark.django_db
def test_a_meeting_names_the_organisations_present_through_its_attendees_on_its_day(client_as):
    department = EntityFactory(kind="police_department", name="Department")
    board = EntityFactory(kind="oversight_body", name="Board")
    union = EntityFactory(kind="police_union", name="Union")
    chief, chair, officer = (EntityFactory(kind="person", name=name) for name in ("Chief", "Chair", "Officer"))
    RelationshipFactory(source=chief, target=department, type="leads", start_date=date(2020, 1, 1))
    RelationshipFactory(source=officer, target=department, type="employed_by", start_date=None)
    RelationshipFactory(source=officer, target=union, type="member_of", start_date=date(2027, 1, 1))  # not yet
    RelationshipFactory(source=chair, target=board, type="leads", start_date=date(2019, 1, 1), end_date=date(2025, 12, 31))  # no longer
    RelationshipFactory(source=chief, target=board, type="oversees")  # not an affiliation
    meeting = MeetingFactory(date=date(2026, 1, 15), title="Lunch")
    for person in (chief, chair, officer):
        AttendanceFactory(meeting=meeting, entity=person)

    assert organisations_represented(meeting) == [(department, [chief, officer])]
    AttendanceFactory(meeting=meeting, entity=department)  # present itself: not repeated
    assert organisations_represented(meeting) == []
    page = client_as("city_staff").get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Organisations present through their people" not in page


@pytest.mark.django_db
def test_the_meeting_page_lists_the_organisations_present_through_their_people(client_as):
    department = EntityFactory(kind="police_department", name="Department")
    chief = EntityFactory(kind="person", name="Chief")
    RelationshipFactory(source=chief, target=department, type="leads", start_date=date(2020, 1, 1))
    meeting = AttendanceFactory(entity=chief).meeting

    page = client_as("city_staff").get(f"/meetings/{meeting.pk}/").content.decode()

    assert f'<li><a href="/entities/{department.external_id}/">Department</a>, through Chief</li>' in page


@pytest.mark.django_db
def test_the_meeting_page_says_what_the_meeting_adds_to_each_pair_as_the_pair_page_weighs_it(lakeside, client_as):
    from engagement.models import Meeting
    from scoring.services import recompute

    meeting = Meeting.objects.filter(attendance__entity__external_id="p-chair", type="private_meeting").order_by("-date").first()
    staff = client_as("city_staff")
    assert "Not scored yet" in staff.get(f"/meetings/{meeting.pk}/").content.decode()
    recompute(as_of=date(2026, 6, 30))

    page = staff.get(f"/meetings/{meeting.pk}/")

    weight = page.context["as_evidence"]["weight"]
    pair = staff.get("/closeness/lk-ob/lk-pd/").context["meetings"]
    assert weight > 0 and dict((m.pk, w) for m, w in pair)[meeting.pk] == pytest.approx(weight)
    assert f"this meeting adds <strong>{weight:.3f}</strong>" in page.content.decode()
    # a meeting after the scores' date is not in them yet
    later = MeetingFactory(date=date(2026, 7, 15))
    assert "comes after their date" in staff.get(f"/meetings/{later.pk}/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), [(date(2025, 7, 1), date(2026, 6, 30)), (date(2026, 3, 1), date(2026, 3, 31)), (date(2010, 1, 1), date(2010, 12, 31))])
def test_coverage_reads_agencies_only_for_its_period_and_reports_the_same(lakeside, start, end):
    """The meetings outside the period tell only the neighbourhoods and their last engagement:
    their agencies are left unread, and the report and its download are those of every meeting's."""
    from engagement.coverage import coverage_csv_rows, coverage_report
    from engagement.selectors import agency_names, meeting_facts

    every = meeting_facts()
    in_period = meeting_facts(agencies_between=(start, end))
    names = agency_names({a for f in every for a in f.agencies})

    assert [f for f in in_period if f.agencies and not start <= f.date <= end] == []
    assert coverage_report(in_period, start=start, end=end, agency_names=names) == coverage_report(every, start=start, end=end, agency_names=names)
    assert list(coverage_csv_rows(in_period, start=start, end=end, agency_names=names)) == list(
        coverage_csv_rows(every, start=start, end=end, agency_names=names))
    if start.year == 2025:
        assert any(f.agencies for f in in_period)  # the lakeside's last year has agencies to count
