"""The recompute service: snapshots, history that grows with changes, atomic failure, incremental."""
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from engagement.models import Attendance, Meeting
from entities.models import Entity
from scoring.models import ClosenessSnapshot, PairScore, PairScoreHistory, ScoringSettings, WeakPairBlock, WeakPairChange
from scoring.selectors import current_pair_scores, pair_history
from scoring.services import recompute, relationship_digests
from scoring.weak_pairs import current_weak_pairs
from tests.recompute_helpers import assert_incremental_gave_what_a_full_recompute_gives


def current_scores():
    return {(a, b, *tenths) for (a, b), tenths in current_pair_scores().items()}


@pytest.mark.django_db
def test_each_snapshot_records_its_settings_and_reference_date(lakeside):
    settings_row = ScoringSettings.load()
    settings_row.parameters = {**settings_row.parameters, "half_life_days": 200}
    settings_row.save()

    snapshot = recompute(as_of=date(2026, 6, 30))

    assert snapshot.status == "complete"
    assert snapshot.as_of == date(2026, 6, 30)
    assert snapshot.parameters["half_life_days"] == 200


@pytest.mark.django_db
def test_history_grows_with_what_changed_not_with_recomputes(lakeside):
    recompute(as_of=date(2026, 6, 30))
    rows_after_first = PairScore.objects.count()

    second = recompute(as_of=date(2026, 6, 30))

    assert second.pairs_changed == 0
    assert PairScore.objects.count() == rows_after_first
    assert not PairScoreHistory.objects.exists()


@pytest.mark.django_db
def test_a_pair_history_keeps_every_score_it_had(lakeside):
    first = recompute(as_of=date(2025, 6, 30))
    second = recompute(as_of=date(2026, 6, 30))
    ob, pd = Entity.objects.get(external_id="lk-ob"), Entity.objects.get(external_id="lk-pd")
    a, b = sorted((ob.pk, pd.pk))

    earlier = list(PairScoreHistory.objects.filter(entity_a=a, entity_b=b).values_list("score_tenths", "valid_from", "valid_to"))
    current = PairScore.objects.get(entity_a=a, entity_b=b)

    assert len(earlier) == 1
    score, valid_from, valid_to = earlier[0]
    assert (valid_from, valid_to) == (first.pk, second.pk) == (valid_from, current.valid_from_id)
    assert current.score_tenths > score
    # what the pair page and the API list: each version with its components
    then, now = pair_history(ob, pd)
    assert (then["as_of"], then["score"], then["current"]) == ("2025-06-30", score / 10, False)
    assert (now["as_of"], now["score"], now["components"], now["current"]) == ("2026-06-30", current.score, current.components, True)


@pytest.mark.django_db
def test_a_recompute_that_fails_halfway_leaves_the_previous_scores(lakeside, monkeypatch):
    recompute(as_of=date(2026, 6, 30))
    before = current_scores()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("conflicts.services.flags_refresh", broken)
    with pytest.raises(RuntimeError):
        recompute(as_of=date(2025, 1, 1))

    assert current_scores() == before
    failed = ClosenessSnapshot.objects.latest()
    assert failed.status == "failed" and "disk full" in failed.error


@pytest.mark.django_db
def test_rules_failing_while_the_scores_are_written_leave_the_previous_scores(lakeside, monkeypatch):
    """The rules that read no closeness run in a helper thread beside the pair writes: their
    failure fails the whole recompute, and nothing it wrote stays."""
    recompute(as_of=date(2026, 6, 30))
    before = current_scores()

    def broken(data, closeness_only=False):
        raise RuntimeError("rules broke")

    monkeypatch.setattr("conflicts.services.RulesRun", broken)
    with pytest.raises(RuntimeError, match="rules broke"):
        recompute(as_of=date(2025, 1, 1))

    assert current_scores() == before
    assert ClosenessSnapshot.objects.latest().status == "failed"


