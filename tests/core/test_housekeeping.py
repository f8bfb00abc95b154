"""The nightly housekeeping: expired sessions, old sign-in logs and forms kept past their time go
(core/housekeeping.py)."""
from datetime import timedelta

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.celery import app
from core.housekeeping import housekeeping
from core.models import KeptForm
from core.tasks import housekeeping_task


def session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["answered_surveys"] = [1]  # what the anonymous survey notes in a visitor's session
    store.set_expiry(expires_in)
    store.create()
    return store.session_key


def aged(log_model, days: int, **fields):
    log = log_model.objects.create(ip_address="192.0.2.7", user_agent="browser", **fields)
    log_model.objects.filter(pk=log.pk).update(attempt_time=timezone.now() - timedelta(days=days))
    return log.pk


@pytest.mark.django_db
def test_expired_sessions_and_sign_in_logs_past_their_time_go_and_the_rest_stays():
    expired, live = session(timedelta(seconds=-1)), session(timedelta(hours=8))
    old_log, recent_log = aged(AccessLog, 91, username="analyst"), aged(AccessLog, 89, username="analyst")
    old_failure, recent_failure = aged(AccessFailureLog, 120, username="x"), aged(AccessFailureLog, 3, username="x")
    old_form, recent_form = (KeptForm.objects.create(token=f"t{days}", path="/meetings/new/", fields=[["title", "Coffee"]],
                                                     sent_at=timezone.now() - timedelta(days=days)).pk for days in (8, 6))

    removed = housekeeping(sign_in_logs_kept_days=90)

    assert removed == {"sign_in_logs": 1, "failed_sign_in_logs": 1, "kept_forms": 1}
    assert set(KeptForm.objects.values_list("pk", flat=True)) == {recent_form} and old_form != recent_form
    assert set(Session.objects.values_list("session_key", flat=True)) == {live} and expired != live
    assert set(AccessLog.objects.values_list("pk", flat=True)) == {recent_log} and old_log != recent_log
    assert set(AccessFailureLog.objects.values_list("pk", flat=True)) == {recent_failure} and old_failure != recent_failure


@pytest.mark.django_db
def test_a_sign_in_is_logged_then_forgotten_after_the_days_the_settings_keep(client, user_with_role, settings):
    user = user_with_role("analyst")
    assert client.post("/login/", {"username": user.username, "password": "a-long-test-password"}).status_code == 302
    assert AccessLog.objects.filter(username=user.username).exists()
    settings.SIGN_IN_LOGS_KEPT_DAYS = 10
    AccessLog.objects.update(attempt_time=timezone.now() - timedelta(days=11))

    assert housekeeping_task() == {"sign_in_logs": 1, "failed_sign_in_logs": 0, "kept_forms": 0}
    assert not AccessLog.objects.exists()


def test_beat_runs_the_housekeeping_every_night(settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "core.tasks.housekeeping_task")
    assert entry["schedule"].hour == {4} and entry["schedule"].day_of_week == set(range(7))
    app.loader.import_default_modules()
    assert "core.tasks.housekeeping_task" in app.tasks
