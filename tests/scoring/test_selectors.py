"""Selectors: the pure helpers, and an entity's ties over time (most database-backed ones are tested
through the pages)."""
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.selectors import closest_counterparts, history_through, with_evidence_changes
from tests.examples import examples
from tests.factories import EntityFactory, PairScoreFactory, SnapshotFactory


def point(as_of: str, score: float, current: bool) -> dict:
    return {"as_of": as_of, "computed": f"{as_of}T03:00:00", "score": score, "current": current}


def test_a_pair_unchanged_since_its_last_change_is_drawn_up_to_the_current_scores_date():
    history = [point("2026-01-01", 8.1, False), point("2026-03-01", 9.3, True)]

    chart = history_through(history, date(2026, 12, 1))

    assert chart == [{"as_of": "2026-01-01", "score": 8.1}, {"as_of": "2026-03-01", "score": 9.3}, {"as_of": "2026-12-01", "score": 9.3}]


def test_nothing_is_added_when_the_last_change_is_today_or_no_longer_current():
    changed_today = [point("2026-12-01", 9.3, True)]
    gone = [point("2026-01-01", 8.1, False)]

    assert history_through(changed_today, date(2026, 12, 1)) == [{"as_of": "2026-12-01", "score": 9.3}]
    assert history_through(gone, date(2026, 12, 1)) == [{"as_of": "2026-01-01", "score": 8.1}]
    assert history_through([], date(2026, 12, 1)) == []
    assert history_through(changed_today, None) == [{"as_of": "2026-12-01", "score": 9.3}]


def test_each_version_names_the_relationships_gained_and_lost_since_the_one_before():
    history = [{"relationship_ids": [3, 5]}, {"relationship_ids": [3, 5]}, {"relationship_ids": [5, 8, 9]}, {"relationship_ids": []}]

    changes = [(v["evidence_added"], v["evidence_removed"]) for v in with_evidence_changes(history)]

    assert changes == [([3, 5], []), ([], []), ([8, 9], [3]), ([], [5, 8, 9])]


@pytest.mark.django_db
def test_an_entitys_ties_over_time_count_its_close_and_working_pairs_as_each_dates_last_recompute_left_them(lakeside):
    """Recomputes out of date order, one date twice with an incremental recompute between: each
    date's point counts the pairs in force after the last recompute of that date."""
    from entities.models import Entity
    from scoring.engine.parameters import CLOSE_TENTHS, WORKING_TENTHS
    from scoring.models import ClosenessSnapshot
    from scoring.selectors import entity_band_history
    from scoring.services import recompute
    from tests.recompute_helpers import scores_at

    department = Entity.objects.get(external_id="lk-pd")
    for day in (date(2024, 1, 1), date(2026, 6, 30), date(2025, 6, 30), date(2031, 1, 1), date(2026, 6, 30)):
        recompute(as_of=day)
    recompute(as_of=date(2026, 6, 30), entity_scope={department.pk})

    history = entity_band_history(department)

    last_of_day = {s.as_of: s.pk for s in ClosenessSnapshot.objects.filter(status="complete").order_by("id")}
    expected = []
    for day in sorted(last_of_day):
        ties = [t for pair, t in scores_at(last_of_day[day]).items() if department.pk in pair]
        expected.append({"as_of": day.isoformat(), "close": sum(t >= CLOSE_TENTHS for t in ties),
                         "working": sum(WORKING_TENTHS <= t < CLOSE_TENTHS for t in ties)})
    assert history == expected
    assert [h["as_of"] for h in history] == ["2024-01-01", "2025-06-30", "2026-06-30", "2031-01-01"]
    assert history[2]["close"] > history[3]["close"]  # by 2031 its close ties have faded


@pytest.mark.django_db
def test_the_ties_over_time_of_every_pair_are_what_the_entities_ties_add_up_to(lakeside, client_as):
    """Each recompute counts the close and working pairs it leaves (`close_pairs`): for each date,
    every entity's ties (`entity_band_history`, read from the pair versions) count each pair twice,
    once from each end. Recomputes out of date order, one date twice with an incremental recompute
    between, and a meeting logged on a page (its incremental recompute) after."""
    from entities.models import Entity
    from scoring.selectors import bands_over_time, entity_band_history
    from scoring.services import recompute
    from tests.engagement.test_views import meeting_post

    department = Entity.objects.get(external_id="lk-pd")
    for day in (date(2024, 1, 1), date(2026, 6, 30), date(2025, 6, 30), date(2031, 1, 1), date(2026, 6, 30)):
        recompute(as_of=day)
    recompute(as_of=date(2026, 6, 30), entity_scope={department.pk})
    client_as("board_member").post("/meetings/new/", meeting_post(["x-a2", "x-b2"], title="Coffee", type="private_meeting",
                                                                 date="2026-06-29"))

    over_time = bands_over_time()

    by_entity = [entity_band_history(e) for e in Entity.objects.all()]
    assert [t["as_of"] for t in over_time] == [t["as_of"] for t in by_entity[0]]
    for i, point in enumerate(over_time):
        assert 2 * point["close"] == sum(history[i]["close"] for history in by_entity)
        assert 2 * point["working"] == sum(history[i]["working"] for history in by_entity)
    assert over_time[-1]["close"] < over_time[2]["close"]  # by 2031 close ties have faded