@pytest.mark.django_db(transaction=True)
def test_logging_a_meeting_recomputes_the_affected_pairs_like_a_full_recompute(lakeside_dir):
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    today = timezone.localdate()
    recompute(as_of=today)
    x_a2, x_b2 = Entity.objects.get(external_id="x-a2"), Entity.objects.get(external_id="x-b2")
    before = ClosenessSnapshot.objects.count()

    with transaction.atomic():
        meeting = Meeting.objects.create(external_id="m-new", date=today, type="private_meeting", title="Coffee")
        Attendance.objects.create(meeting=meeting, entity=x_a2)
        Attendance.objects.create(meeting=meeting, entity=x_b2)

    incremental = ClosenessSnapshot.objects.latest()
    assert ClosenessSnapshot.objects.count() == before + 1  # one task for the whole transaction
    assert incremental.scope == "incremental" and incremental.status == "complete"
    assert incremental.pairs_current == len(current_pair_scores())
    after_incremental = current_scores()
    recompute(as_of=today)
    assert current_scores() == after_incremental


@pytest.mark.django_db
@pytest.mark.parametrize("earlier", [None, date(2025, 6, 30)], ids=["no scores yet", "scores of another date"])
def test_an_incremental_recompute_of_another_date_recomputes_every_pair(lakeside, earlier):
    """All current pairs share one reference date: a scope is honoured only when the current scores
    are of the same date, whoever calls the service."""
    if earlier is not None:
        recompute(as_of=earlier)
    scope = {Entity.objects.get(external_id="x-a2").pk}

    snapshot = recompute(as_of=date(2026, 6, 30), entity_scope=scope)

    assert snapshot.scope == "full"
    assert snapshot.pairs_current == len(current_pair_scores())
    after = current_scores()
    assert recompute(as_of=date(2026, 6, 30)).pairs_changed == 0
    assert current_scores() == after


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("removed", ["the attendee", "the meeting"])
def test_removing_attendance_recomputes_the_pairs_of_the_organisations_it_stood_for(removed):
    """A person at a meeting also stands for the organisations they lead, sit on or work for: the
    chief's private meeting makes the department and the board she sits on a pair. When her
    attendance goes (or the whole meeting), that pair changes too, though nobody left at the
    meeting names either organisation."""
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory, RelationshipFactory

    today = timezone.localdate()
    chief = EntityFactory(kind="person", name="Chief")
    department = EntityFactory(kind="police_department", name="Department")
    board = EntityFactory(kind="advisory_board", name="Board")
    RelationshipFactory(source=chief, target=department, type="leads", start_date=date(2020, 1, 1), end_date=None)
    RelationshipFactory(source=chief, target=board, type="member_of", start_date=date(2020, 1, 1), end_date=None)
    meetings = [MeetingFactory(type="private_meeting", date=today.replace(day=1)) for _ in range(3)]
    rows = [AttendanceFactory(meeting=meeting, entity=chief) for meeting in meetings]
    recompute(as_of=today)
    a, b = sorted((department.pk, board.pk))
    assert (a, b) in current_pair_scores()

    (rows[0].delete if removed == "the attendee" else meetings[0].delete)()

    assert_incremental_gave_what_a_full_recompute_gives(today)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("moved", ["relationship", "attendance"])
