"""Board members log meetings; the affected scores update without anyone running a command."""
import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from engagement.models import Meeting, MeetingNewcomer
from entities.models import Entity
from scoring.models import PairScore
from scoring.selectors import pair_for
from scoring.services import recompute
from tests.recompute_helpers import assert_incremental_gave_what_a_full_recompute_gives


def meeting_post(attendees, **overrides):
    data = {
        "type": "private_meeting", "date": timezone.localdate().isoformat(), "title": "Coffee", "location": "", "neighborhood": "", "summary": "",
        "attendance-TOTAL_FORMS": "6", "attendance-INITIAL_FORMS": "0", "attendance-MIN_NUM_FORMS": "0", "attendance-MAX_NUM_FORMS": "200",
    }
    for i in range(6):
        data[f"attendance-{i}-entity"] = attendees[i] if i < len(attendees) else ""
        data[f"attendance-{i}-role"] = "attendee"
    data.update(overrides)
    return data


@pytest.mark.django_db(transaction=True)
def test_a_board_member_logs_a_meeting_and_the_pair_score_rises(lakeside_dir, client_as):
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    recompute(as_of=timezone.localdate())

    a, b = sorted(Entity.objects.filter(external_id__in=["x-a2", "x-b2"]).values_list("id", flat=True))
    before = pair_for(*Entity.objects.filter(pk__in=[a, b]))  # a weak pair: no row of its own

    response = client_as("board_member").post("/meetings/new/", meeting_post(["x-a2", "Example Person B2"]), follow=True)

    assert response.status_code == 200
    assert "Logged" in response.content.decode()
    after = PairScore.objects.get(entity_a=a, entity_b=b)
    assert after.score_tenths > (before.score_tenths if before else 0)


@pytest.mark.django_db
def test_a_meeting_logged_with_its_minutes_shows_them_as_its_source(lakeside, client_as):
    board = client_as("board_member")
    minutes = "https://lakeside.example.org/minutes/2026-05-04"
    board.post("/meetings/new/", meeting_post(["x-a1", "x-b1"], title="Forum", type="community_forum", source_url=minutes))

    meeting = Meeting.objects.get(title="Forum")
    assert meeting.source_url == minutes
    page = board.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'<p id="meeting-source">Source: <a href="{minutes}" rel="noopener noreferrer nofollow">{minutes}</a></p>' in page

    # data can hold any text: only a web address becomes a link, and no source is said plainly
    Meeting.objects.filter(pk=meeting.pk).update(source_url="javascript:alert(1)")
    page = board.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Source: javascript:alert(1)</p>" in page and 'href="javascript' not in page
    Meeting.objects.filter(pk=meeting.pk).update(source_url="")
    assert "none given (its minutes, agenda or notice)" in board.get(f"/meetings/{meeting.pk}/").content.decode()

    too_long = board.post("/meetings/new/", meeting_post(["x-a1"], title="Long", source_url="https://x.example/" + "a" * 1000))
    assert too_long.status_code == 400 and not Meeting.objects.filter(title="Long").exists()
    assert "at most 1000 characters" in too_long.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("days_ahead,warned", [(0, False), (1, True), (365 * 36, True)])
def test_a_meeting_dated_after_today_is_logged_with_a_warning_that_it_counts_only_from_then(lakeside, client_as, days_ahead, warned):
    # logged once held: a date ahead is most likely a typo (2062 for 2026) and counts for nothing until then
    day = timezone.localdate() + timedelta(days=days_ahead)

    page = client_as("board_member").post("/meetings/new/", meeting_post(["x-a1"], date=day.isoformat()), follow=True).content.decode()

    assert "Logged “Coffee” with 1 attendee;" in page and Meeting.objects.filter(title="Coffee", date=day).exists()
    assert (f"“Coffee” is dated {day.isoformat()}, after today: it counts toward closeness only from that day." in page) is warned


