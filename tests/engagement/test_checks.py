"""A meeting given twice (engagement.checks): pure, then as an import notes it and as the meeting
form says so when a board member logs one that is already there."""
from datetime import date

import pytest

from core.repeats import NOTES_PER_CHECK
from engagement.checks import MeetingRow, repeated_meetings
from tests.imports import data_set, import_notes

DAY = date(2026, 3, 5)


def test_a_meeting_with_the_day_type_and_attendees_of_an_earlier_one_is_found():
    rows = [
        MeetingRow(2, "m-1", DAY, "private_meeting", frozenset({"chief", "chair"})),
        MeetingRow(3, "m-2", DAY, "private_meeting", frozenset({"chair", "chief"})),  # the same lunch, logged twice
        MeetingRow(4, "m-3", DAY, "focus_group", frozenset({"chief", "chair"})),  # another type
        MeetingRow(5, "m-4", date(2026, 3, 6), "private_meeting", frozenset({"chief", "chair"})),  # another day
        MeetingRow(6, "m-5", DAY, "private_meeting", frozenset({"chief", "chair", "mayor"})),  # someone else there too
        MeetingRow(7, "m-6", DAY, "private_meeting", frozenset({"chief"})),  # one attendee: no pair to count twice
        MeetingRow(8, "m-7", DAY, "private_meeting", frozenset({"chief"})),
    ]

    found = [(r.at, r.first_at, r.message) for r in repeated_meetings(rows)]

    assert found == [(3, 2, "m-2 looks like the same meeting as m-1 (same day, type and attendees): both are counted, "
                            "so every pair there meets twice; if it is one meeting, remove one")]


def test_past_the_listed_repeated_meetings_one_line_counts_the_others():
    rows = [MeetingRow(line, f"m-{line}", DAY, "community_forum", frozenset({"a", "b"})) for line in range(2, NOTES_PER_CHECK + 5)]

    found = repeated_meetings(rows)

    assert len(found) == NOTES_PER_CHECK + 1 and found[-1].message == "and 2 more meetings that repeat an earlier one"


@pytest.mark.django_db
def test_a_meeting_given_twice_is_noted_by_the_import(tmp_path):
    # minutes from two sources merged: the same lunch under two ids and two titles
    (tmp_path / "entities.csv").write_text("external_id,name,kind\nchief,Chief,person\nchair,Chair,person\n")
    (tmp_path / "meetings.csv").write_text("external_id,date,type,title\nm-1,2026-03-05,private_meeting,Working lunch\n"
                                           "m-2,2026-03-05,private_meeting,Chief and chair\nm-3,2026-03-05,focus_group,Panel\n")
    (tmp_path / "attendance.csv").write_text("meeting,entity\nm-1,chief\nm-1,chair\nm-2,chair\nm-2,chief\nm-3,chief\nm-3,chair\n")

    assert import_notes(tmp_path) == [
        "meetings.csv:3: external_id: note: m-2 looks like the same meeting as m-1 (same day, type and attendees): both are "
        "counted, so every pair there meets twice; if it is one meeting, remove one (line 2)"]


@pytest.mark.django_db
def test_a_board_member_logging_a_meeting_already_there_is_told_which_one(lakeside, client_as):
    from tests.engagement.test_views import meeting_post

    board = client_as("board_member")
    board.post("/meetings/new/", meeting_post(["x-a1", "x-b1"], title="Lunch"), follow=True)

    again = board.post("/meetings/new/", meeting_post(["x-b1", "x-a1"], title="Coffee"), follow=True).content.decode()
    other = board.post("/meetings/new/", meeting_post(["x-b1", "x-a1"], title="Panel", type="focus_group"), follow=True).content.decode()

    assert "“Coffee” looks like the same meeting as “Lunch” (" in again and "the same day, type and attendees" in again
    assert "looks like the same meeting" not in other


@pytest.mark.django_db
def test_the_api_saves_a_meeting_given_twice_or_dated_ahead_and_says_why_in_its_warnings(lakeside, client_as):
    from datetime import timedelta

    from django.utils import timezone

    api = client_as("board_member")
    today, ahead = timezone.localdate(), timezone.localdate() + timedelta(days=3650)
    body = {"external_id": "m-api-1", "date": today.isoformat(), "type": "private_meeting", "title": "Lunch",
            "attendance": [{"entity": "x-a1"}, {"entity": "x-b1"}]}

    first = api.post("/api/meetings/", body, content_type="application/json")
    again = api.post("/api/meetings/", {**body, "external_id": "m-api-2", "title": "Coffee"}, content_type="application/json")
    later = api.post("/api/meetings/", {**body, "external_id": "m-api-3", "date": ahead.isoformat()}, content_type="application/json")

    assert first.status_code == again.status_code == later.status_code == 201
    assert first.json()["warnings"] == []
    assert len(again.json()["warnings"]) == 1 and again.json()["warnings"][0].startswith("“Coffee” looks like the same meeting as “Lunch” (m-api-1, logged by ")
    assert later.json()["warnings"] == [f"“Lunch” is dated {ahead.isoformat()}, after today: it counts toward closeness only from that day. "
                                        "Correct the date if it is a mistake."]
    assert api.get("/api/meetings/m-api-2/").json()["warnings"] == []  # said when saved, not each time it is read


