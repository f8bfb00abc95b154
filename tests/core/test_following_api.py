"""The Following page in the API (core.following_api): follow and stop by token, list, and what
changed, the same rows as the page."""
from datetime import date

import pytest
from rest_framework.test import APIClient

from core.following import followed_changes
from entities.models import Entity, Follow
from entities.services import FOLLOW_LIMIT
from scoring.services import current_snapshot, recompute
from tests.dashboard_helpers import scored_lakeside
from tests.factories import EntityFactory


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_follow_list_and_stop_by_the_api_each_account_its_own(user_with_role):
    analyst, staff = user_with_role("analyst"), user_with_role("city_staff")
    board, union = EntityFactory(external_id="board", name="Board"), EntityFactory(external_id="union", name="Union")
    api = api_as(staff)

    assert api.put("/api/entities/union/follow/").status_code == 201
    assert api.put("/api/entities/board/follow/").status_code == 201
    assert api.put("/api/entities/board/follow/").status_code == 200  # already followed: nothing changes
    assert api.put("/api/entities/nobody/follow/").status_code == 404
    listed = api.get("/api/following/").json()
    assert listed["limit"] == FOLLOW_LIMIT
    assert [(e["external_id"], e["name"], e["kind"]) for e in listed["entities"]] == [("board", "Board", board.kind), ("union", "Union", union.kind)]
    assert api_as(analyst).get("/api/following/").json()["entities"] == []  # another account's follows are not shown

    assert api.delete("/api/entities/union/follow/").status_code == 204
    assert api.delete("/api/entities/union/follow/").status_code == 204  # not followed: still nothing to do
    assert list(Follow.objects.filter(user=staff).values_list("entity__external_id", flat=True)) == ["board"]
    assert APIClient().get("/api/following/").status_code in (401, 403)


@pytest.mark.django_db
def test_following_past_the_limit_is_a_conflict_with_the_reason(user_with_role):
    staff = user_with_role("city_staff")
    Follow.objects.bulk_create([Follow(user=staff, entity=EntityFactory()) for _ in range(FOLLOW_LIMIT)])
    EntityFactory(external_id="one-more")

    refused = api_as(staff).put("/api/entities/one-more/follow/")
    assert refused.status_code == 409
    assert refused.json()["detail"] == f"You follow {FOLLOW_LIMIT} entities, the most one account may: stop following one first."
    assert Follow.objects.filter(user=staff).count() == FOLLOW_LIMIT


@pytest.mark.django_db
def test_what_changed_for_the_followed_entities_is_the_pages_rows(lakeside_dir, user_with_role):
    scored_lakeside(lakeside_dir)  # as of 2026-06-30
    recompute(as_of=date(2031, 1, 1))
    staff = user_with_role("city_staff")
    api = api_as(staff)
    for external_id in ("lk-pd", "lk-ob"):
        api.put(f"/api/entities/{external_id}/follow/")

    body = api.get("/api/following/changes/", {"since": "2026-07-01"}).json()
    since, rows = followed_changes(staff, current_snapshot(), date(2026, 7, 1))
    assert body["as_of"] == "2031-01-01" and body["since"] == "2026-06-30" == since.as_of.isoformat()
    assert [e["external_id"] for e in body["entities"]] == [row.entity.external_id for row in rows]
    for entry, row in zip(body["entities"], rows):
        assert entry["moves"] == [{"other": m["other"].external_id, "band_move": m["band_move"], "then": m["before"], "now": m["after"]} for m in row.moved]
        assert entry["flags_raised"] == [f.pk for f in row.raised] and entry["flags_lapsed"] == [f.pk for f in row.lapsed]
        assert entry["relationships_recorded"] == [r.external_id for r in row.recorded]
    pd = next(e for e in body["entities"] if e["external_id"] == "lk-pd")
    assert pd["flags_lapsed"] and any(m["band_move"] == "no_longer_close" for m in pd["moves"])  # by 2031 its ties faded
    assert api.get("/api/following/changes/", {"since": "July"}).json() == {"since": ["Not a date in the form YYYY-MM-DD."]}


@pytest.mark.django_db
def test_what_changed_before_any_scores_is_empty(user_with_role):
    staff = user_with_role("city_staff")
    Follow.objects.create(user=staff, entity=EntityFactory(external_id="quiet"))
    body = api_as(staff).get("/api/following/changes/").json()
    assert body["as_of"] is None and body["since"] is None
    assert body["entities"] == [{"external_id": "quiet", "name": Entity.objects.get(external_id="quiet").name,
                                 "moves": [], "flags_raised": [], "flags_lapsed": [], "relationships_recorded": []}]
