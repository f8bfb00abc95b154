"""Pairs moving into or out of `close`, recorded by each recompute (and filled from the stored
history by migration 0007 for the snapshots before it)."""
import importlib
from datetime import date

import pytest
from django.db import connection

from scoring.engine.parameters import CLOSE_TENTHS
from scoring.models import CloseCrossing, PairScoreVersion
from scoring.services import recompute

BACKFILL = importlib.import_module("scoring.migrations.0007_close_crossings").CROSSINGS_FROM_HISTORY
DATES = [date(2024, 1, 1), date(2026, 6, 30), date(2025, 6, 30), date(2031, 1, 1), date(2026, 6, 30)]


def close_pairs_at(snapshot_id: int) -> dict[tuple[int, int], int]:
    """The close pairs in force at a snapshot, from the stored versions."""
    rows = PairScoreVersion.objects.filter(valid_from_id__lte=snapshot_id, score_tenths__gte=CLOSE_TENTHS)
    return {(r.entity_a_id, r.entity_b_id): r.score_tenths for r in rows if r.valid_to_id is None or r.valid_to_id > snapshot_id}


def recorded() -> set[tuple]:
    return set(CloseCrossing.objects.values_list("snapshot_id", "entity_a_id", "entity_b_id", "before_tenths", "after_tenths"))


@pytest.mark.django_db
def test_each_recompute_records_exactly_the_pairs_that_entered_or_left_close(lakeside):
    snapshots = [recompute(as_of=day) for day in DATES]

    previous: dict = {}
    for snapshot in snapshots:
        now = close_pairs_at(snapshot.pk)
        entered = {pair for pair in now if pair not in previous}
        left = {pair for pair in previous if pair not in now}
        crossings = {(c.entity_a_id, c.entity_b_id): c for c in CloseCrossing.objects.filter(snapshot=snapshot)}
        assert set(crossings) == entered | left, snapshot.as_of
        assert all(crossings[p].after_tenths == now[p] and crossings[p].before_tenths < CLOSE_TENTHS for p in entered)
        assert all(crossings[p].before_tenths == previous[p] and crossings[p].after_tenths < CLOSE_TENTHS for p in left)
        previous = now
    # the dates move pairs both ways, and a recompute that changes nothing records nothing
    assert CloseCrossing.objects.filter(after_tenths__lt=CLOSE_TENTHS).exists()
    assert CloseCrossing.objects.filter(before_tenths__lt=CLOSE_TENTHS).exists()
    again = recompute(as_of=DATES[-1])
    assert not CloseCrossing.objects.filter(snapshot=again).exists()


@pytest.mark.django_db
def test_the_migration_fills_from_the_history_what_the_recomputes_recorded(lakeside):
    for day in DATES:
        recompute(as_of=day)
    live = recorded()
    assert live
    CloseCrossing.objects.all().delete()

    with connection.cursor() as cursor:
        cursor.execute(BACKFILL)

    # the recorded "before" of a pair that was under 1.0 is 0, as a weak pair has no row to read
    assert recorded() == live


@pytest.mark.django_db
def test_what_changed_since_each_snapshot_is_the_close_sets_then_and_now(lakeside):
    from scoring.selectors import close_changes_since

    snapshots = [recompute(as_of=day) for day in DATES]
    now = close_pairs_at(snapshots[-1].pk)
    for since in snapshots[:-1]:
        then = close_pairs_at(since.pk)

        became, no_longer = close_changes_since(since)

        assert {(c["a"].pk, c["b"].pk) for c in became} == set(now) - set(then), since.as_of
        assert {(c["a"].pk, c["b"].pk) for c in no_longer} == set(then) - set(now), since.as_of
        assert all(c["after"] * 10 == now[(c["a"].pk, c["b"].pk)] for c in became)
        assert all(c["before"] * 10 == then[(c["a"].pk, c["b"].pk)] for c in no_longer)
    # 2026-06-30 again at the end: the pairs that left in 2031 came back, so since 2026-06-30 nothing moved
    assert close_changes_since(snapshots[1]) == ([], [])
    assert close_changes_since(snapshots[0])[0]  # since 2024, some became close


@pytest.mark.django_db
def test_the_what_changed_page(lakeside, client_as):
    staff = client_as("city_staff")
    assert "No scores yet" in staff.get("/closeness/changes/").content.decode()
    recompute(as_of=date(2026, 6, 30))
    assert "Nothing to compare with: the scores as of 2026-06-30 are the latest, and the first kept." in staff.get("/closeness/changes/").content.decode()
    recompute(as_of=date(2031, 1, 1))
    later = staff.get("/closeness/changes/", {"since": "2031-01-01"}).content.decode()
    assert "Nothing to compare with: the scores as of 2031-01-01 are the latest; choose a day before it." in later

    page = staff.get("/closeness/changes/", {"since": "2026-07-01"})

    assert page.status_code == 200
    no_longer = page.context["no_longer"]
    assert no_longer and not page.context["became"]
    html = page.content.decode()
    first = no_longer[0]
    assert f'<a href="/closeness/{first["a"].external_id}/{first["b"].external_id}/">' in html
    assert "against those as of <strong>2026-06-30</strong>" in html
    # by default a month before the current scores; a day before any scores compares with the first
    assert staff.get("/closeness/changes/").context["since"].as_of == date(2026, 6, 30)
    earliest = staff.get("/closeness/changes/", {"since": "2001-01-01"})
    assert earliest.context["since"].as_of == date(2026, 6, 30) and "the earliest kept; none before 2001-01-01" in earliest.content.decode()
    refused = staff.get("/closeness/changes/", {"since": "2026-13-01"})
    assert refused.status_code == 400 and "Not a date in the form YYYY-MM-DD." in refused.content.decode()


