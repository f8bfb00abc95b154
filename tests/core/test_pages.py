"""The overview page."""
import re

import pytest
from django.utils import timezone

from engagement.models import Meeting
from scoring.models import ClosenessSnapshot
from tests.dashboard_helpers import scored_lakeside


@pytest.mark.django_db
def test_overview_shows_counts_closest_pairs_flags_and_the_last_recompute(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)

    page = client_as("city_staff").get("/").content.decode()

    assert "Scores and flags as of <strong>2026-06-30</strong>" in page
    assert "Lakeside Police Oversight Board — Lakeside Police Department" in page or "Lakeside Police Department — Lakeside Police Oversight Board" in page
    assert "FUNDING_DEPENDENCE" in page
    # severities most severe first, kinds by their names, recent meetings linked to their pages
    severities = re.findall(r'\?severity=(\w+)">', page)
    assert severities == ["high", "medium", "low"]
    assert '?kind=person">Person<' in page and '?kind=oversight_body">Oversight body<' in page
    latest = Meeting.objects.order_by("-date", "-id").first()
    assert f'href="/meetings/{latest.pk}/">{latest.title}</a>' in page


@pytest.mark.django_db
def test_overview_lists_the_latest_relationships_newest_first_and_not_those_dated_ahead(lakeside_dir, client_as):
    from datetime import timedelta

    from relationships.models import Relationship
    from tests.factories import RelationshipFactory

    scored_lakeside(lakeside_dir)
    ahead = RelationshipFactory(external_id="r-ahead", start_date=timezone.localdate() + timedelta(days=30))

    response = client_as("city_staff").get("/")

    shown = [r.external_id for r in response.context["recent_relationships"]]
    newest = Relationship.objects.exclude(pk=ahead.pk).filter(start_date__isnull=False).order_by("-start_date", "-id")
    assert shown == [r.external_id for r in newest[:8]]
    assert f'href="/relationships/{shown[0]}/"' in response.content.decode() and "r-ahead" not in response.content.decode()


@pytest.mark.django_db
def test_a_running_recompute_shows_a_banner_and_a_failed_one_an_error(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)
    ClosenessSnapshot.objects.create(as_of=timezone.localdate(), parameters={}, status="failed", error="RuntimeError: disk full")
    ClosenessSnapshot.objects.create(as_of=timezone.localdate(), parameters={}, status="running")

    page = client_as("city_staff").get("/").content.decode()

    assert "Scores are being recomputed" in page
    assert "The last recompute failed" in page and "disk full" in page


@pytest.mark.django_db
def test_scores_the_nightly_recompute_has_not_renewed_for_over_a_day_are_said_to_be(lakeside_dir, client_as):
    """Beat or the workers stopped: before, the overview gave the scores' date and nothing more."""
    from datetime import timedelta

    scored_lakeside(lakeside_dir)
    client = client_as("city_staff")
    assert "the nightly recompute has not run since" not in client.get("/").content.decode()  # computed just now

    snapshot = ClosenessSnapshot.objects.latest()
    ClosenessSnapshot.objects.filter(pk=snapshot.pk).update(finished_at=timezone.now() - timedelta(hours=27))
    page = client.get("/").content.decode()

    assert f"These scores were computed on {timezone.localtime(snapshot.finished_at - timedelta(hours=27)):%Y-%m-%d}: the nightly recompute has not run since" in page


@pytest.mark.django_db
def test_the_overview_says_when_no_background_worker_or_beat_has_run_for_five_minutes(lakeside_dir, client_as, monkeypatch):
    """Before, workers stopped with nothing changed were said only a day later, by the scores'
    age; the heartbeat beat sends every minute says it after five, and whether beat still sends."""
    from datetime import timedelta

    from config.celery import app
    from core.workers import beat_heartbeat_recorded, heartbeat_recorded

    scored_lakeside(lakeside_dir)
    client = client_as("city_staff")
    silent, beat_silent = "No background worker has taken any work", "Beat, which sends the background workers the nightly recompute"
    assert silent not in client.get("/").content.decode()  # no broker: no workers to hear from

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    page = client.get("/").content.decode()
    assert "No background worker has taken any work yet: changes are not scored" in page
    assert "Beat, which sends them work every minute, has sent none yet: it is stopped or cannot reach their task queue" in page

    def at(when):
        return f"{timezone.localtime(when):%Y-%m-%d %H:%M}"

    now = timezone.now()
    heartbeat_recorded(worker="celery@one", now=now - timedelta(minutes=4))
    beat_heartbeat_recorded(now=now - timedelta(minutes=1))
    page = client.get("/").content.decode()
    assert silent not in page and beat_silent not in page

    heartbeat_recorded(worker="celery@one", now=now - timedelta(minutes=6))
    page = client.get("/").content.decode()
    assert f"No background worker has taken any work since {at(now - timedelta(minutes=6))}: changes are not scored" in page
    assert (f"Beat still sends them work (last at {timezone.localtime(now - timedelta(minutes=1)):%H:%M}): the workers are stopped, or every one "
            "is busy with long work.") in page

    beat_heartbeat_recorded(now=now - timedelta(minutes=7))
    page = client.get("/").content.decode()
    assert f"Beat, which sends them work every minute, has sent none since {at(now - timedelta(minutes=7))}: it is stopped" in page

    heartbeat_recorded(worker="celery@one", now=now)  # the workers take what the pages send them
    page = client.get("/").content.decode()
    assert silent not in page
    assert f"{beat_silent}, has sent them nothing since {at(now - timedelta(minutes=7))}: it is stopped or cannot reach" in page

    # the page's line and the banner of changes waiting ask alike: the heartbeat is read once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert sum("core_workerheartbeat" in q["sql"] for q in queries.captured_queries) == 1