@pytest.mark.django_db
@pytest.mark.parametrize(
    "attendees,overrides,message",
    [
        (["nobody-here"], {}, "No entity &#x27;nobody-here&#x27;"),
        (["x-a1", "x-a1"], {}, "is listed twice"),
        ([], {}, "List at least one attendee"),
        (["x-a1"], {"type": "press_conference"}, "Select a valid choice"),
        (["x-a1"], {"date": "2026-02-30"}, "Enter a valid date"),
        (["x-a1"], {"title": ""}, "This field is required"),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(lakeside, client_as, attendees, overrides, message):
    response = client_as("board_member").post("/meetings/new/", meeting_post(attendees, **overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Meeting.objects.filter(title="Coffee").exists()


@pytest.mark.django_db
def test_a_person_new_to_the_tracker_is_added_with_the_meeting(lakeside, client_as):
    people = Entity.objects.count()
    response = client_as("board_member").post("/meetings/new/", meeting_post(
        ["x-a1", "  Rosa Delgado-Núñez ", "Tom Avery"], **{"attendance-1-new_person": "on", "attendance-2-new_person": "on"}), follow=True)

    assert response.status_code == 200 and "with 3 attendees" in response.content.decode()
    meeting = Meeting.objects.get(title="Coffee")
    rosa = Entity.objects.get(name="Rosa Delgado-Núñez")
    assert rosa.kind == "person" and rosa.category == "individual"
    assert re.fullmatch(r"p-rosa-delgado-nunez-[0-9a-f]{6}", rosa.external_id)
    assert rosa.description == f"Added when the meeting “Coffee” of {meeting.date} was logged."
    assert Entity.objects.count() == people + 2
    assert sorted(meeting.attendance.values_list("entity__name", flat=True)) == sorted(["Example Person A1", "Rosa Delgado-Núñez", "Tom Avery"])
    # recorded for analysts to check: which meeting, who added them
    newcomer = MeetingNewcomer.objects.get(entity=rosa)
    assert newcomer.meeting == meeting and newcomer.added_by == meeting.logged_by
    assert MeetingNewcomer.objects.count() == 2
    sources = client_as("analyst").get("/sources/").content.decode()
    assert "People added while logging meetings (2)" in sources
    assert f'<a href="/entities/{rosa.external_id}/">Rosa Delgado-Núñez</a>' in sources and f'<a href="/meetings/{meeting.pk}/">Coffee</a>' in sources
    assert f'href="/entities/{rosa.external_id}/edit/"' in sources  # to complete what is known of her
    # an analyst checks one: off the list, with who and when
    analyst = client_as("analyst")
    assert analyst.post(f"/newcomers/{rosa.pk}/checked/")["Location"] == "/sources/#meeting-newcomers"
    newcomer.refresh_from_db()
    assert newcomer.checked_at is not None and newcomer.checked_by.groups.filter(name="analyst").exists()
    sources = analyst.get("/sources/").content.decode()
    assert "People added while logging meetings (1)" in sources and f'<a href="/entities/{rosa.external_id}/">' not in sources
    assert "Checked Rosa Delgado-Núñez." in sources  # the message
    assert client_as("board_member").post(f"/newcomers/{rosa.pk}/checked/").status_code == 403
    # her page says where she came from
    page = client_as("city_staff").get(f"/entities/{rosa.external_id}/").content.decode()
    assert f'Added while <a href="/meetings/{meeting.pk}/">Coffee</a> ({meeting.date}) was logged; checked by an analyst on' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "attendees,ticked,message",
    [
        (["Example Person A1"], [0], "Already in the tracker as Example Person A1 (x-a1): untick “New person” to list them"),
        (["x-a1"], [0], "Already in the tracker as Example Person A1 (x-a1)"),  # an id typed
        (["example person  a1."], [0], "Already in the tracker as Example Person A1 (x-a1)"),  # but for punctuation and spacing
        ([""], [0], "Type the new person&#x27;s name."),
        (["Tom Avery", "tom avery"], [0, 1], "tom avery is listed twice."),  # the same new name, case aside
        (["Tom Avery"], [], "No entity &#x27;Tom Avery&#x27;: pick one from the suggestions, or tick “New person” to add them."),
        (["x-a1", "Tom Avery"], [1], "Select a valid choice"),  # a bad row elsewhere: nobody added
    ],
)
def test_a_new_person_refused_says_why_and_adds_no_one(lakeside, client_as, attendees, ticked, message):
    people = Entity.objects.count()
    overrides = {f"attendance-{i}-new_person": "on" for i in ticked}
    if message == "Select a valid choice":
        overrides["type"] = "press_conference"
    response = client_as("board_member").post("/meetings/new/", meeting_post(attendees, **overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Entity.objects.count() == people and not Meeting.objects.filter(title="Coffee").exists()


@pytest.mark.django_db
def test_a_board_member_adds_new_people_until_too_many_wait_for_an_analysts_check(lakeside, client_as, user_with_role, monkeypatch):
    from django.test import Client

    import engagement.forms

    monkeypatch.setattr(engagement.forms, "NEWCOMERS_WAITING_LIMIT", 2)
    board = Client()
    board.force_login(user_with_role("board_member"))
    assert board.post("/meetings/new/", meeting_post(["x-a1", "Tom Avery"], **{"attendance-1-new_person": "on"})).status_code == 302

    refused = board.post("/meetings/new/", meeting_post(["x-a1", "Rosa Lind", "Ana Ruiz"], **{
        "attendance-1-new_person": "on", "attendance-2-new_person": "on", "title": "Tea"}))

    assert refused.status_code == 400 and not Meeting.objects.filter(title="Tea").exists()
    assert ("1 of the people you added are waiting for an analyst to check them, and at most 2 may wait: ask an analyst to check "
            "them (Sources page) before adding these 2") in refused.content.decode()
    assert board.post("/meetings/new/", meeting_post(["x-a1", "Rosa Lind"], **{"attendance-1-new_person": "on", "title": "Tea"})).status_code == 302
    assert board.post("/meetings/new/", meeting_post(["x-a1", "Ana Ruiz"], **{"attendance-1-new_person": "on", "title": "Lunch"})).status_code == 400
    tom = MeetingNewcomer.objects.get(entity__name="Tom Avery")
    client_as("analyst").post(f"/newcomers/{tom.entity_id}/checked/")  # checked: one fewer waiting
    assert board.post("/meetings/new/", meeting_post(["x-a1", "Ana Ruiz"], **{"attendance-1-new_person": "on", "title": "Lunch"})).status_code == 302
    analyst = client_as("analyst")  # analysts check their own: no limit
    assert analyst.post("/meetings/new/", meeting_post(["x-a1", "Bo Chen", "Cy Diaz", "Di Eng"], **{
        "attendance-1-new_person": "on", "attendance-2-new_person": "on", "attendance-3-new_person": "on", "title": "Dinner"})).status_code == 302


@pytest.mark.django_db
def test_city_staff_cannot_log_meetings(client_as):
    client = client_as("city_staff")

    assert client.get("/meetings/new/").status_code == 403
    assert client.post("/meetings/new/", meeting_post(["x"])).status_code == 403


@pytest.mark.django_db
def test_entity_search_suggests_by_name(lakeside, client_as):
    page = client_as("board_member").get("/search/entities/", {"q": "oversight"}).content.decode()

    # with its kind and jurisdiction, to tell apart two entities of the same name
    assert '<option value="lk-ob">Lakeside Police Oversight Board (Oversight body, City of Lakeside)</option>' in page
    by_id = client_as("board_member").get("/search/entities/", {"q": "LK-O"}).content.decode()
    assert 'value="lk-ob"' in by_id and 'value="lk-pd"' not in by_id


@pytest.mark.django_db
def test_of_more_namesakes_than_are_suggested_the_first_by_id_are(client_as):
    from tests.factories import EntityFactory

    ids = [f"person-{n:02d}" for n in range(20)]
    for external_id in reversed(ids):  # stored in an order other than the ids'
        EntityFactory(external_id=external_id, name="Officer Jordan Smith")

    page = client_as("board_member").get("/search/entities/", {"q": "jordan smith"}).content.decode()

    assert re.findall(r'value="([^"]+)"', page) == ids[:15]


@pytest.mark.django_db
def test_a_name_two_entities_share_is_refused_naming_both_and_an_id_is_taken(client_as):
    from tests.factories import EntityFactory

    EntityFactory(external_id="p-smith-1", name="John Smith", kind="person")
    EntityFactory(external_id="p-smith-2", name="John Smith", kind="person")
    EntityFactory(external_id="p-jones", name="Ann Jones", kind="person")
    board_member = client_as("board_member")

    refused = board_member.post("/meetings/new/", meeting_post(["john smith", "Ann Jones"]))

    assert refused.status_code == 400 and not Meeting.objects.exists()
    assert refused.context["formset"].forms[0].errors["entity"] == [
        "More than one entity is named 'john smith' (p-smith-1, p-smith-2): pick one from the suggestions or type its id."
    ]
    board_member.post("/meetings/new/", meeting_post(["p-smith-2", "ann jones"]))
    assert set(Meeting.objects.get().attendance.values_list("entity__external_id", flat=True)) == {"p-smith-2", "p-jones"}


@pytest.mark.django_db
def test_the_meeting_list_pages_filters_and_counts_every_attendee(client_as):
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory

    someone = EntityFactory(external_id="x-someone")
    for n in range(120):
        meeting = MeetingFactory(title=f"Forum {n}", type="community_forum", neighborhood="North" if n % 2 else "South")
        AttendanceFactory(meeting=meeting, entity=someone)
        AttendanceFactory(meeting=meeting)
    staff = client_as("city_staff")
    first = staff.get("/meetings/")
    assert len(first.context["table"].page.object_list) == 50
    assert first.context["table"].paginator.count == 120
    assert staff.get("/meetings/?page=3").context["table"].page.object_list.data[0].title.startswith("Forum")
    north = staff.get("/meetings/?neighborhood=nor&entity=x-someone")
    rows = list(north.context["table"].paginator.object_list.data)
    assert len(rows) == 60 and {r.neighborhood for r in rows} == {"North"}
    assert {r.attendees for r in rows} == {2}  # both attendees, not only the one filtered on


@pytest.mark.django_db
def test_the_meetings_attended_by_someone_are_found_by_their_name_as_well_as_their_id(client_as):
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory

    chief = EntityFactory(external_id="p-chief", name="Chief Laura Benton")
    namesakes = [EntityFactory(external_id=f"p-smith-{n}", name="John Smith") for n in (1, 2)]
    for n, attendee in enumerate([chief, chief, *namesakes]):
        AttendanceFactory(meeting=MeetingFactory(title=f"Meeting {n}"), entity=attendee)
    staff = client_as("city_staff")

    def titles(typed):
        response = staff.get("/meetings/", {"entity": typed})
        return response, sorted(row.title for row in response.context["table"].paginator.object_list.data)

    assert titles("chief laura benton")[1] == titles("p-chief")[1] == ["Meeting 0", "Meeting 1"]
    assert titles("Laura Benton")[1] == titles("laura b")[1] == ["Meeting 0", "Meeting 1"]  # a part of one name only
    assert titles("p-smith-2")[1] == ["Meeting 3"]
    page = titles("")[0].content.decode()
    assert 'list="entity-options"' in page and 'data-search-url="/search/entities/"' in page  # suggestions as on the meeting form
    for typed, said in (("John Smith", "More than one entity is named &#x27;John Smith&#x27; (p-smith-1, p-smith-2)"),
                        ("smith", "More than one entity&#x27;s name holds &#x27;smith&#x27;: John Smith (p-smith-1), John Smith (p-smith-2)."),
                        ("Laura X", "No entity&#x27;s id or name is or holds &#x27;Laura X&#x27;")):
        response, listed = titles(typed)
        assert said in response.content.decode() and listed == []  # nothing listed as if the filter had been applied
        assert "No meeting matches." in response.content.decode()
    assert titles("p-chief")[0].context["filter"].form["entity"].value() == "p-chief"
    # the entity's page leads there
    assert 'href="/meetings/?entity=p-chief">Every meeting it attended itself' in staff.get("/entities/p-chief/").content.decode()


@pytest.mark.django_db
def test_the_meetings_listed_download_with_who_attended(client_as):
    import csv
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory

    chief, chair, resident = (EntityFactory(external_id=x) for x in ("p-chief", "p-chair", "=cmd"))
    lunch = MeetingFactory(external_id="m-lunch", type="private_meeting", title="Lunch", date=date(2026, 5, 4), location="Diner")
    forum = MeetingFactory(external_id="m-forum", type="community_forum", title="Forum", date=date(2026, 6, 1), neighborhood="North",
                           source_url="https://city.example.org/minutes/forum")
    MeetingFactory(external_id="m-other", title="Without the chief")
    for meeting, people in ((lunch, (chief, chair)), (forum, (resident, chief, chair))):
        for person in people:
            AttendanceFactory(meeting=meeting, entity=person)
    staff = client_as("city_staff")
    assert 'export=csv">Download CSV</a>' in staff.get("/meetings/?entity=p-chief").content.decode()

    def download(**asked):
        with CaptureQueriesContext(connection) as queries:
            response = staff.get("/meetings/", {"export": "csv", **asked})
            text = b"".join(response.streaming_content).decode("utf-8-sig")
        return response, text, len(queries)

    response, text, queries = download(entity="p-chief")
    for n in range(5):  # more meetings, no more queries: their attendance is read with them, not one by one
        AttendanceFactory(meeting=MeetingFactory(title=f"More {n}"), entity=chief)
    assert download(entity="p-chief")[2] == queries
    assert response["Content-Disposition"] == 'attachment; filename="meetings.csv"'
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["external_id"], r["date"], r["type"], r["attendees"], r["attendee_ids"]) for r in rows] == [
        ("m-forum", "2026-06-01", "community_forum", "3", "'=cmd;p-chair;p-chief"),  # every attendee, a formula neutralised
        ("m-lunch", "2026-05-04", "private_meeting", "2", "p-chair;p-chief"),
    ]
    assert rows[1]["location"] == "Diner" and rows[0]["neighborhood"] == "North" and rows[0]["logged_by"] == ""
    assert (rows[0]["source_url"], rows[1]["source_url"]) == ("https://city.example.org/minutes/forum", "")
    assert download(entity="nobody")[1].splitlines() == [",".join(
        ["external_id", "date", "type", "title", "location", "neighborhood", "source_url", "attendees", "attendee_ids", "logged_by"])]


@pytest.mark.django_db
@pytest.mark.parametrize(("asked", "rows"), [(None, 6), ("20", 20), ("abc", 6), ("-3", 6), ("100000", 200)])
def test_the_meeting_form_shows_more_rows_on_request_within_bounds(client_as, asked, rows):
    response = client_as("board_member").get("/meetings/new/", {"rows": asked} if asked else {})

    assert response.status_code == 200
    assert len(response.context["formset"].forms) == rows
    assert f'name="attendance-{rows - 1}-entity"' in response.content.decode()


@pytest.mark.django_db
def test_a_meeting_with_more_attendees_than_the_first_rows_is_logged_and_more_than_200_is_refused(lakeside, client_as):
    people = list(Entity.objects.filter(kind="person").order_by("external_id").values_list("external_id", flat=True)[:9])
    data = meeting_post([], **{"attendance-TOTAL_FORMS": str(len(people))})
    for i, person in enumerate(people):
        data[f"attendance-{i}-entity"], data[f"attendance-{i}-role"] = person, "attendee"
    client = client_as("board_member")

    assert client.post("/meetings/new/", data).status_code == 302
    assert Meeting.objects.get(title="Coffee").attendance.count() == 9

    too_many = meeting_post(["x-a1"], title="Town hall", **{"attendance-TOTAL_FORMS": "201"})
    response = client.post("/meetings/new/", too_many)
    assert response.status_code == 400
    assert "Please submit at most 200 forms" in response.content.decode()
    assert not Meeting.objects.filter(title="Town hall").exists()


def correction_post(meeting, attendees: list[tuple[str, str]], **overrides):
    """The edit form as posted: the meeting's fields, then one row per (entity, role); the page
    counts its stored attendees as initial rows (a row left as it was is then still kept)."""
    data = {
        "type": meeting.type, "date": meeting.date.isoformat(), "title": meeting.title, "location": meeting.location,
        "neighborhood": meeting.neighborhood, "summary": meeting.summary,
        "attendance-TOTAL_FORMS": str(len(attendees)), "attendance-INITIAL_FORMS": str(meeting.attendance.count()),
        "attendance-MIN_NUM_FORMS": "0", "attendance-MAX_NUM_FORMS": "200",
    }
    for i, (entity, role) in enumerate(attendees):
        data[f"attendance-{i}-entity"], data[f"attendance-{i}-role"] = entity, role
    data.update(overrides)
    return data


def attendance_of(meeting) -> dict[str, str]:
    return dict(meeting.attendance.values_list("entity__external_id", "role"))


@pytest.mark.django_db(transaction=True)
def test_a_board_member_corrects_a_meeting_and_the_scores_follow(lakeside_dir, client_as):
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    today = timezone.localdate()
    recompute(as_of=today)
    client = client_as("board_member")
    client.post("/meetings/new/", meeting_post(["x-a2", "x-b2", "x-a1"]))
    meeting = Meeting.objects.get(title="Coffee")
    page = client.get(f"/meetings/{meeting.pk}/edit/")
    assert page.status_code == 200 and 'value="x-a2"' in page.content.decode()
    assert f'href="/meetings/{meeting.pk}/edit/"' in client.get(f"/meetings/{meeting.pk}/").content.decode()

    # x-a1 emptied (removed), x-b2 now the organizer, lk-pd added, the title fixed
    rows = [("x-a2", "attendee"), ("", "attendee"), ("x-b2", "organizer"), ("lk-pd", "attendee")]
    response = client.post(f"/meetings/{meeting.pk}/edit/", correction_post(meeting, rows, title="Coffee with the chief"))

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Coffee with the chief"
    assert attendance_of(meeting) == {"x-a2": "attendee", "x-b2": "organizer", "lk-pd": "attendee"}
    # each change is in the meeting's change history, with who made it
    from audit.models import AuditEvent
    from audit.services import attendance_key

    changes = AuditEvent.objects.filter(object_type="engagement.attendance", context_key=meeting.external_id).exclude(action="create")
    assert sorted((e.action, e.object_key) for e in changes) == [
        ("delete", attendance_key(meeting.external_id, "x-a1")), ("update", attendance_key(meeting.external_id, "x-b2")),
    ]
    assert {e.actor_id for e in changes} == {response.wsgi_request.user.pk}
    assert_incremental_gave_what_a_full_recompute_gives(today)


@pytest.mark.django_db
def test_a_refused_correction_changes_nothing(lakeside, client_as):
    client = client_as("board_member")
    client.post("/meetings/new/", meeting_post(["x-a2", "x-b2"]))
    meeting = Meeting.objects.get(title="Coffee")
    before = attendance_of(meeting)

    response = client.post(f"/meetings/{meeting.pk}/edit/", correction_post(meeting, [("x-a2", "attendee"), ("nobody-here", "attendee")], title="Renamed"))

    assert response.status_code == 400
    assert "No entity &#x27;nobody-here&#x27;" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.title == "Coffee" and attendance_of(meeting) == before
    assert client_as("city_staff").get(f"/meetings/{meeting.pk}/edit/").status_code == 403


@pytest.mark.django_db
def test_a_board_member_corrects_only_the_meetings_they_logged(lakeside, client, user_with_role):
    logger, other, analyst = user_with_role("board_member"), user_with_role("board_member"), user_with_role("analyst")
    client.force_login(logger)
    client.post("/meetings/new/", meeting_post(["x-a2", "x-b2"]))
    mine = Meeting.objects.get(title="Coffee")
    imported = Meeting.objects.exclude(pk=mine.pk).first()
    assert mine.logged_by == logger and imported.logged_by is None
    assert f"Logged by {logger.username}" in client.get(f"/meetings/{mine.pk}/").content.decode()
    listed = client.get("/meetings/")
    assert f'href="/meetings/?logged_by={logger.username}"' in listed.content.decode()
    assert [m.pk for m in client.get("/meetings/", {"logged_by": logger.username}).context["table"].page.object_list.data] == [mine.pk]

    client.force_login(other)
    page = client.get(f"/meetings/{mine.pk}/").content.decode()
    refused = client.post(f"/meetings/{mine.pk}/edit/", correction_post(mine, [("x-a2", "attendee")], title="Renamed"))
    refused_import = client.get(f"/meetings/{imported.pk}/edit/")

    assert f'href="/meetings/{mine.pk}/edit/"' not in page and "an analyst can correct this one" in page
    assert refused.status_code == 403 and "correct the meetings they logged" in refused.content.decode()
    assert refused_import.status_code == 403
    mine.refresh_from_db()
    assert mine.title == "Coffee" and attendance_of(mine) == {"x-a2": "attendee", "x-b2": "attendee"}

    client.force_login(analyst)
    fixed = client.post(f"/meetings/{mine.pk}/edit/", correction_post(mine, [("x-a2", "attendee")], title="Renamed"))
    assert fixed.status_code == 302, fixed.content.decode()[-3000:]
    mine.refresh_from_db()
    assert mine.title == "Renamed" and mine.logged_by == logger  # a correction keeps who logged it


@pytest.mark.django_db(transaction=True)
def test_a_board_member_deletes_a_meeting_they_logged_by_mistake_and_the_scores_follow(lakeside_dir, client):
    from django.contrib.auth.models import Group, User

    from audit.models import AuditEvent

    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    today = timezone.localdate()
    recompute(as_of=today)
    logger = User.objects.create_user("logger", password="a-long-test-password")
    logger.groups.add(Group.objects.get(name="board_member"))
    client.force_login(logger)
    client.post("/meetings/new/", meeting_post(["x-a2", "x-b2"]))
    meeting = Meeting.objects.get(title="Coffee")
    assert 'action="/meetings/%d/delete/"' % meeting.pk in client.get(f"/meetings/{meeting.pk}/edit/").content.decode()

    unconfirmed = client.post(f"/meetings/{meeting.pk}/delete/", follow=True)
    assert "tick the box to confirm" in unconfirmed.content.decode() and Meeting.objects.filter(pk=meeting.pk).exists()

    deleted = client.post(f"/meetings/{meeting.pk}/delete/", {"confirm": "yes"}, follow=True)

    assert "Deleted “Coffee”" in deleted.content.decode()
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    gone = AuditEvent.objects.filter(action="delete", context_key=meeting.external_id, object_type="engagement.attendance")
    assert gone.count() == 2 and {e.actor_id for e in gone} == {logger.pk}
    assert_incremental_gave_what_a_full_recompute_gives(today)


@pytest.mark.django_db
def test_a_meeting_is_deleted_only_by_who_may_correct_it_and_never_with_its_survey_answers(lakeside, client, user_with_role):
    from tests.factories import FeedbackResponseFactory, FeedbackSurveyFactory

    logger = user_with_role("board_member")
    client.force_login(logger)
    client.post("/meetings/new/", meeting_post(["x-a2", "x-b2"], type="community_forum"))
    mine = Meeting.objects.get(title="Coffee")
    imported = Meeting.objects.exclude(pk=mine.pk).first()

    client.force_login(user_with_role("board_member"))
    assert client.post(f"/meetings/{mine.pk}/delete/", {"confirm": "yes"}).status_code == 403
    assert client.post(f"/meetings/{imported.pk}/delete/", {"confirm": "yes"}).status_code == 403
    assert "Delete meeting" not in client.get(f"/meetings/{imported.pk}/").content.decode()

    FeedbackResponseFactory(survey=FeedbackSurveyFactory(meeting=mine))
    client.force_login(logger)
    refused = client.post(f"/meetings/{mine.pk}/delete/", {"confirm": "yes"}, follow=True)
    assert "1 anonymous survey answer would go with it" in refused.content.decode()

    client.force_login(user_with_role("analyst"))
    client.post(f"/meetings/{imported.pk}/delete/", {"confirm": "yes"})
    assert Meeting.objects.filter(pk=mine.pk).exists() and not Meeting.objects.filter(pk=imported.pk).exists()


@pytest.mark.django_db
def test_sorting_meetings_by_who_logged_them_puts_imported_ones_last_both_ways(client_as, django_user_model):
    from tests.factories import MeetingFactory

    alice, bob = django_user_model.objects.create(username="alice"), django_user_model.objects.create(username="bob")
    MeetingFactory(title="imported")
    MeetingFactory(title="by bob", logged_by=bob)
    MeetingFactory(title="by alice", logged_by=alice)

    def titles(sort):
        return [row.record.title for row in client_as("city_staff").get("/meetings/", {"sort": sort}).context["table"].rows]

    assert titles("logged_by") == ["by alice", "by bob", "imported"]
    assert titles("-logged_by") == ["by bob", "by alice", "imported"]


@pytest.mark.django_db
@pytest.mark.parametrize("role, url, required, optional", [
    ("board_member", "/meetings/new/", ["Type", "Date", "Title"], ["Location", "Neighborhood", "Summary"]),
    ("board_member", "/reports/new/", ["Who (id or name)", "Kind of tie", "With whom (id or name)", "Source URL"], ["Since", "Amount", "Details"]),
])
def test_forms_mark_the_fields_that_are_required(client_as, role, url, required, optional):
    page = client_as(role).get(url).content.decode()

    assert "are required." in page
    for label in required:
        assert re.search(rf'<label for="[^"]+" class="required">{re.escape(label)}:</label>', page), label
    for label in optional:
        assert re.search(rf'<label for="[^"]+">{re.escape(label)}:</label>', page), label


@pytest.mark.django_db
def test_the_sources_page_counts_the_meetings_without_a_source_and_lists_them(lakeside, client_as):
    """The lakeside example's meetings cite nothing; two forums are given their minutes (one only
    spaces, which cites nothing either): the Sources page counts by type, and its link lists the rest."""
    forums = list(Meeting.objects.filter(type="community_forum").order_by("external_id")[:3])
    assert len(forums) == 3
    Meeting.objects.filter(pk=forums[0].pk).update(source_url="https://lakeside.example.org/minutes/a")
    Meeting.objects.filter(pk=forums[1].pk).update(source_url="https://lakeside.example.org/minutes/b")
    Meeting.objects.filter(pk=forums[2].pk).update(source_url="   ")
    staff = client_as("city_staff")

    page = staff.get("/sources/")

    total = Meeting.objects.count()
    by_type = {row["type"]: row for row in page.context["meetings_by_type"]}
    assert by_type["community_forum"]["sourced"] == 2
    assert by_type["community_forum"]["total"] == Meeting.objects.filter(type="community_forum").count()
    assert sum(row["sourced"] for row in by_type.values()) == 2
    assert f"{total - 2} of {total} meetings cite no minutes" in page.content.decode()
    assert 'href="/meetings/?has_source=false">List them</a>' in page.content.decode()

    def listed(**asked):
        return {m.external_id for m in staff.get("/meetings/", {**asked, "per_page": 500}).context["table"].data}

    assert listed(has_source="true") == {forums[0].external_id, forums[1].external_id}
    assert listed(has_source="false") == set(Meeting.objects.values_list("external_id", flat=True)) - listed(has_source="true")
    assert len(listed()) == total

    # and the disclosures: the lakeside example's say nowhere where they are on file, but for one
    from relationships.models import Disclosure

    Disclosure.objects.filter(pk=Disclosure.objects.order_by("external_id").first().pk).update(source_url="https://lakeside.example.org/ethics/1")
    n = Disclosure.objects.count()
    assert f"{n - 1} of {n} disclosures say nowhere where they are on file" in staff.get("/sources/").content.decode()

    api = client_as("analyst")
    assert api.get("/api/meetings/", {"has_source": "true"}).json()["count"] == 2
    assert api.get("/api/meetings/", {"has_source": "false"}).json()["count"] == total - 2

    # the counts read right at one, and at none left
    Disclosure.objects.exclude(pk=Disclosure.objects.order_by("external_id").last().pk).update(source_url="https://lakeside.example.org/ethics")
    Meeting.objects.exclude(pk=forums[2].pk).update(source_url="https://lakeside.example.org/minutes")
    one = " ".join(staff.get("/sources/").content.decode().split())
    assert f"1 of {total} meetings cites no minutes, agenda or notice. List it</a>" in one.replace('<a href="/meetings/?has_source=false">', "")
    assert f"1 of {n} disclosures says nowhere where it is on file" in one
    Disclosure.objects.update(source_url="https://lakeside.example.org/ethics")
    Meeting.objects.update(source_url="https://lakeside.example.org/minutes")
    none_left = " ".join(staff.get("/sources/").content.decode().split())
    assert f"Every one of the {total} meetings cites its minutes, agenda or notice." in none_left
    assert f"Every one of the {n} disclosures says where it is on file" in none_left


@pytest.mark.django_db
def test_a_board_member_logs_the_next_meeting_like_one_already_logged(lakeside, client_as):
    board = client_as("board_member")
    board.post("/meetings/new/", meeting_post(["x-a2", "x-b2", "x-a1"], title="North advisory board", type="advisory_board", location="Library"))
    first = Meeting.objects.get(title="North advisory board")
    assert f'href="/meetings/new/?like={first.pk}"' in board.get(f"/meetings/{first.pk}/").content.decode()

    form = board.get(f"/meetings/new/?like={first.pk}")

    page = form.content.decode()
    assert form.context["form"].initial == {"type": "advisory_board", "title": "North advisory board", "location": "Library", "neighborhood": ""}
    assert [row["entity"] for row in form.context["formset"].initial] == sorted(
        ["x-a2", "x-b2", "x-a1"], key=lambda ext: Entity.objects.get(external_id=ext).name)
    assert 'name="date"' in page and 'id="id_date" value' not in page  # the date is left to fill in
    # saved as a meeting of its own, with the attendees kept and one taken out
    rows = [(row["entity"], row["role"]) for row in form.context["formset"].initial]
    data = meeting_post([ext for ext, _ in rows if ext != "x-a1"], title="North advisory board", type="advisory_board", location="Library")
    board.post("/meetings/new/", data)
    second = Meeting.objects.filter(title="North advisory board").exclude(pk=first.pk).get()
    assert sorted(second.attendance.values_list("entity__external_id", flat=True)) == ["x-a2", "x-b2"]
    # a meeting that is not there starts an empty form, and says so
    for missing in ("999999", "abc", "²", "9" * 30):
        page = board.get("/meetings/new/", {"like": missing})
        assert page.status_code == 200 and page.context["like"] is None
        assert f"No meeting &#x27;{missing}&#x27; to start from" in page.content.decode()
    assert "No meeting" not in board.get(f"/meetings/new/?like={first.pk}").content.decode()
    # without JavaScript, more rows (the form sent to its own address) keep the meeting it started from
    assert 'name="more_rows"' in form.content.decode() and "<form method=\"post\" novalidate>" in form.content.decode()
    more = board.post(f"/meetings/new/?like={first.pk}", {**data, "more_rows": "yes"})
    assert more.status_code == 200 and more.context["like"] == first and "Started from" in more.content.decode()
    # a parameter it does not read is named, with the one meant
    mistyped = board.get(f"/meetings/new/?lik={first.pk}")
    assert "This form fills in nothing from &#x27;lik&#x27; (in its address): did you mean &#x27;like&#x27;?" in mistyped.content.decode()


def test_a_meeting_whose_attendee_was_deleted_meanwhile_is_refused_with_a_message_and_nothing_stored(lakeside, checked_at_each_statement, client_as,
                                                                                                   monkeypatch):
    """The attendance rows found every entity, then someone deleted one (or merged it into another)
    before the save: the foreign key refused the attendance at commit, a server error."""
    from engagement.forms import BaseAttendanceFormSet
    from tests.factories import EntityFactory
    from tests.meanwhile import deleted_once_checked

    gone = EntityFactory()
    deleted_once_checked(monkeypatch, BaseAttendanceFormSet, "clean", gone)
    meetings = Meeting.objects.count()

    refused = client_as("board_member").post("/meetings/new/", meeting_post(["x-a2", gone.external_id]))

    assert refused.status_code == 400
    said = ("Not saved: the entity of its attendance was deleted meanwhile by someone else, or merged into another; "
            "nothing was written: check the form and save again.")
    assert refused.context["form"].non_field_errors() == [said]
    assert said in refused.content.decode()
    assert Meeting.objects.count() == meetings


def test_the_meetings_logged_lately_are_listed_whenever_they_took_place(lakeside, client_as):
    """A board member logs last spring's meeting today: sorted by the day it took place, it sank below
    the newer ones; "Logged on or after" finds it, to check it."""
    from datetime import timedelta

    Meeting.objects.update(created_at=timezone.now() - timedelta(days=30))
    client_as("board_member").post("/meetings/new/", meeting_post(["x-a2", "x-b2"], date="2011-05-01", title="Old news"))
    since = (timezone.localdate() - timedelta(days=7)).isoformat()

    page = client_as("city_staff").get("/meetings/", {"recorded_since": since})
    api = client_as("city_staff").get("/api/meetings/", {"recorded_since": since}).json()

    assert [m.title for m in page.context["table"].page.object_list.data] == ["Old news"]
    assert [m["title"] for m in api["results"]] == ["Old news"]
    assert 'name="recorded_since"' in page.content.decode()


@pytest.mark.django_db
def test_more_rows_without_javascript_show_the_meeting_as_typed_with_nothing_saved_or_refused(lakeside, client_as):
    """"Show six more rows" sends the form (a link lost what was typed): it comes back as typed,
    the new person ticked, no error for the date still to fill in, nothing saved, six rows more."""
    board = client_as("board_member")
    typed = meeting_post(["x-a2", "x-b2", "", "Dana Okafor"], date="", title="Youth focus group", type="focus_group", more_rows="yes")
    typed["attendance-1-role"] = "presenter"
    typed["attendance-3-new_person"] = "on"

    page = board.post("/meetings/new/", typed)

    assert page.status_code == 200 and not Meeting.objects.filter(title="Youth focus group").exists()
    text = page.content.decode()
    assert "This field is required" not in text and 'class="error"' not in text
    formset = page.context["formset"]
    assert formset.total_form_count() == 12 and 'name="attendance-TOTAL_FORMS" value="12"' in text
    assert [row["entity"] for row in formset.initial] == ["x-a2", "x-b2", "", "Dana Okafor", "", ""]
    assert formset.initial[1]["role"] == "presenter" and formset.initial[3]["new_person"] is True
    assert 'value="Youth focus group"' in text and 'id="id_attendance-3-new_person" checked' in text
    # then saved with a row of the six more filled in
    saved = {**typed, "date": timezone.localdate().isoformat(), "attendance-TOTAL_FORMS": "12", "attendance-INITIAL_FORMS": "6",
             **{f"attendance-{i}-{field}": "" if field == "entity" else "attendee" for i in range(6, 12) for field in ("entity", "role")},
             "attendance-8-entity": "x-a1"}
    del saved["more_rows"]
    assert board.post("/meetings/new/", saved).status_code == 302
    meeting = Meeting.objects.get(title="Youth focus group")
    assert attendance_of(meeting) == {"x-a2": "attendee", "x-b2": "presenter", "x-a1": "attendee",
                                      Entity.objects.get(name="Dana Okafor").external_id: "attendee"}
    # a form at the most rows a meeting lists offers no more
    full = meeting_post([], more_rows="yes", **{"attendance-TOTAL_FORMS": "199"})
    assert 'name="more_rows"' not in board.post("/meetings/new/", full).content.decode()


@pytest.mark.django_db
def test_more_rows_on_a_correction_keep_what_it_was_shown_as_so_a_change_made_meanwhile_is_still_named(lakeside, client_as):
    board = client_as("board_member")
    board.post("/meetings/new/", meeting_post(["x-a2", "x-b2"]))
    meeting = Meeting.objects.get(title="Coffee")
    shown = board.get(f"/meetings/{meeting.pk}/edit/").context["form"]["shown_as"].value()
    Meeting.objects.filter(pk=meeting.pk).update(location="Town hall")  # someone else's correction meanwhile

    more = board.post(f"/meetings/{meeting.pk}/edit/", correction_post(meeting, [("x-a2", "attendee"), ("x-b2", "attendee")], title="Coffee, renamed",
                                                                         shown_as=shown, more_rows="yes"))

    assert more.status_code == 200 and more.context["formset"].total_form_count() == 8
    assert more.context["form"]["shown_as"].value() == shown and more.context["form"]["title"].value() == "Coffee, renamed"
    meeting.refresh_from_db()
    assert meeting.title == "Coffee"
    sent = correction_post(meeting, [("x-a2", "attendee"), ("x-b2", "attendee")], title="Coffee, renamed", shown_as=shown, location="")
    refused = board.post(f"/meetings/{meeting.pk}/edit/", sent)
    assert refused.status_code == 400 and "Town hall" in refused.content.decode()


@pytest.mark.django_db
def test_a_meeting_is_logged_from_an_entitys_or_a_pairs_page_with_them_listed(lakeside, client_as):
    board = client_as("board_member")
    assert 'href="/meetings/new/?attendee=x-a2"' in board.get("/entities/x-a2/").content.decode()
    assert 'href="/meetings/new/?attendee=x-a2&amp;attendee=x-b2"' in board.get("/closeness/x-a2/x-b2/").content.decode()

    form = board.get("/meetings/new/", {"attendee": ["x-a2", "x-b2", "x-a2", "nobody-here"]})
    assert [row["entity"] for row in form.context["formset"].initial] == ["x-a2", "x-b2"]  # each once
    assert "No entity &#x27;nobody-here&#x27; to list as an attendee" in form.content.decode()
    assert "This form fills in nothing from" not in form.content.decode()
    # with a meeting to start from: its attendees, then those asked for that it did not have
    board.post("/meetings/new/", meeting_post(["x-a1", "x-a2"], title="North advisory board"))
    like = Meeting.objects.get(title="North advisory board")
    both = board.get("/meetings/new/", {"like": like.pk, "attendee": ["x-a2", "x-b2"]}).context["formset"].initial
    assert sorted(row["entity"] for row in both) == ["x-a1", "x-a2", "x-b2"]
    # saved as listed
    assert board.post("/meetings/new/?attendee=x-a2&attendee=x-b2", meeting_post(["x-a2", "x-b2"], title="Coffee of the two")).status_code == 302
    assert sorted(Meeting.objects.get(title="Coffee of the two").attendance.values_list("entity__external_id", flat=True)) == ["x-a2", "x-b2"]
    assert "/meetings/new/?attendee=" not in client_as("city_staff").get("/closeness/x-a2/x-b2/").content.decode()  # staff log none
