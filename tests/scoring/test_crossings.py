"""Pairs moving from one band to another, recorded by each recompute (and filled from the stored
history by migrations 0007 and 0009 for the snapshots before them), and "what changed" read from them."""
import importlib
from datetime import date

import pytest
from django.db import connection

from scoring.engine.parameters import CLOSE_TENTHS, WORKING_TENTHS
from scoring.models import BandCrossing
from scoring.selectors import BAND_MOVES, band_changes_since, band_move
from scoring.services import recompute
from tests.recompute_helpers import scores_at

crossings_from_history = importlib.import_module("scoring.migrations.0009_band_crossings").crossings_from_history
DATES = [date(2024, 1, 1), date(2026, 6, 30), date(2025, 6, 30), date(2031, 1, 1), date(2026, 6, 30)]


def close_pairs_at(snapshot_id: int) -> dict[tuple[int, int], int]:
    return {pair: tenths for pair, tenths in scores_at(snapshot_id).items() if tenths >= CLOSE_TENTHS}


def band(tenths: int) -> int:
    return (tenths >= WORKING_TENTHS) + (tenths >= CLOSE_TENTHS)


def recorded() -> set[tuple]:
    return set(BandCrossing.objects.values_list("snapshot_id", "entity_a_id", "entity_b_id", "before_tenths", "after_tenths"))


@pytest.mark.django_db
def test_each_recompute_records_exactly_the_pairs_that_changed_band(lakeside):
    snapshots = [recompute(as_of=day) for day in DATES]

    previous: dict = {}
    for snapshot in snapshots:
        now = scores_at(snapshot.pk)
        expected = {
            pair: (previous.get(pair, 0), now.get(pair, 0))
            for pair in previous.keys() | now.keys()
            if band(previous.get(pair, 0)) != band(now.get(pair, 0))
        }
        crossings = {(c.entity_a_id, c.entity_b_id): (c.before_tenths, c.after_tenths) for c in BandCrossing.objects.filter(snapshot=snapshot)}
        assert crossings == expected, snapshot.as_of
        previous = now
    # the dates move pairs every way, and a recompute that changes nothing records nothing
    moves = {band_move(before, after) for _, _, _, before, after in recorded()}
    assert moves == set(BAND_MOVES)
    again = recompute(as_of=DATES[-1])
    assert not BandCrossing.objects.filter(snapshot=again).exists()


@pytest.mark.django_db
def test_the_migrations_fill_from_the_history_what_the_recomputes_recorded(lakeside):
    for day in DATES:
        recompute(as_of=day)
    live = recorded()
    assert any(before < CLOSE_TENTHS and after < CLOSE_TENTHS for *_, before, after in live)

    # 0009 adds the moves below close to those 0007 filled in
    BandCrossing.objects.filter(before_tenths__lt=CLOSE_TENTHS, after_tenths__lt=CLOSE_TENTHS).delete()
    with connection.cursor() as cursor:
        cursor.execute(crossings_from_history(only_below_close=True))
    assert recorded() == live

    # every move, from the history alone; the recorded "before" of a pair that was under 1.0 is 0,
    # as a weak pair has no row to read
    BandCrossing.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(crossings_from_history(only_below_close=False))
    assert recorded() == live