def test_a_row_moved_to_other_entities_recomputes_the_pairs_it_left(moved):
    """An edit in the admin or the API may point a relationship (or an attendance row) at other
    entities: the pair it joined until then changes as much as the one it joins now."""
    from engagement.models import Attendance
    from relationships.models import Relationship
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory, RelationshipFactory

    today = timezone.localdate()
    chief, board, mayor, council = (EntityFactory(kind=kind) for kind in ("person", "advisory_board", "elected_official", "government_body"))
    tie = RelationshipFactory(source=chief, target=board, type="member_of", start_date=date(2020, 1, 1), end_date=None)
    meeting = MeetingFactory(type="private_meeting", date=today.replace(day=1))
    row = AttendanceFactory(meeting=meeting, entity=chief)
    AttendanceFactory(meeting=meeting, entity=EntityFactory(kind="person"))
    recompute(as_of=today)

    if moved == "relationship":
        tie = Relationship.objects.get(pk=tie.pk)
        tie.source, tie.target = mayor, council  # both ends elsewhere
        tie.save()
    else:
        row = Attendance.objects.get(pk=row.pk)
        row.entity = mayor
        row.save()

    assert_incremental_gave_what_a_full_recompute_gives(today)


@pytest.mark.django_db
def test_every_pair_has_at_most_one_current_score_after_many_recomputes(lakeside):
    for as_of in (date(2024, 1, 1), date(2026, 6, 30), date(2025, 3, 1), date(2026, 6, 30)):
        recompute(as_of=as_of)

    current = PairScore.objects.all()
    assert current.count() == current.values("entity_a", "entity_b").distinct().count()
    weak = current_weak_pairs()
    weak_pairs = set(zip(weak.a.tolist(), weak.b.tolist()))
    assert len(weak_pairs) == len(weak)  # each weak pair once
    assert not weak_pairs & set(current.values_list("entity_a", "entity_b"))  # a row or a weak pair, never both
    assert ClosenessSnapshot.objects.latest().pairs_current == current.count() + len(weak) > 0


@pytest.mark.django_db(transaction=True)
def test_editing_a_relationship_through_the_orm_queues_a_recompute(lakeside_dir):
    from relationships.models import Relationship

    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    recompute(as_of=timezone.localdate())
    before = ClosenessSnapshot.objects.count()

    relationship = Relationship.objects.get(external_id="f-01")
    relationship.amount = 1
    relationship.save()

    assert ClosenessSnapshot.objects.count() == before + 1
    assert ClosenessSnapshot.objects.latest().scope == "incremental"


@pytest.mark.django_db(transaction=True)
def test_correcting_only_a_relationship_s_source_or_notes_queues_no_recompute(lakeside_dir):
    """Neither the scores nor the conflict rules read them; a change of anything they read still
    queues one, even when written as the form or the admin would write it (a date as text)."""
    from relationships.models import Relationship

    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    recompute(as_of=timezone.localdate())
    before = ClosenessSnapshot.objects.count()

    relationship = Relationship.objects.get(external_id="f-01")
    relationship.source_url = "https://lakeside.example.net/records/f-01-corrected"
    relationship.notes = "Checked against the city's budget book."
    relationship.save()
    assert ClosenessSnapshot.objects.count() == before

    relationship.start_date = "2020-01-01"
    relationship.save()
    assert ClosenessSnapshot.objects.count() == before + 1


@pytest.mark.django_db
def test_an_incremental_recompute_keeps_the_flags_when_only_meetings_changed(lakeside, monkeypatch):
    """Re-running every rule is skipped only when nothing the rules read changed."""
    from datetime import date

    from conflicts import services as conflict_services
    from conflicts.models import Flag
    from engagement.models import Attendance, Meeting
    from entities.models import Entity
    from relationships.models import Relationship
    from scoring.services import recompute

    as_of = date(2026, 6, 30)
    evaluated_by = recompute(as_of=as_of)
    flags_before = set(Flag.objects.values_list("rule", "subject", "counterpart", "status", "severity", "explanation", "holds"))
    runs = []
    real_rules = conflict_services.RulesRun
    monkeypatch.setattr(conflict_services, "RulesRun",
                        lambda data, closeness_only=False: runs.append(1) or real_rules(data, closeness_only=closeness_only))

    residents = list(Entity.objects.filter(external_id__startswith="res-").values_list("id", flat=True)[:2])
    meeting = Meeting.objects.create(external_id="m-extra", date=date(2026, 6, 1), type="community_forum", title="Extra")
    Attendance.objects.bulk_create([Attendance(meeting=meeting, entity_id=e) for e in residents])
    snapshot = recompute(as_of=as_of, entity_scope=set(residents))
    assert runs == [] and snapshot.flags_raised == Flag.objects.filter(holds=True).count()
    assert set(Flag.objects.values_list("rule", "subject", "counterpart", "status", "severity", "explanation", "holds")) == flags_before
    # the rules did not run: each flag still names the snapshot that last evaluated it, on this date
    assert set(Flag.objects.values_list("snapshot", "last_evaluated_on")) == {(evaluated_by.pk, as_of)}

    rel = Relationship.objects.get(external_id="t-08")
    rel.notes = "edited"
    rel.save()
    recompute(as_of=as_of, entity_scope={rel.source_id, rel.target_id})
    assert runs == [1]  # an edited relationship: the rules run

    Relationship.objects.filter(external_id="t-08").delete()
    recompute(as_of=as_of, entity_scope={rel.source_id, rel.target_id})
    assert runs == [1, 1]  # a deleted one too


