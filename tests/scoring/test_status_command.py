"""`manage.py scoring_status`: how current the scores are and whether the workers run, as the
status API gives it (one selector, `scoring.selectors.scoring_status`), exiting 1 when something
needs looking into, for cron or a monitoring agent."""
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from config.celery import app
from core.workers import beat_heartbeat_recorded, heartbeat_recorded
from scoring.models import ClosenessSnapshot, OwedRecompute
from scoring.services import recompute

pytestmark = pytest.mark.django_db


def status_shown(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("scoring_status", *args, stdout=out)
    except SystemExit as leaving:
        return leaving.code, out.getvalue()
    return 0, out.getvalue()


def test_without_scores_it_says_so_and_exits_1():
    code, shown = status_shown()
    assert code == 1
    assert shown.splitlines() == ["Scores: none yet", "Workers: none (no broker: tasks run in the process that sends them)",
                                  "Needs attention: no scores yet: run a recompute."]


def test_scores_renewed_and_workers_running_are_all_well(lakeside, monkeypatch):
    recompute(as_of=timezone.localdate())
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # deployed with a broker
    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(minutes=1))
    beat_heartbeat_recorded(now=timezone.now() - timedelta(minutes=1))

    code, shown = status_shown()

    assert code == 0 and shown.splitlines()[-1] == "All is well."
    assert shown.startswith(f"Scores: as of {timezone.localdate()}, computed ")
    assert "Workers: last took work " in shown and "Beat: last sent work " in shown


def test_every_trouble_is_named_and_exits_1(lakeside, monkeypatch):
    current = recompute(as_of=timezone.localdate())
    ClosenessSnapshot.objects.filter(pk=current.pk).update(finished_at=timezone.now() - timedelta(days=2))
    ClosenessSnapshot.objects.create(as_of=timezone.localdate(), parameters={}, status="failed", error="RuntimeError: disk full")
    OwedRecompute.objects.create(entity_ids=[1])  # its task not sent
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(minutes=9))

    code, shown = status_shown()

    assert code == 1
    assert "Last recompute failed at " in shown and ": RuntimeError: disk full" in shown
    assert "the background workers' task queue could not be reached when they were saved; no background worker has taken any work" in shown
    assert "Beat: has sent no work yet" in shown
    assert shown.splitlines()[-1] == (
        "Needs attention: the nightly recompute has not renewed the scores for over a day; the last recompute failed; "
        "changes wait that no worker is scoring; no background worker has taken any work for five minutes; "
        "beat, which sends the nightly recompute, has sent nothing for five minutes.")


def test_as_json_it_gives_what_the_status_api_gives(lakeside, user_with_role):
    from rest_framework.test import APIClient

    recompute(as_of=timezone.localdate())
    code, shown = status_shown("--json")
    given = json.loads(shown)

    api = APIClient()
    api.force_authenticate(user_with_role("city_staff"))
    assert code == 0 and given.pop("needs_attention") == []
    assert given == api.get("/api/scoring/status/").json()