@pytest.mark.django_db
def test_the_what_changed_page_charts_the_ties_of_every_pair_once_there_are_two_dates(lakeside, client_as):
    from scoring.services import recompute

    recompute(as_of=date(2026, 6, 30))
    staff = client_as("city_staff")
    assert 'id="ties-chart"' not in staff.get("/closeness/changes/").content.decode()  # one date: no line to draw
    recompute(as_of=date(2031, 1, 1))

    page = staff.get("/closeness/changes/")

    html = page.content.decode()
    assert 'data-ties="bands-over-time"' in html and 'id="bands-over-time"' in html and "js/ties-chart.js" in html
    assert [t["as_of"] for t in page.context["ties"]] == ["2026-06-30", "2031-01-01"]
    first, last = page.context["ties"]
    assert f"<tr><td>2026-06-30</td><td>{first['close']}</td><td>{first['working']}</td></tr>" in html  # the figures, folded
    assert staff.get("/api/closeness/ties/").json() == {"ties": [first, last]}  # the API gives the same


@pytest.mark.django_db
def test_the_entity_page_charts_its_ties_once_there_are_two_dates(lakeside, client_as):
    from scoring.selectors import entity_band_history
    from scoring.services import recompute

    recompute(as_of=date(2026, 6, 30))
    staff = client_as("city_staff")
    assert 'id="ties-chart"' not in staff.get("/entities/lk-pd/").content.decode()  # one date: no line to draw
    recompute(as_of=date(2031, 1, 1))

    page = staff.get("/entities/lk-pd/")

    html = page.content.decode()
    assert 'id="ties-chart"' in html and 'id="entity-ties"' in html and "js/ties-chart.js" in html and 'data-ties="entity-ties"' in html
    assert [t["as_of"] for t in page.context["ties"]] == ["2026-06-30", "2031-01-01"]
    # an entity that never had a working or close tie gets no blank chart
    from entities.models import Entity

    loner = next(e for e in Entity.objects.order_by("external_id") if not any(
        t["close"] or t["working"] for t in entity_band_history(e)))
    assert 'id="ties-chart"' not in staff.get(f"/entities/{loner.external_id}/").content.decode()


HISTORY_EDITS = ("private meeting", "forum", "end a relationship", "restore a relationship")


@pytest.mark.django_db
@settings(max_examples=examples(5), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rounds=st.lists(st.tuples(st.integers(1, 400), st.lists(st.tuples(st.sampled_from(HISTORY_EDITS), st.integers(0, 10**6)), max_size=4)),
                       min_size=2, max_size=4))