@pytest.mark.django_db
def test_a_pair_crossing_into_close_runs_the_rules_and_raises_its_flag(lakeside):
    """An oversight body meeting privately and often enough with the police becomes close: the
    incremental recompute must raise OVERSIGHT_TOO_CLOSE even though only meetings changed."""
    from datetime import date, timedelta

    from conflicts.models import Flag
    from engagement.models import Attendance, Meeting
    from entities.models import Entity
    from scoring.services import recompute

    as_of = date(2026, 6, 30)
    recompute(as_of=as_of)
    ig, so = Entity.objects.get(external_id="lk-ig"), Entity.objects.get(external_id="lk-so")
    assert not Flag.objects.filter(rule="OVERSIGHT_TOO_CLOSE", subject=ig, counterpart=so, holds=True).exists()
    for week in range(40):
        meeting = Meeting.objects.create(external_id=f"m-ig-so-{week}", date=as_of - timedelta(days=7 * week), type="private_meeting", title="Private")
        Attendance.objects.bulk_create([Attendance(meeting=meeting, entity=ig), Attendance(meeting=meeting, entity=so)])
    recompute(as_of=as_of, entity_scope={ig.pk, so.pk})
    assert Flag.objects.filter(rule="OVERSIGHT_TOO_CLOSE", subject=ig, counterpart=so, holds=True).exists()


def _save(instance, **changes):
    """An edit as the app makes it (save() moves updated_at, which the rules' fingerprint reads)."""
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.save()


@pytest.mark.django_db
def test_incremental_recomputes_after_relationship_edits_equal_a_full_recompute(lakeside):
    """The incremental path reads only the scope's relationships and the affiliations for scoring,
    and every relationship for the rules: scores and flags must match a full recompute's."""
    from conflicts.models import Flag
    from relationships.models import Relationship

    def flags():
        return set(Flag.objects.filter(holds=True).values_list("rule", "subject", "counterpart", "severity", "disclosed"))

    as_of = date(2026, 6, 30)
    recompute(as_of=as_of)
    board, chief = Entity.objects.get(external_id="lk-ob"), Entity.objects.get(external_id="p-chief")
    edits = [
        # money from a person on the overseen side to the overseer: scores and a new flag
        lambda: Relationship.objects.create(external_id="x-funds", source=chief, target=board, type="funds", amount=50_000,
                                            start_date=date(2025, 1, 1)),
        # an existing tie ended long ago: its pair decays, its flags may lapse
        lambda: _save(Relationship.objects.get(external_id="s-01"), end_date=date(2019, 1, 1)),
        lambda: Relationship.objects.filter(external_id="x-funds").delete(),
    ]
    for edit in edits:
        touched = set(Relationship.objects.filter(external_id__in=["x-funds", "s-01"]).values_list("source_id", "target_id"))
        edit()
        touched |= set(Relationship.objects.filter(external_id__in=["x-funds", "s-01"]).values_list("source_id", "target_id"))
        scope = {entity for pair in touched for entity in pair} | {board.pk, chief.pk}
        recompute(as_of=as_of, entity_scope=scope)
        incremental = (current_scores(), flags())
        recompute(as_of=as_of)
        assert (current_scores(), flags()) == incremental