@pytest.mark.django_db
def test_an_incremental_recompute_records_the_crossings_of_the_pairs_it_scores(lakeside):
    """Weekly private meetings make the county's inspector general close to the sheriff's office
    (a weak pair before): the recompute of the entities they touch records it, as a full one would."""
    from engagement.models import Attendance, Meeting
    from entities.models import Entity

    as_of = date(2026, 6, 30)
    recompute(as_of=as_of)
    ig, so = Entity.objects.get(external_id="lk-ig"), Entity.objects.get(external_id="lk-so")
    pair = (min(ig.pk, so.pk), max(ig.pk, so.pk))
    assert pair not in close_pairs_at(recompute(as_of=as_of).pk)
    for week in range(40):
        meeting = Meeting.objects.create(external_id=f"m-x-{week}", date=date.fromordinal(as_of.toordinal() - 7 * week), type="private_meeting", title="P")
        Attendance.objects.bulk_create([Attendance(meeting=meeting, entity=ig), Attendance(meeting=meeting, entity=so)])

    snapshot = recompute(as_of=as_of, entity_scope={ig.pk, so.pk})

    assert snapshot.scope == "incremental"
    crossing = CloseCrossing.objects.get(snapshot=snapshot, entity_a_id=pair[0], entity_b_id=pair[1])
    assert crossing.after_tenths == close_pairs_at(snapshot.pk)[pair] and crossing.before_tenths < CLOSE_TENTHS
    assert set(CloseCrossing.objects.filter(snapshot=snapshot).values_list("entity_a_id", "entity_b_id")) == (
        set(close_pairs_at(snapshot.pk)) ^ set(close_pairs_at(snapshot.pk - 1))
    )


@pytest.mark.django_db
def test_the_api_lists_what_changed_since_a_day(lakeside, client_as):
    recompute(as_of=date(2026, 6, 30))
    recompute(as_of=date(2031, 1, 1))
    api = client_as("city_staff")

    answer = api.get("/api/closeness/changes/", {"since": "2026-07-01"}).json()

    assert (answer["as_of"], answer["since"], answer["became_close"], answer["flags_raised"]) == ("2031-01-01", "2026-06-30", [], [])
    assert answer["no_longer_close"] and all(c["then"] >= 8 > c["now"] for c in answer["no_longer_close"])
    refused = api.get("/api/closeness/changes/", {"since": "soon"})
    assert refused.status_code == 400 and refused.json() == {"since": ["Not a date in the form YYYY-MM-DD."]}
    assert api.get("/api/closeness/changes/", {"since": "07/01/2026"}).status_code == 400  # one form only, as the page's


@pytest.mark.django_db
def test_what_changed_for_one_entity(lakeside, client_as):
    from scoring.selectors import close_changes_since

    first = recompute(as_of=date(2026, 6, 30))
    recompute(as_of=date(2031, 1, 1))
    _, no_longer = close_changes_since(first)
    entity = no_longer[0]["a"]

    page = client_as("city_staff").get("/closeness/changes/", {"since": "2026-06-30", "entity": entity.external_id})

    assert page.context["no_longer"] == [c for c in no_longer if entity in (c["a"], c["b"])]
    assert f'For <a href="/entities/{entity.external_id}/">' in page.content.decode()
    assert f'/closeness/changes/?entity={entity.external_id}' in client_as("city_staff").get(f"/entities/{entity.external_id}/").content.decode()
    api = client_as("city_staff").get("/api/closeness/changes/", {"since": "2026-06-30", "entity": entity.external_id}).json()
    assert len(api["no_longer_close"]) == len(page.context["no_longer"])
    unknown = client_as("city_staff").get("/closeness/changes/", {"entity": "nobody"})
    assert unknown.status_code == 400 and "No entity with the id &#x27;nobody&#x27;." in unknown.content.decode()
    refused = client_as("city_staff").get("/api/closeness/changes/", {"entity": "nobody"})
    assert refused.status_code == 400 and refused.json() == {"entity": ["No entity with the id 'nobody'."]}


@pytest.mark.django_db
def test_the_flags_whose_situation_ended_since_a_day(lakeside, client_as):
    from conflicts.models import Flag

    recompute(as_of=date(2026, 6, 30))
    recompute(as_of=date(2031, 1, 1))
    lapsed = Flag.objects.filter(holds=False)
    assert lapsed.exists() and set(lapsed.values_list("lapsed_on", flat=True)) == {date(2031, 1, 1)}

    page = client_as("city_staff").get("/closeness/changes/", {"since": "2026-07-01"})

    assert set(page.context["lapsed"]) == set(lapsed)
    html = page.content.decode()
    assert 'id="flags-lapsed"' in html and f'href="/flags/{lapsed.first().pk}/"' in html
    assert client_as("city_staff").get("/api/closeness/changes/", {"since": "2026-07-01"}).json()["flags_lapsed"]
    assert "its evidence no longer holds (as of 2031-01-01)" in client_as("city_staff").get(f"/flags/{lapsed.first().pk}/").content.decode()
    # raised again, it holds and has no lapse date
    recompute(as_of=date(2026, 6, 30))
    assert not Flag.objects.filter(holds=True, lapsed_on__isnull=False).exists()
    assert not client_as("city_staff").get("/closeness/changes/", {"since": "2026-06-30"}).context["lapsed"]