@pytest.mark.django_db
def test_a_meeting_given_twice_is_named_however_many_other_meetings_of_its_day_repeat_each_other():
    from engagement.selectors import meeting_given_twice
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory

    def meeting(ext, attendees):
        m = MeetingFactory(external_id=ext, date=DAY, type="community_forum")
        for entity in attendees:
            AttendanceFactory(meeting=m, entity=entity)
        return m

    people = EntityFactory.create_batch(NOTES_PER_CHECK + 3, kind="person")
    # a forum series logged twice over, all stored before the lunch and its twin
    for i, person in enumerate(people[1:]):
        meeting(f"forum-{i}-a", [people[0], person])
        meeting(f"forum-{i}-b", [people[0], person])
    lunch = meeting("lunch", people[1:3] + [people[-1]])
    twin = meeting("lunch-again", people[1:3] + [people[-1]])

    assert meeting_given_twice(twin) == lunch
    assert meeting_given_twice(lunch) == twin


def test_a_file_s_meeting_with_the_day_type_and_attendees_of_a_stored_one_is_found_each_side_s_own_repeats_left_be():
    from engagement.checks import meetings_given_again

    pair, trio = frozenset({"chief", "chair"}), frozenset({"chief", "chair", "mayor"})
    stored = [MeetingRow(101, "m-1", DAY, "private_meeting", pair), MeetingRow(102, "m-1b", DAY, "private_meeting", pair),
              MeetingRow(103, "m-2", DAY, "focus_group", trio)]
    given = [MeetingRow(2, "x-1", DAY, "private_meeting", pair), MeetingRow(3, "x-2", DAY, "private_meeting", pair),  # the file's own repeat
             MeetingRow(4, "x-3", DAY, "focus_group", pair), MeetingRow(5, "x-4", DAY, "focus_group", trio)]

    found = [(f.at, f.first_external_id) for f in meetings_given_again(stored, given)]

    assert found == [(2, "m-1"), (5, "m-2")]


@pytest.mark.django_db
def test_an_import_giving_again_under_new_ids_a_stored_meeting_is_noted_naming_it(tmp_path):
    entities = "external_id,name,kind\nchief,Chief,person\nchair,Chair,person\nmayor,Mayor,elected_official\n"
    first = data_set(tmp_path / "first", entities=entities,
                     meetings="external_id,date,type,title\nm-1,2026-03-05,private_meeting,Working lunch\nm-2,2026-03-06,private_meeting,Coffee\n",
                     attendance="meeting,entity\nm-1,chief\nm-1,chair\nm-2,chief\nm-2,chair\n")
    # the same minutes from another source, numbered its own way, with one meeting the first had not
    second = data_set(tmp_path / "second", entities=entities,
                      meetings="external_id,date,type,title\nn-5,2026-03-06,private_meeting,Chief and chair\n"
                               "n-6,2026-03-05,private_meeting,Lunch with the mayor\nn-7,2026-03-05,private_meeting,Lunch\n",
                      attendance="meeting,entity\nn-5,chair\nn-5,chief\nn-6,chief\nn-6,chair\nn-6,mayor\nn-7,chief\nn-7,chair\n")

    assert import_notes(first) == []
    assert import_notes(first) == []  # the same files again: their meetings are the stored ones
    assert import_notes(second) == [
        "meetings.csv:2: external_id: note: n-5 looks like the same meeting as m-2 (same day, type and attendees): both are counted, "
        "so every pair there meets twice; if it is one meeting, remove one (m-2 is already in the tracker)",
        "meetings.csv:4: external_id: note: n-7 looks like the same meeting as m-1 (same day, type and attendees): both are counted, "
        "so every pair there meets twice; if it is one meeting, remove one (m-1 is already in the tracker)"]