def _pair_indexes():
    """The pair table's indexes and its constraints (primary key, unique, checks), as defined."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [PairScore._meta.db_table])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY conname",
                       [PairScore._meta.db_table])
        return indexes + cursor.fetchall()


def _scores_and_history():
    """The current rows, the history rows (snapshots named by their reference dates) and every
    current score, weak pairs included."""
    as_of = dict(ClosenessSnapshot.objects.values_list("pk", "as_of"))
    fields = ("entity_a", "entity_b", "score_tenths", "formal_tenths", "interaction_tenths", "financial_tenths",
              "analyst_tenths", "relationship_digest", "valid_from")
    current = {(*row[:-1], as_of[row[-1]]) for row in PairScore.objects.values_list(*fields)}
    history = sorted((*row[:-2], as_of[row[-2]], as_of[row[-1]]) for row in PairScoreHistory.objects.values_list(*fields, "valid_to"))
    return current, history, current_scores()


@pytest.mark.django_db
def test_recomputes_that_rewrite_most_pairs_rebuild_the_indexes_with_the_same_result(lakeside, monkeypatch):
    """A full recompute that writes most pairs anew (from empty, years of decay) drops the pair
    table's indexes and builds them after the rows are in: they come back exactly as the
    migrations made them, and the rows and history are those of maintaining them row by row."""
    declared = _pair_indexes()
    assert {name for name, _ in declared} >= {index.name for index in PairScore._meta.indexes} | {"pairscore_one_per_pair"}
    assert ("scoring_pairscore_pkey", "PRIMARY KEY (id)") in declared
    days = [date(2026, 6, 30), date(2024, 1, 1), date(2024, 1, 2), date(2026, 6, 30)]
    results = {}
    for path, share in (("rebuilt every time", -1.0), ("maintained every time", float("inf"))):
        monkeypatch.setattr("scoring.services.REBUILD_SHARE", share)
        for model in (PairScore, PairScoreHistory, WeakPairBlock, WeakPairChange):
            model.objects.all().delete()
        for day in days:
            recompute(as_of=day)
            assert _pair_indexes() == declared
        results[path] = _scores_and_history()

    assert results["rebuilt every time"] == results["maintained every time"]
    current, history, _ = results["rebuilt every time"]
    assert current and len(history) > len(current)  # years apart: most rows changed twice


@pytest.mark.django_db(transaction=True)
def test_pages_do_not_wait_for_the_first_recompute_that_holds_the_pair_table(lakeside_dir, client_as):
    """While the first full recompute rebuilds the indexes it holds the pair table locked: pages
    must answer at once (there are no scores yet), not queue behind it."""
    import psycopg2
    from django.db import connection

    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    ClosenessSnapshot.objects.create(as_of=date(2026, 6, 30), parameters={})  # running, as during the recompute
    settings = connection.settings_dict
    locker = psycopg2.connect(dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432)
    try:
        with locker.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {PairScore._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # a page that waits fails instead of hanging the test
        client = client_as("city_staff")
        entity = Entity.objects.get(external_id="lk-pd")
        other = Entity.objects.get(external_id="lk-ob")
        for url in ["/", "/entities/", "/entities/?band=close", f"/entities/{entity.external_id}/",
                    "/closeness/", f"/closeness/{entity.external_id}/{other.external_id}/", "/network/",
                    "/api/closeness/", f"/api/closeness/{entity.external_id}/{other.external_id}/history/"]:
            assert client.get(url).status_code == 200, url
    finally:
        locker.rollback()
        locker.close()


@pytest.mark.django_db
@pytest.mark.parametrize("failing", ["scoring.services._current_rows", "scoring.services.closeness_scores"])
def test_a_failure_while_scoring_and_reading_side_by_side_leaves_the_previous_scores(lakeside, monkeypatch, failing):
    """A full recompute reads the current rows in a helper thread while it scores: a failure on
    either side fails the recompute cleanly, and the connection is usable afterwards."""
    recompute(as_of=date(2026, 6, 30))
    before = current_scores()

    def broken(*args, **kwargs):
        raise RuntimeError("read failed")

    monkeypatch.setattr(failing, broken)
    with pytest.raises(RuntimeError, match="read failed"):
        recompute(as_of=date(2025, 1, 1))
    monkeypatch.undo()

    assert current_scores() == before
    assert ClosenessSnapshot.objects.latest().status == "failed"
    recompute(as_of=date(2025, 1, 1))
    assert ClosenessSnapshot.objects.latest().status == "complete"


@pytest.mark.django_db
def test_when_only_closeness_moved_only_the_closeness_rules_run_with_a_full_recomputes_flags(lakeside, monkeypatch):
    from datetime import timedelta

    from conflicts import services as conflict_services
    from conflicts.models import Flag

    def flags():
        return set(Flag.objects.values_list("rule", "subject", "counterpart", "severity", "disclosed", "explanation", "holds", "status"))

    as_of = date(2026, 6, 30)
    recompute(as_of=as_of)
    runs = []
    real_rules = conflict_services.RulesRun
    monkeypatch.setattr(conflict_services, "RulesRun",
                        lambda data, closeness_only=False: runs.append(closeness_only) or real_rules(data, closeness_only=closeness_only))
    ig, so = Entity.objects.get(external_id="lk-ig"), Entity.objects.get(external_id="lk-so")
    for week in range(40):
        meeting = Meeting.objects.create(external_id=f"m-ig-so-{week}", date=as_of - timedelta(days=7 * week), type="private_meeting", title="Private")
        Attendance.objects.bulk_create([Attendance(meeting=meeting, entity=ig), Attendance(meeting=meeting, entity=so)])
    snapshot = recompute(as_of=as_of, entity_scope={ig.pk, so.pk})

    assert runs == [True]
    assert Flag.objects.filter(rule="OVERSIGHT_TOO_CLOSE", subject=ig, counterpart=so, holds=True).exists()
    assert snapshot.flags_raised == Flag.objects.filter(holds=True).count()
    incremental = flags()
    recompute(as_of=as_of)
    assert runs == [True, False] and flags() == incremental


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_does_not_stop_the_next_one_from_queueing_a_recompute(lakeside_dir):
    """A rolled-back transaction left its pending entities behind, and the next change saved
    outside a transaction was added to them and never queued."""
    from relationships.models import Relationship

    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    recompute(as_of=timezone.localdate())
    relationship = Relationship.objects.get(external_id="f-01")
    before = ClosenessSnapshot.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        relationship.amount = 2
        relationship.save()
        raise RuntimeError("the form failed after saving")
    assert ClosenessSnapshot.objects.count() == before  # nothing committed, nothing queued

    relationship.amount = 3
    relationship.save()  # autocommit
    assert ClosenessSnapshot.objects.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_meeting_saved_without_attendance_outside_a_transaction_queues_nothing(lakeside_dir):
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    recompute(as_of=timezone.localdate())
    before = ClosenessSnapshot.objects.count()
    Meeting.objects.create(external_id="m-empty", date=timezone.localdate(), type="community_forum", title="Nobody came")
    assert ClosenessSnapshot.objects.count() == before


@given(groups=st.lists(st.sets(st.integers(1, 10**9), max_size=6).map(lambda ids: tuple(sorted(ids))), max_size=30))
def test_relationship_digests_are_zero_only_without_evidence_and_stable(groups):
    digests = relationship_digests(groups)
    assert [d == 0 for d in digests.tolist()] == [not ids for ids in groups]
    assert all(0 <= d < 2**56 for d in digests.tolist())
    assert relationship_digests(list(reversed(groups))).tolist() == list(reversed(digests.tolist()))  # per group, not per list
    distinct = {ids: d for ids, d in zip(groups, digests.tolist())}
    assert len(set(distinct.values())) == len(distinct)  # different evidence, different digests


@pytest.mark.django_db
def test_a_recompute_hands_the_rows_it_wrote_to_the_statistics_refresh(lakeside, monkeypatch):
    written = []
    monkeypatch.setattr("scoring.services.analyze_if_changed", lambda model, rows: written.append((model, rows)))

    first = recompute(as_of=date(2026, 6, 30))
    recompute(as_of=date(2026, 6, 30))  # nothing changed
    rows = PairScore.objects.filter(valid_from=first).count()
    assert written == [(PairScore, rows), (PairScore, 0)] and rows > 0

    written.clear()
    recompute(as_of=date(2027, 6, 30))  # a year of decay: rows change and their old versions retire
    retired = PairScoreHistory.objects.count()
    assert written == [(PairScore, retired + PairScore.objects.exclude(valid_from=first).count())] and retired > 0

    written.clear()
    ig = Entity.objects.get(external_id="lk-ig")
    recompute(as_of=date(2027, 6, 30), entity_scope={ig.pk})  # an incremental one leaves it to the next full one
    assert written == []


@pytest.mark.django_db(transaction=True)
def test_evidence_committed_while_a_recompute_reads_is_read_again_so_engine_and_rules_agree(lakeside, monkeypatch):
    """A relationship committed between the loader's reads (after the engine's columns, before the
    rules' records): the recompute notices the rules' inputs moved and reads everything again, so
    the scores hold the relationship too and the snapshot's fingerprint is that of what it read."""
    import threading

    from django.db import connection

    from scoring import load
    from scoring.services import rules_inputs_fingerprint
    from tests.factories import EntityFactory, RelationshipFactory

    a, b = EntityFactory(kind="person"), EntityFactory(kind="person")
    added, reads = [], []
    read_columns = load.load_relationship_columns

    def commit_a_tie():  # another connection, as another user's edit
        try:
            added.append(RelationshipFactory(source=a, target=b, type="personal"))
        finally:
            connection.close()

    def columns_then_an_edit(*args, **kwargs):
        columns = read_columns(*args, **kwargs)
        reads.append(len(columns.id))
        if len(reads) == 1:
            editor = threading.Thread(target=commit_a_tie)
            editor.start()
            editor.join()
        return columns

    monkeypatch.setattr(load, "load_relationship_columns", columns_then_an_edit)
    # the edit queues its own recompute, which would wait for this one's lock: noted, not run
    from scoring import triggers

    queued = []
    monkeypatch.setattr(triggers, "_queue", queued.append)
    snapshot = recompute(as_of=date(2026, 6, 30))

    assert len(reads) == 2 and reads[1] == reads[0] + 1  # read again, with the new relationship
    assert queued and {a.pk, b.pk} <= set(queued[0])
    assert snapshot.rules_inputs == rules_inputs_fingerprint()
    row = PairScore.objects.get(entity_a=min(a.pk, b.pk), entity_b=max(a.pk, b.pk))
    assert row.relationship_ids == [added[0].pk] and row.formal_tenths > 0


