"""Migrations that move data: meetings logged before `logged_by` existed get their logger back."""
from datetime import date, datetime, timezone

import pytest

from tests.migrations import migrated, migrated_to_the_latest

BEFORE = [("engagement", "0003_attendance_by_entity_and_meeting"), ("audit", "0001_initial")]
AFTER = [("engagement", "0004_meeting_logged_by")]


@pytest.mark.django_db(transaction=True)
def test_logged_by_comes_from_the_latest_creation_on_the_site_or_the_api():
    apps = migrated(BEFORE)
    user = apps.get_model("auth", "User")
    first, second = user.objects.create(username="first-logger"), user.objects.create(username="second-logger")
    meeting = apps.get_model("engagement", "Meeting")
    for key in ("m-web", "m-recreated", "m-imported", "m-reimported"):
        meeting.objects.create(external_id=key, date=date(2026, 1, 5), type="private_meeting", title=key)
    event = apps.get_model("audit", "AuditEvent")

    def created(key, actor, via, day):
        event.objects.create(at=datetime(2026, 1, day, tzinfo=timezone.utc), actor=actor, actor_label=actor.username if actor else "import",
                             via=via, action="create", object_type="engagement.meeting", object_key=key)

    created("m-web", first, "web", 1)
    created("m-recreated", first, "web", 1)
    created("m-recreated", second, "api", 3)  # deleted and logged again: the latest logger
    created("m-imported", None, "import", 1)
    created("m-reimported", first, "web", 1)
    created("m-reimported", None, "import", 2)  # deleted, then brought back by an import: no logger
    try:
        apps = migrated(AFTER)
        loggers = dict(apps.get_model("engagement", "Meeting").objects.values_list("external_id", "logged_by__username"))

        assert loggers == {"m-web": "first-logger", "m-recreated": "second-logger", "m-imported": None, "m-reimported": None}
    finally:
        migrated_to_the_latest()