@pytest.mark.django_db
def test_overview_says_what_changed_since_a_month_before(lakeside_dir, client_as):
    from datetime import date

    from scoring.services import recompute

    scored_lakeside(lakeside_dir)
    assert "became close" not in client_as("city_staff").get("/").content.decode()  # one set of scores: nothing to compare
    recompute(as_of=date(2031, 1, 1))

    page = client_as("city_staff").get("/").content.decode()

    left = re.search(r'<a href="/closeness/changes/">Since 2026-06-30</a>: 0 pairs became close, (\d+) no longer are, 0 became working ties, 0 flags raised, (\d+) whose situation ended.', page)
    assert left and int(left.group(1)) > 0 and int(left.group(2)) > 0  # by 2031 the closeness flags have lapsed


@pytest.mark.django_db
def test_following_lists_each_followed_entitys_band_moves_and_flags_since_a_day(lakeside_dir, client_as, user_with_role):
    from datetime import date

    from conflicts.models import Flag
    from entities.models import Entity
    from scoring.selectors import BAND_MOVES, band_changes_since
    from scoring.services import recompute

    scored_lakeside(lakeside_dir)  # as of 2026-06-30
    first = ClosenessSnapshot.objects.order_by("id").first()
    recompute(as_of=date(2031, 1, 1))
    moves = band_changes_since(first)
    moved = {e for pairs in moves.values() for c in pairs for e in (c["a"], c["b"])}
    department, quiet = Entity.objects.get(external_id="lk-pd"), Entity.objects.exclude(pk__in=[e.pk for e in moved]).exclude(
        pk__in=Flag.objects.values("subject")).exclude(pk__in=Flag.objects.values("counterpart")).order_by("name").first()
    assert department in moved and quiet is not None
    staff = client_as("city_staff")
    assert "You follow no entities yet" in staff.get("/following/").content.decode()
    for entity in (department, quiet):
        assert staff.post(f"/entities/{entity.external_id}/follow/").status_code == 302

    page = staff.get("/following/", {"since": "2026-07-01"})

    assert page.status_code == 200
    rows = {row.entity: row for row in page.context["rows"]}
    expected = {(c["a"].pk, c["b"].pk, c["before"], c["after"]) for move in BAND_MOVES for c in moves[move] if department in (c["a"], c["b"])}
    assert {(m["a"].pk, m["b"].pk, m["before"], m["after"]) for m in rows[department].moved} == expected
    assert all(m["other"] != department for m in rows[department].moved)
    assert {f.pk for f in rows[department].lapsed} == set(
        Flag.objects.filter(holds=False).filter(subject=department).values_list("pk", flat=True)
    ) | set(Flag.objects.filter(holds=False, counterpart=department).values_list("pk", flat=True))
    html = page.content.decode()
    assert "Nothing changed: no pair changed band, no flag was raised or ended, no relationship was recorded." in html  # the quiet one
    assert "against those as of <strong>2026-06-30</strong>, for the 2 entities you follow." in html
    assert 'href="/following/">Following</a>: what changed for the 2 entities you follow.' in staff.get("/").content.decode()
    refused = staff.get("/following/", {"since": "soon"})
    assert refused.status_code == 400 and "Not a date in the form YYYY-MM-DD." in refused.content.decode()
    # someone else's list is their own (client_as signs the same client in as a new user)
    assert "You follow no entities yet" in client_as("analyst").get("/following/").content.decode()


@pytest.mark.django_db
def test_the_overviews_closest_pairs_are_ties_between_actors_not_a_person_with_their_own_body(lakeside_dir, client_as):
    from entities.models import Entity
    from relationships.models import Relationship
    from relationships.types import AFFILIATION_TYPES
    from scoring.selectors import listed_pairs, pair_for

    scored_lakeside(lakeside_dir)
    as_of = ClosenessSnapshot.objects.latest("id").as_of

    page = client_as("city_staff").get("/").content.decode()

    shown = re.findall(r'<td><a href="/closeness/([^/]+)/([^/]+)/">', page)
    assert len(shown) == 10
    for a, b in shown:
        assert not Relationship.objects.filter(type__in=AFFILIATION_TYPES, source__external_id__in=(a, b), target__external_id__in=(a, b)).exclude(
            end_date__lt=as_of).exists(), (a, b)
    # the chief and the department they lead score above the tenth pair listed, and are left out
    chief_and_department = pair_for(Entity.objects.get(external_id="p-chief"), Entity.objects.get(external_id="lk-pd"))
    tenth = listed_pairs().order_by("-score_tenths")[9]
    assert chief_and_department.score_tenths > tenth.score_tenths
    assert '<a href="/closeness/?across=on">Every such pair</a>' in page