@pytest.mark.django_db(transaction=True)
def test_an_incremental_recompute_judges_closeness_on_the_relationships_it_read(lakeside, monkeypatch):
    """Only meetings changed, and a pair became close: the two closeness rules run again over the
    oversight relationships read with the rest of the evidence. An oversight mandate committed
    later (while the scores are written) is left to the recompute that edit queues, so the flags
    match the snapshot's fingerprint of what it read."""
    import threading
    from datetime import timedelta

    from django.db import connection

    from conflicts.models import Flag
    from scoring import services, triggers
    from scoring.services import rules_inputs_fingerprint
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory, RelationshipFactory

    queued = []
    monkeypatch.setattr(triggers, "_queue", queued.append)  # the edits' own recomputes: noted, not run
    day = date(2026, 6, 30)
    board, office = EntityFactory(kind="oversight_body"), EntityFactory(kind="police_department")
    RelationshipFactory(source=office, target=board, type="advises")  # a formal tie and money,
    RelationshipFactory(source=office, target=board, type="funds", amount=50_000)  # not yet close
    recompute(as_of=day)
    assert PairScore.objects.get(entity_a=min(board.pk, office.pk), entity_b=max(board.pk, office.pk)).score_tenths < 80
    with transaction.atomic():
        for week in range(40):
            meeting = MeetingFactory(date=day - timedelta(days=7 * week), type="private_meeting")
            AttendanceFactory(meeting=meeting, entity=board)
            AttendanceFactory(meeting=meeting, entity=office)

    write = services.pair_scores_write

    def a_mandate_committed_while_writing(**kwargs):
        def commit():  # another connection, as another user's edit
            try:
                RelationshipFactory(source=board, target=office, type="oversees")
            finally:
                connection.close()

        editor = threading.Thread(target=commit)
        editor.start()
        editor.join()
        return write(**kwargs)

    monkeypatch.setattr(services, "pair_scores_write", a_mandate_committed_while_writing)
    snapshot = recompute(as_of=day, entity_scope={board.pk, office.pk})

    assert snapshot.scope == "incremental"
    pair = PairScore.objects.get(entity_a=min(board.pk, office.pk), entity_b=max(board.pk, office.pk))
    assert pair.score_tenths >= 80  # close: the closeness rules ran again
    assert not Flag.objects.filter(rule="OVERSIGHT_TOO_CLOSE", subject=board, counterpart=office).exists()
    assert snapshot.rules_inputs != rules_inputs_fingerprint()  # the edit's own recompute follows
    assert {board.pk, office.pk} <= set(queued[-1])