def test_the_history_gives_back_the_scores_of_every_recompute(lakeside, client_as, rounds):
    """Recomputes as of later and later dates, with meetings logged and relationships ended or
    restored between them: the API's `?as_of=` listing of each date gives back what that
    recompute exported (pairs of 1.0 or more), "what changed" since each date lists exactly the
    pairs whose band differs between then and now, and each pair's history (rows and weak pairs
    alike) holds each score the pair took, as of the date it took it."""
    import csv
    import io
    from datetime import timedelta

    from django.db import connection

    from conflicts.models import Flag
    from engagement.models import Attendance, Meeting
    from entities.models import Entity
    from interchange.export import dataset_export_files
    from relationships.models import Relationship
    from scoring.selectors import BAND_MOVES, band_move, pair_history
    from scoring.services import recompute

    Flag.objects.all().delete()  # each example from no scores and the lakeside as imported
    with connection.cursor() as cursor:
        for table in ("scoring_pairscore", "scoring_pairscorehistory", "scoring_weakpairblock", "scoring_weakpairchange",
                      "scoring_bandcrossing", "scoring_closenesssnapshot"):
            cursor.execute(f"DELETE FROM {table}")
    Attendance.objects.filter(meeting__external_id__startswith="prop-").delete()
    Meeting.objects.filter(external_id__startswith="prop-").delete()
    ties = list(Relationship.objects.order_by("external_id"))
    for tie in ties:
        Relationship.objects.filter(pk=tie.pk).update(start_date=tie.start_date, end_date=tie.end_date)
    entities = list(Entity.objects.order_by("external_id"))
    day, captured = date(2024, 1, 1), []
    for n, (days, edits) in enumerate(rounds):
        day += timedelta(days=days)
        for m, (edit, pick) in enumerate(edits):
            if edit in ("private meeting", "forum"):
                meeting = Meeting.objects.create(external_id=f"prop-{n}-{m}", date=day - timedelta(days=pick % 300), title="Property test",
                                                 type="private_meeting" if edit == "private meeting" else "community_forum")
                for k in range(2 + pick % 4):
                    Attendance.objects.get_or_create(meeting=meeting, entity=entities[(pick // 7 + k * 31) % len(entities)])
            else:
                tie = ties[pick % len(ties)]
                end = max(tie.start_date or date.min, day - timedelta(days=30)) if edit == "end a relationship" else tie.end_date
                Relationship.objects.filter(pk=tie.pk).update(end_date=end)
        recompute(as_of=day)
        rows = csv.DictReader(io.StringIO(dataset_export_files()["closeness.csv"]))
        captured.append((day, {frozenset((r["entity_a"], r["entity_b"])): float(r["score"]) for r in rows}))

    staff = client_as("city_staff")
    for day, scores in captured:
        listed, page = {}, f"/api/closeness/?as_of={day.isoformat()}&page_size=500"
        while page:
            body = staff.get(page).json()
            listed.update({frozenset((p["entity_a"], p["entity_b"])): p["score"] for p in body["results"]})
            page = body["next"]
        assert listed == {pair: score for pair, score in scores.items() if score >= 1.0}, day
    final = captured[-1][1]
    for day, scores in captured[:-1]:  # what changed since each earlier date: every pair that changed band, by move
        body = staff.get("/api/closeness/changes/", {"since": day.isoformat()}).json()
        expected = {move: set() for move in BAND_MOVES}
        for pair in set(scores) | set(final):
            move = band_move(round(scores.get(pair, 0) * 10), round(final.get(pair, 0) * 10))
            if move:
                expected[move].add(pair)
        assert {move: {frozenset((p["entity_a"], p["entity_b"])) for p in body[move]} for move in BAND_MOVES} == expected, day
    by_id = {e.external_id: e for e in entities}
    every_pair = sorted({tuple(sorted(pair)) for _, scores in captured for pair in scores})
    for a, b in every_pair[:: max(1, len(every_pair) // 40)]:  # forty pairs, weak ones among them
        versions = {v["as_of"]: v["score"] for v in pair_history(by_id[a], by_id[b])}
        before = 0.0
        for day, scores in captured:
            now = scores.get(frozenset((a, b)), 0.0)
            if now and now != before:
                assert versions.get(day.isoformat()) == now, (a, b, day)
            before = now
        assert all(scores.get(frozenset((a, b))) == versions[day.isoformat()] for day, scores in captured if day.isoformat() in versions), (a, b)


@pytest.mark.django_db
def test_each_entity_shows_its_highest_listed_pair_on_either_side_and_none_without_one():
    from entities.models import Entity
    from scoring.engine.parameters import LISTED_TENTHS
    from scoring.selectors import with_closest_score, with_closest_scores_set
    from tests.factories import EntityFactory, PairScoreFactory, SnapshotFactory

    snapshot = SnapshotFactory()
    first, second, third, fourth, alone, unlisted, at_the_bound, beside = (EntityFactory(external_id=f"e-{n}") for n in range(8))
    pairs = ((first, second, 42), (first, third, 87), (second, third, 9), (third, fourth, 55), (second, fourth, 5),
             (unlisted, at_the_bound, LISTED_TENTHS - 1), (at_the_bound, beside, LISTED_TENTHS))
    for a, b, tenths in pairs:
        low, high = sorted((a, b), key=lambda entity: entity.pk)
        PairScoreFactory(entity_a=low, entity_b=high, score_tenths=tenths, valid_from=snapshot)

    shown = dict(with_closest_score(Entity.objects.all()).values_list("external_id", "closest_tenths"))
    # a page's entities, read entity by entity rather than from the view
    on_a_page = {e.external_id: e.closest_tenths for e in with_closest_scores_set(list(Entity.objects.all()))}

    # e-1 and e-2 have pairs on both sides, e-0 and e-3 on one (entity_a, entity_b), e-4 none; a pair under 1.0 is not listed
    assert shown == on_a_page == {"e-0": 87, "e-1": 42, "e-2": 87, "e-3": 55, "e-4": None, "e-5": None, "e-6": 10, "e-7": 10}


@pytest.mark.django_db
def test_of_counterparts_scoring_alike_at_the_limit_the_first_by_id_are_shown():
    others = EntityFactory.create_batch(40)
    entity = others.pop(20)  # counterparts with lower ids (it is their pair's b) and higher (its a)
    snapshot = SnapshotFactory()
    for other in reversed(others):  # stored in an order other than the ids'
        a, b = sorted((entity, other), key=lambda e: e.pk)
        PairScoreFactory(entity_a=a, entity_b=b, valid_from=snapshot, score_tenths=55 if other is others[30] else 50)

    shown = [other.pk for other, _ in closest_counterparts(entity, limit=15)]

    assert shown == [others[30].pk, *sorted(o.pk for o in others if o is not others[30])[:14]]


@pytest.mark.django_db
def test_the_pairs_involving_some_entities_are_those_with_one_of_them_on_either_side():
    from entities.models import Entity
    from scoring.models import PairScore
    from scoring.selectors import pairs_involving

    chief, chair, mayor, clerk = EntityFactory.create_batch(4, kind="person")
    department = EntityFactory(kind="police_department")
    snapshot = SnapshotFactory()
    for a, b in [(chief, chair), (chair, mayor), (mayor, clerk), (chief, department), (clerk, department)]:
        low, high = sorted((a, b), key=lambda e: e.pk)
        PairScoreFactory(entity_a=low, entity_b=high, valid_from=snapshot, score_tenths=50)

    def ends(entities):
        return {frozenset((p.entity_a_id, p.entity_b_id)) for p in pairs_involving(PairScore.objects.all(), entities)}

    assert ends(Entity.objects.filter(pk=chair.pk)) == {frozenset((chief.pk, chair.pk)), frozenset((chair.pk, mayor.pk))}
    assert ends(Entity.objects.filter(kind="police_department")) == {frozenset((chief.pk, department.pk)), frozenset((clerk.pk, department.pk))}
    assert ends(Entity.objects.filter(pk__in=[chief.pk, clerk.pk])) == {
        frozenset((chief.pk, chair.pk)), frozenset((mayor.pk, clerk.pk)), frozenset((chief.pk, department.pk)), frozenset((clerk.pk, department.pk))}
    assert ends(Entity.objects.none()) == set()


@pytest.mark.django_db
def test_the_ties_between_actors_leave_out_a_person_with_their_own_body_and_a_unit_with_its_body():
    from scoring.models import PairScore
    from scoring.selectors import across_bodies
    from tests.factories import RelationshipFactory

    snapshot = SnapshotFactory(as_of=date(2026, 6, 30))
    department = EntityFactory(external_id="pd", kind="police_department")
    council = EntityFactory(external_id="council", kind="government_body")
    committee = EntityFactory(external_id="committee", kind="government_body", parent=council)
    chief, former, future, resident = (EntityFactory(external_id=name) for name in ("chief", "former", "future", "resident"))
    RelationshipFactory(source=chief, target=department, type="leads", start_date=None)
    RelationshipFactory(source=former, target=department, type="employed_by", start_date=date(2015, 1, 1), end_date=date(2025, 1, 1))
    RelationshipFactory(source=future, target=department, type="member_of", start_date=date(2026, 7, 1))
    RelationshipFactory(source=resident, target=department, type="personal")  # a tie, not a body of their own
    pairs = [(chief, department), (former, department), (future, department), (resident, department), (committee, council),
             (committee, department), (chief, council)]
    for one, other in pairs:
        a, b = sorted((one, other), key=lambda e: e.pk)
        PairScoreFactory(entity_a=a, entity_b=b, valid_from=snapshot)

    kept = {frozenset((p.entity_a.external_id, p.entity_b.external_id)) for p in across_bodies(PairScore.objects.all(), snapshot.as_of)}

    # the chief leads the department and the committee is the council's: close by their own work
    assert kept == {frozenset(pair) for pair in [("former", "pd"), ("future", "pd"), ("resident", "pd"), ("committee", "pd"), ("chief", "council")]}
    # scored as of a day once the future member had joined, that pair is theirs too
    later = across_bodies(PairScore.objects.all(), date(2027, 1, 1))
    assert frozenset(("future", "pd")) not in {frozenset((p.entity_a.external_id, p.entity_b.external_id)) for p in later}
