"""Every create, update and delete of audited records lands in the trail, including the importer's
bulk writes, on PostgreSQL (the test database) and on SQLite (a subprocess on the embedded default)."""
import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.factories import EntityFactory, FlagFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def data_rows(directory: Path, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((directory / name).read_text())))[1:]


def expected_creations(directory: Path) -> int:
    """An event per imported row; attendance rows are grouped into one event per meeting."""
    rows = sum(len(data_rows(directory, name)) for name in ("entities.csv", "relationships.csv", "meetings.csv", "disclosures.csv"))
    return rows + len({row[0] for row in data_rows(directory, "attendance.csv")})


def test_an_import_records_every_created_row_and_every_change(copy_of_lakeside):
    call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO())
    created = AuditEvent.objects.filter(action="create")
    assert created.count() == expected_creations(copy_of_lakeside)
    # every attendance row is in its meeting's event, with its role
    attendance = {(e.object_key, entity): roles for e in created.filter(object_type="engagement.attendance")
                  for entity, roles in e.changes.items()}
    assert attendance == {(m, entity): [None, role or "attendee"] for m, entity, role in data_rows(copy_of_lakeside, "attendance.csv")}
    assert set(created.values_list("via", flat=True)) == {"command"}
    assert created.first().actor_label.startswith("import_dataset command")
    pd = AuditEvent.objects.get(object_type="entities.entity", object_key="lk-pd-east")
    assert pd.changes["parent"] == [None, "lk-pd"] and pd.changes["name"] == [None, "East District"]

    entities = copy_of_lakeside / "entities.csv"
    entities.write_text(entities.read_text().replace("Lakeside Police Department,", "Lakeside Police Service,", 1))
    call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO())
    update = AuditEvent.objects.get(action="update")
    assert (update.object_type, update.object_key) == ("entities.entity", "lk-pd")
    assert update.changes == {"name": ["Lakeside Police Department", "Lakeside Police Service"]}


def test_the_trail_records_an_imported_number_as_it_is_stored(copy_of_lakeside):
    # the file writes 5000 (and a rating may be written 7 or 7.25): the trail says what the record holds
    relationships = copy_of_lakeside / "relationships.csv"
    relationships.write_text(relationships.read_text().replace(",5000,,", ",5e3,7,", 1))
    call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO())
    created = AuditEvent.objects.get(object_type="relationships.relationship", object_key="c-02")
    assert created.changes["amount"] == [None, "5000.00"] and created.changes["analyst_score"] == [None, "7.0"]


def test_a_dry_run_leaves_no_trail(copy_of_lakeside):
    call_command("import_dataset", str(copy_of_lakeside), "--dry-run", stdout=io.StringIO())
    assert not AuditEvent.objects.exists()


def test_the_importer_writes_the_trail_on_sqlite_too(embedded_manage, copy_of_lakeside):
    manage = embedded_manage
    manage("import_dataset", str(copy_of_lakeside))
    out = manage("shell", "-c", (
        "import json; from audit.models import AuditEvent as A; "
        "print(json.dumps([A.objects.filter(action='create').count(), "
        "A.objects.get(object_type='engagement.attendance', object_key='m-hearing-07').changes]))"
    ))
    count, attendance = json.loads(out.strip().splitlines()[-1])
    assert count == expected_creations(copy_of_lakeside)
    assert attendance["res-090"] == [None, "attendee"]


def test_api_edits_and_deletes_record_who_and_what(user_with_role):
    admin = user_with_role("administrator")
    api = APIClient()
    api.force_authenticate(admin)
    entity = EntityFactory(external_id="audit-me", name="Old name")
    api.patch("/api/entities/audit-me/", {"name": "New name"}, format="json")
    api.delete("/api/entities/audit-me/")
    update, delete = AuditEvent.objects.filter(object_key="audit-me").exclude(action="create").order_by("id")
    assert (update.action, update.actor, update.via, update.changes) == ("update", admin, "api", {"name": ["Old name", "New name"]})
    assert delete.action == "delete" and delete.changes["name"] == ["New name", None]
    assert not type(entity).objects.filter(external_id="audit-me").exists()


def test_a_logged_meeting_records_its_attendance(client_as):
    from tests.engagement.test_views import meeting_post

    a, b = EntityFactory(), EntityFactory()
    client_as("board_member").post("/meetings/new/", meeting_post([a.external_id, b.external_id]))
    meeting = AuditEvent.objects.get(object_type="engagement.meeting")
    attendance = AuditEvent.objects.filter(object_type="engagement.attendance", context_key=meeting.object_key)
    assert sorted(e.changes["entity"][1] for e in attendance) == sorted([a.external_id, b.external_id])
    assert {e.via for e in attendance} == {"web"} and meeting.actor_label.startswith("board_member")


def test_settings_and_flag_status_changes_are_in_the_trail(client_as, user_with_role):
    from conflicts.services import flag_change_status
    from scoring.models import ScoringSettings

    record = ScoringSettings.load()
    record.parameters = {**record.parameters, "half_life_days": 200}
    record.save()
    assert AuditEvent.objects.filter(object_type="scoring.scoringsettings", action="update").exists()
    analyst = user_with_role("analyst")
    flag = FlagFactory()
    flag_change_status(flag=flag, to_status="under_review", user=analyst, reason="Looking into it")
    event = AuditEvent.objects.get(object_type="conflicts.flag", object_key=str(flag.pk))
    assert event.actor == analyst and event.changes["status"] == ["open", "under_review"]


def test_the_trail_shows_on_the_objects_page_to_analysts_only(client_as):
    meeting = MeetingFactory(external_id="m-trail", title="Before")
    meeting.title = "After"
    meeting.save()
    analyst_page = client_as("analyst").get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Change history" in analyst_page and "Before → After" in analyst_page
    staff_page = client_as("city_staff").get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Change history" not in staff_page


def test_the_latest_ten_changes_are_shown_and_the_earlier_ones_folded_below_them(client_as):
    # an imported entity's page listed a hundred changes, every field of each creation, above nothing
    meeting = MeetingFactory(external_id="m-long", title="Title 0")
    for n in range(1, 13):
        meeting.title = f"Title {n}"
        meeting.save()

    page = client_as("analyst").get(f"/meetings/{meeting.pk}/").content.decode()

    shown, folded = page.split('<details class="earlier-changes">')
    assert "3 earlier changes</summary>" in folded  # 13 events: the creation and 12 corrections
    assert "Title 11 → Title 12" in shown and "Title 2 → Title 3" in shown
    assert "Title 1 → Title 2" in folded and "Title 2 → Title 3" not in folded
    assert shown.count("<tr><td>") == 10


def test_an_imported_role_change_is_an_update_of_its_meetings_attendance(copy_of_lakeside):
    call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO())
    path = copy_of_lakeside / "attendance.csv"
    rows = list(csv.reader(io.StringIO(path.read_text())))
    meeting, entity, role = rows[1]
    rows[1][2] = "organizer" if role != "organizer" else "attendee"
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO())
    update = AuditEvent.objects.get(action="update")
    assert (update.object_type, update.object_key, update.context_key) == ("engagement.attendance", meeting, meeting)
    assert update.changes == {entity: [role or "attendee", rows[1][2]]}