@pytest.mark.django_db
@pytest.mark.parametrize("as_of,rules", [
    (date.min, set()),  # the seat starts two days later
    (date(2026, 6, 30), {"REVOLVING_DOOR"}),
    (date.max, {"REVOLVING_DOOR", "FUNDING_DEPENDENCE"}),  # the money starts that day
])
def test_evidence_and_reference_dates_at_either_end_of_the_calendar_recompute(as_of, rules):
    """Any ISO date imports (0001-01-01 is a likely typo for 2001): a recompute on such data, or as
    of such a date, scores and flags as on any other day instead of failing."""
    from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory, RelationshipFactory

    pd, board = EntityFactory(kind="police_department"), EntityFactory(kind="oversight_body")
    member = EntityFactory(kind="person")
    RelationshipFactory(source=board, target=pd, type="oversees", start_date=date.min)
    RelationshipFactory(source=member, target=board, type="member_of", start_date=date(1, 1, 3))
    RelationshipFactory(source=member, target=pd, type="employed_by", start_date=date.min, end_date=date(1, 1, 2))
    RelationshipFactory(source=pd, target=board, type="funds", start_date=date.max, amount=100)
    for day in (date.min, date.max):
        AttendanceFactory(meeting=MeetingFactory(date=day), entity=member)
        AttendanceFactory(meeting=Meeting.objects.get(date=day), entity=pd)

    snapshot = recompute(as_of=as_of)

    assert snapshot.status == "complete"
    assert (min(board.pk, pd.pk), max(board.pk, pd.pk)) in current_pair_scores()
    from conflicts.models import Flag

    assert set(Flag.objects.filter(holds=True).values_list("rule", flat=True)) == rules
