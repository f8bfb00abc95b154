"""What every API endpoint shares (core/api.py): a record's version (ETag) and a change sent with
`If-Match` refused once the record changed since it was read."""
import pytest

from entities.models import Entity
from tests.factories import EntityFactory, MeetingFactory


@pytest.fixture
def analysts(user_with_role):
    from rest_framework.test import APIClient

    clients = []
    for _ in range(2):
        client = APIClient()
        client.force_authenticate(user_with_role("administrator"))
        clients.append(client)
    return clients


@pytest.mark.django_db
def test_a_change_sent_with_the_version_read_is_refused_once_someone_changed_the_record(analysts):
    mine, theirs = analysts
    entity = EntityFactory(name="Riverton Police", description="")
    path = f"/api/entities/{entity.external_id}/"
    read = mine.get(path)
    version = read["ETag"]
    assert theirs.get(path)["ETag"] == version  # the same record, the same version

    their_change = theirs.patch(path, {"description": "Theirs."}, format="json", headers={"If-Match": version})
    refused = mine.patch(path, {"name": "Riverton Police Department"}, format="json", headers={"If-Match": version})
    not_deleted = mine.delete(path, headers={"If-Match": version})

    assert their_change.status_code == 200 and their_change["ETag"] != version
    assert their_change["ETag"] == mine.get(path)["ETag"]  # the version a write answers is the one a read gives
    assert refused.status_code == 412 and "changed since it was read" in refused.json()["detail"]
    assert not_deleted.status_code == 412
    assert Entity.objects.get(pk=entity.pk).name == "Riverton Police"
    now = mine.get(path)["ETag"]
    assert mine.patch(path, {"name": "Riverton Police Department"}, format="json", headers={"If-Match": now}).status_code == 200
    assert Entity.objects.get(pk=entity.pk).name == "Riverton Police Department"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_change_saved_between_the_version_check_and_the_write_is_refused_too(analysts, monkeypatch, method):
    from core.api import ExternalIdModelViewSet
    from tests.meanwhile import changed_once_checked

    mine, _ = analysts
    entity = EntityFactory(name="Riverton Police", description="")
    path = f"/api/entities/{entity.external_id}/"
    version = mine.get(path)["ETag"]
    changed_once_checked(monkeypatch, ExternalIdModelViewSet, "_unchanged_since_read", entity, description="Theirs.")

    refused = getattr(mine, method)(path, **({"data": {"name": "Riverton PD"}, "format": "json"} if method == "patch" else {}),
                                    headers={"If-Match": version})

    assert refused.status_code == 412 and "at the same moment" in refused.json()["detail"]
    assert Entity.objects.filter(pk=entity.pk, name="Riverton Police", description="Theirs.").exists()


@pytest.mark.django_db
def test_a_meetings_attendees_changed_between_the_version_check_and_the_write_refuse_it(analysts, monkeypatch):
    """The version is what the API shows of the record, a meeting's attendees too: compared again
    under the meeting's lock, not only its own columns."""
    from core.api import ExternalIdModelViewSet
    from engagement.models import Attendance
    from tests.factories import AttendanceFactory

    mine, _ = analysts
    meeting = MeetingFactory(title="Coffee")
    AttendanceFactory(meeting=meeting)
    newcomer = EntityFactory()
    path = f"/api/meetings/{meeting.external_id}/"
    version = mine.get(path)["ETag"]
    checked = ExternalIdModelViewSet._unchanged_since_read

    def then_theirs_saved(self, request):
        checked(self, request)
        Attendance.objects.create(meeting=meeting, entity=newcomer, role="attendee")

    monkeypatch.setattr(ExternalIdModelViewSet, "_unchanged_since_read", then_theirs_saved)

    refused = mine.patch(path, {"title": "Coffee at the station"}, format="json", headers={"If-Match": version})

    assert refused.status_code == 412 and "at the same moment" in refused.json()["detail"]
    meeting.refresh_from_db()
    assert meeting.title == "Coffee" and meeting.attendance.count() == 2


@pytest.mark.django_db
def test_without_if_match_or_with_any_a_change_is_made_as_before(analysts):
    client = analysts[0]
    meeting = MeetingFactory(title="Coffee")
    path = f"/api/meetings/{meeting.external_id}/"

    plain = client.patch(path, {"title": "Tea"}, format="json")
    anything = client.patch(path, {"title": "Lunch"}, format="json", headers={"If-Match": "*"})
    listed_too = client.patch(path, {"title": "Dinner"}, format="json", headers={"If-Match": f'"stale", {client.get(path)["ETag"]}'})

    assert (plain.status_code, anything.status_code, listed_too.status_code) == (200, 200, 200)
    assert listed_too["ETag"] == client.get(path)["ETag"]  # a meeting, its attendance with it
    assert client.get(path).json()["title"] == "Dinner"