@pytest.mark.django_db
def test_what_changed_since_each_snapshot_is_each_pairs_band_then_and_now(lakeside):
    snapshots = [recompute(as_of=day) for day in DATES]
    now = scores_at(snapshots[-1].pk)
    for since in snapshots[:-1]:
        then = scores_at(since.pk)
        expected = {move: {} for move in BAND_MOVES}
        for pair in then.keys() | now.keys():
            move = band_move(then.get(pair, 0), now.get(pair, 0))
            if move:
                expected[move][pair] = (then.get(pair, 0) / 10, now.get(pair, 0) / 10)

        changes = band_changes_since(since)

        assert {move: {(c["a"].pk, c["b"].pk): (c["before"], c["after"]) for c in pairs} for move, pairs in changes.items()} == expected, since.as_of
        for pairs in changes.values():  # highest score now first
            assert [c["after"] for c in pairs] == sorted((c["after"] for c in pairs), reverse=True)
    # 2026-06-30 again at the end: the pairs that moved in 2031 came back, so since 2026-06-30 nothing moved
    assert band_changes_since(snapshots[1]) == {move: [] for move in BAND_MOVES}
    assert band_changes_since(snapshots[0])["became_close"]  # since 2024, some became close


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
    # by 2031 working ties have faded too: listed apart from the close pairs, each once
    faded = page.context["no_longer_working"]
    assert faded and not page.context["became_working"]
    assert all(4 <= c["before"] < 8 and c["after"] < 4 for c in faded)
    table = html[html.index('id="no-longer-working"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == len(faded) + 1 and f'/closeness/{faded[0]["a"].external_id}/{faded[0]["b"].external_id}/' in table
    assert f"{len(no_longer)} no longer are, 0 became working ties, {len(faded)} fell back to distant" in html
    # each list says what it holds, the pairs no longer close too
    assert "Pairs scoring 8.0 or more then that score under 8.0 now" in " ".join(html.split())
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
    crossing = BandCrossing.objects.get(snapshot=snapshot, entity_a_id=pair[0], entity_b_id=pair[1])
    assert crossing.after_tenths == close_pairs_at(snapshot.pk)[pair] and crossing.before_tenths < CLOSE_TENTHS
    assert set(BandCrossing.objects.filter(snapshot=snapshot).values_list("entity_a_id", "entity_b_id")) == (
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
    assert answer["no_longer_working"] and all(8 > c["then"] >= 4 > c["now"] for c in answer["no_longer_working"])
    assert answer["became_working"] == []
    refused = api.get("/api/closeness/changes/", {"since": "soon"})
    assert refused.status_code == 400 and refused.json() == {"since": ["Not a date in the form YYYY-MM-DD."]}
    assert api.get("/api/closeness/changes/", {"since": "07/01/2026"}).status_code == 400  # one form only, as the page's


@pytest.mark.django_db
def test_what_changed_for_one_entity(lakeside, client_as):
    first = recompute(as_of=date(2026, 6, 30))
    recompute(as_of=date(2031, 1, 1))
    no_longer = band_changes_since(first)["no_longer_close"]
    entity = no_longer[0]["a"]

    page = client_as("city_staff").get("/closeness/changes/", {"since": "2026-06-30", "entity": entity.external_id})

    assert page.context["no_longer"] == [c for c in no_longer if entity in (c["a"], c["b"])]
    assert f'For <a href="/entities/{entity.external_id}/">' in page.content.decode()
    assert f'/closeness/changes/?entity={entity.external_id}' in client_as("city_staff").get(f"/entities/{entity.external_id}/").content.decode()
    api = client_as("city_staff").get("/api/closeness/changes/", {"since": "2026-06-30", "entity": entity.external_id}).json()
    assert len(api["no_longer_close"]) == len(page.context["no_longer"])
    # its name does as well as its id (the field suggests names as on the meeting form)
    by_name = client_as("city_staff").get("/closeness/changes/", {"since": "2026-06-30", "entity": entity.name})
    assert by_name.context["entity"] == entity and by_name.context["no_longer"] == page.context["no_longer"]
    assert 'list="entity-options"' in by_name.content.decode() and "js/entity-search.js" in by_name.content.decode()
    unknown = client_as("city_staff").get("/closeness/changes/", {"entity": "nobody"})
    assert unknown.status_code == 400 and "No entity with the id or name &#x27;nobody&#x27;." in unknown.content.decode()
    refused = client_as("city_staff").get("/api/closeness/changes/", {"entity": "nobody"})
    assert refused.status_code == 400 and refused.json() == {"entity": ["No entity with the id or name 'nobody'."]}


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


@pytest.mark.django_db
def test_long_lists_show_the_highest_and_the_csv_has_every_move(lakeside, client_as, monkeypatch):
    import csv
    import io

    from scoring import views

    first = recompute(as_of=date(2026, 6, 30))
    recompute(as_of=date(2031, 1, 1))
    changes = band_changes_since(first)
    faded = changes["no_longer_working"]
    assert len(faded) > 2
    monkeypatch.setattr(views, "CHANGES_SHOWN", 2)
    staff = client_as("city_staff")

    html = staff.get("/closeness/changes/", {"since": "2026-07-01"}).content.decode()

    table = html[html.index('id="no-longer-working"'):]
    assert table[:table.index("</table>")].count("<tr>") == 3  # the header and the first two
    assert f"The 2 with the highest score now, of {len(faded)}:" in table
    download = staff.get("/closeness/changes/", {"since": "2026-07-01", "export": "csv"})
    assert download["Content-Type"].startswith("text/csv") and "closeness-changes-since-2026-06-30.csv" in download["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert {(r["change"], r["entity_a"], r["entity_b"], r["then"], r["now"]) for r in rows} == {
        (move, c["a"].external_id, c["b"].external_id, f"{c['before']:.1f}", f"{c['after']:.1f}")
        for move, pairs in changes.items() for c in pairs
    }