@pytest.mark.django_db
def test_the_admin_saves_a_meeting_given_twice_with_the_page_s_warning(admin_site_client):
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory

    chief, chair = EntityFactory(external_id="chief", kind="person"), EntityFactory(external_id="chair", kind="person")
    lunch = MeetingFactory(external_id="m-1", date=DAY, type="private_meeting", title="Lunch")
    for entity in (chief, chair):
        AttendanceFactory(meeting=lunch, entity=entity)
    def added(external_id, attendees):
        form = {"external_id": external_id, "date": DAY.isoformat(), "type": "private_meeting", "title": "Coffee",
                "attendance-TOTAL_FORMS": len(attendees), "attendance-INITIAL_FORMS": 0}
        for i, entity in enumerate(attendees):
            form |= {f"attendance-{i}-entity": entity.pk, f"attendance-{i}-role": "attendee"}
        return admin_site_client.post("/admin/engagement/meeting/add/", form, follow=True).content.decode()

    again, alone = added("m-2", [chair, chief]), added("m-3", [chief])

    assert "Saved, but worth a look: “Coffee” looks like the same meeting as “Lunch” (m-1, imported or entered in the admin)" in again
    assert "worth a look" not in alone


@pytest.mark.django_db
def test_the_sources_page_lists_the_stored_meetings_given_twice_once_shown(client_as):
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory

    chief, chair, mayor = (EntityFactory(external_id=ext, kind="person") for ext in ("chief", "chair", "mayor"))

    def meeting(ext, attendees, day=DAY, type="private_meeting"):
        m = MeetingFactory(external_id=ext, date=day, type=type, title=f"Meeting {ext}")
        for entity in attendees:
            AttendanceFactory(meeting=m, entity=entity)

    meeting("m-1", [chief, chair])
    meeting("m-2", [chair, chief])  # the same lunch, logged twice
    meeting("m-3", [chief, chair, mayor])  # someone else there too
    meeting("m-4", [chief, chair], type="focus_group")
    meeting("m-5", [chief, chair], day=date(2026, 3, 6))
    meeting("m-6", [mayor]), meeting("m-7", [mayor])  # one attendee: no pair counted twice
    staff = client_as("city_staff")

    page = staff.get("/sources/").content.decode()
    shown = staff.get("/sources/?checks=meetings", headers={"HX-Request": "true"}).content.decode()
    all_shown = staff.get("/sources/?checks=1", headers={"HX-Request": "true"}).content.decode()
    without_script = staff.get("/sources/?checks=1").content.decode()

    # the checks follow the page, as they read every relationship, meeting and name
    assert 'hx-get="/sources/?checks=meetings" hx-trigger="load"' in page and "Meetings given twice" not in page
    assert "Meetings given twice (1)" in shown and "<html" not in shown and "Ties that read oddly" not in shown
    assert shown.count("<code>m-") == 1 and "(<code>m-2</code>)" in shown and "m-2 looks like the same meeting as m-1" in shown
    assert "Meetings given twice (1)" in all_shown and "Ties that read oddly" in all_shown and "<html" not in all_shown
    assert "Meetings given twice (1)" in without_script and "<html" in without_script


@pytest.mark.django_db
def test_the_sources_page_lists_no_meeting_given_twice_in_the_worked_example(lakeside, client_as):
    shown = client_as("city_staff").get("/sources/?checks=meetings", headers={"HX-Request": "true"}).content.decode()

    assert 'id="checks-meetings"' in shown and "Meetings given twice" not in shown


@pytest.mark.django_db
def test_an_import_notes_the_meetings_and_disclosures_dated_after_today(tmp_path):
    from django.utils import timezone

    notes = import_notes(data_set(
        tmp_path, entities="external_id,name,kind\nchief,Chief,person\nchair,Chair,person\n",
        meetings="external_id,date,type,title\nm-1,2026-03-05,private_meeting,Lunch\nm-2,2062-03-05,private_meeting,Lunch\n",
        attendance="meeting,entity\nm-2,chief\nm-2,chair\n",
        relationships="external_id,source,target,type,start_date\nf-1,chief,chair,family,\n",
        disclosures="external_id,discloser,relationship,disclosed_on\nd-1,chief,f-1,2062-01-01\n"))

    today = timezone.localdate().isoformat()
    assert notes == [
        f"meetings.csv:3: date: note: m-2 is dated 2062-03-05, after today ({today}): it counts toward closeness only from that day; "
        "if the year is mistyped, correct it",
        f"disclosures.csv:2: disclosed_on: note: d-1 is dated 2062-01-01, after today ({today}): it counts as a disclosure only from that "
        "day; if the year is mistyped, correct it"]
