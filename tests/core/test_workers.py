"""Sending work to the background workers (core/workers.py): a task queue that cannot be reached
is reported to the caller, never raised into the request that saved something."""
import socket

import pytest
from django.db import transaction

from core.workers import send_once_committed, sent_to_workers


def a_port_that_refuses() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on leaving: a connection there is refused


def test_a_task_sent_while_the_broker_refuses_connections_is_reported_not_raised():
    """The project's settings with a broker (CELERY_BROKER_URL, as deployed) whose port refuses
    connections, as when Redis is down, in a process of their own. Before, the result backend,
    which those settings put on the same Redis, made `delay` raise a RuntimeError after 20 s of
    retries; no task result is kept now, and only the send fails, as kombu's error, reported."""
    import os
    import subprocess
    import sys

    from tests.worker import ROOT

    asks = ("import logging; logging.basicConfig(level=logging.WARNING); from core.workers import sent_to_workers; "
            "from scoring.tasks import recompute_all_task; print('sent:', sent_to_workers(recompute_all_task))")
    env = {**os.environ, "CELERY_BROKER_URL": f"redis://127.0.0.1:{a_port_that_refuses()}/0"}
    shown = subprocess.run([sys.executable, "manage.py", "shell", "-c", asks], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[-1] == "sent: False"
    assert "scoring.tasks.recompute_all_task not queued: the task queue cannot be reached" in shown.stderr


def test_without_a_broker_a_task_runs_here_and_its_errors_are_raised():
    """The embedded set-up (no CELERY_BROKER_URL): tasks run eagerly, as they did."""
    from config.celery import app

    ran = []

    @app.task(name="tests.runs_here")
    def runs_here(value):
        ran.append(value)

    @app.task(name="tests.fails_here")
    def fails_here():
        raise ValueError("the task's own error")

    assert sent_to_workers(runs_here, 7) is True and ran == [7]
    with pytest.raises(ValueError, match="the task's own error"):
        sent_to_workers(fails_here)


@pytest.mark.django_db(transaction=True)
def test_a_task_is_sent_once_its_transaction_commits_and_unsent_is_told_when_the_queue_is_down(task_queue_unreachable):
    from config.celery import app

    @app.task(name="tests.sent_after_commit")
    def sent_after_commit(value):
        raise AssertionError("never run: the queue is down")

    unsent = []
    with pytest.raises(RuntimeError), transaction.atomic():
        send_once_committed(sent_after_commit, 1, unsent=lambda: unsent.append("rolled back"))
        raise RuntimeError("the save failed")
    assert unsent == []  # rolled back: nothing sent, nothing to tell

    with transaction.atomic():
        send_once_committed(sent_after_commit, 2, unsent=lambda: unsent.append("committed"))
        assert unsent == []  # not before the commit
    assert unsent == ["committed"]


def test_workers_are_silent_after_five_minutes_without_a_heartbeat_or_before_the_first():
    from datetime import datetime, timedelta, timezone

    from core.workers import WORKERS_SILENT_AFTER, workers_silent

    now = datetime(2026, 12, 5, 6, 0, tzinfo=timezone.utc)
    assert WORKERS_SILENT_AFTER == timedelta(minutes=5)
    assert workers_silent(None, now)
    assert not workers_silent(now - timedelta(minutes=1), now)
    assert not workers_silent(now - WORKERS_SILENT_AFTER, now)
    assert workers_silent(now - WORKERS_SILENT_AFTER - timedelta(seconds=1), now)


@pytest.mark.django_db
def test_the_heartbeat_keeps_one_row_with_the_latest_worker_and_times(monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from config.celery import app
    from core.models import WorkerHeartbeat
    from core.workers import background_heard, beat_heartbeat_recorded, heartbeat_recorded, workers_expected, workers_heard

    now = timezone.now()
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # a broker: workers are expected
    heard = background_heard(now)
    assert workers_expected() and (heard.workers_last_seen, heard.beat_last_sent) == (None, None)
    assert heard.workers_silent and heard.beat_silent and workers_heard(now) == heard

    heartbeat_recorded(worker="celery@one", now=now - timedelta(minutes=7))
    beat_heartbeat_recorded(now=now - timedelta(minutes=1))
    heard = workers_heard(now)
    assert (heard.workers_last_seen, heard.beat_last_sent) == (now - timedelta(minutes=7), now - timedelta(minutes=1))
    assert heard.workers_silent and not heard.beat_silent and heard.silent  # beat sends, no worker takes it

    heartbeat_recorded(worker="celery@two", now=now)
    assert list(WorkerHeartbeat.objects.values_list("worker", "last_seen", "beat_last_sent")) == [
        ("celery@two", now, now - timedelta(minutes=1))]  # each record keeps the other's time
    assert workers_heard(now) is None and not background_heard(now).silent
    assert background_heard(now + timedelta(minutes=5, seconds=30)).beat_silent  # beat stopped, the workers heard later
    beat_heartbeat_recorded(now=now + timedelta(minutes=5))
    assert list(WorkerHeartbeat.objects.values_list("worker", "last_seen", "beat_last_sent")) == [("celery@two", now, now + timedelta(minutes=5))]

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # no broker: no workers to hear from
    assert not workers_expected() and workers_heard(now + timedelta(hours=1)) is None and background_heard(now) is None


def test_the_administrators_are_alerted_once_a_silence_not_while_the_workers_start_and_told_when_they_are_back():
    from datetime import datetime, timedelta, timezone

    from core.workers import BackgroundHeard, workers_alert_due, workers_back_due

    now = datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)
    started = now - timedelta(hours=1)

    def due(last_seen, alerted_at, beat_started_at=started):
        heard = BackgroundHeard(workers_last_seen=last_seen, beat_last_sent=now, now=now)
        return workers_alert_due(heard, alerted_at=alerted_at, beat_started_at=beat_started_at)

    assert not due(now - timedelta(minutes=2), None)  # a worker took work lately
    assert due(now - timedelta(minutes=6), None)
    assert not due(now - timedelta(minutes=6), now - timedelta(seconds=30))  # told of this silence already
    assert due(now - timedelta(minutes=6), now - timedelta(minutes=40))  # told of an earlier one; a worker was back since
    assert due(None, None)  # no worker ever took work
    assert not due(None, now - timedelta(minutes=40))  # and they were told
    assert not due(None, None, beat_started_at=now - timedelta(minutes=3))  # a new deployment: workers may be starting
    assert due(None, None, beat_started_at=now - timedelta(minutes=5))

    def back(last_seen, alerted_at):
        return workers_back_due(BackgroundHeard(workers_last_seen=last_seen, beat_last_sent=now, now=now), alerted_at=alerted_at)

    assert back(now - timedelta(minutes=1), now - timedelta(minutes=20))  # told they stopped; one took work since
    assert not back(now - timedelta(minutes=1), None)  # never told they stopped
    assert not back(now - timedelta(minutes=30), now - timedelta(minutes=20))  # still silent
    assert not back(None, now - timedelta(minutes=20))


@pytest.mark.django_db
def test_beat_emails_the_administrators_with_an_address_when_no_worker_takes_work(user_with_role, monkeypatch, caplog):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from config.celery import app
    from core import tasks, workers
    from core.models import WorkerHeartbeat
    from core.workers import administrators_told_of_silent_workers, heartbeat_recorded

    now = timezone.now()
    started = now - timedelta(minutes=30)
    assert not administrators_told_of_silent_workers(now, beat_started_at=started)  # no broker: no workers
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # deployed with a broker

    monkeypatch.setattr(workers, "silences_logged_unaddressed", set())  # beat's process starting

    heartbeat_recorded(worker="celery@one", now=now - timedelta(minutes=6))
    assert not administrators_told_of_silent_workers(now, beat_started_at=started)  # nobody to tell
    assert caplog.text.count("no administrator has an email address") == 1
    assert not administrators_told_of_silent_workers(now + timedelta(minutes=1), beat_started_at=started)
    assert caplog.text.count("no administrator has an email address") == 1  # logged once a silence
    admin, other_admin, analyst = user_with_role("administrator"), user_with_role("administrator"), user_with_role("analyst")
    for user, address in ((admin, "chief.admin@example.org"), (other_admin, ""), (analyst, "analyst@example.org")):
        user.email = address
        user.save()

    assert administrators_told_of_silent_workers(now, beat_started_at=started)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chief.admin@example.org"]
    assert mail.outbox[0].subject == "No background worker is taking work"
    assert f"has taken any work since {timezone.localtime(now - timedelta(minutes=6)):%Y-%m-%d %H:%M}" in mail.outbox[0].body
    assert WorkerHeartbeat.objects.get().workers_alerted_at == now

    later = now + timedelta(minutes=1)
    assert not administrators_told_of_silent_workers(later, beat_started_at=started)  # once a silence
    heartbeat_recorded(worker="celery@one", now=later)  # back: they are told so, once
    assert administrators_told_of_silent_workers(later + timedelta(minutes=1), beat_started_at=started)
    assert mail.outbox[1].subject == "Background workers are taking work again" and mail.outbox[1].to == ["chief.admin@example.org"]
    assert f"took work again at {timezone.localtime(later):%Y-%m-%d %H:%M}" in mail.outbox[1].body
    assert WorkerHeartbeat.objects.get().workers_alerted_at is None
    assert not administrators_told_of_silent_workers(later + timedelta(minutes=2), beat_started_at=started)
    # stopped again: told anew
    assert administrators_told_of_silent_workers(later + timedelta(minutes=6), beat_started_at=started)
    assert len(mail.outbox) == 3 and mail.outbox[2].subject == "No background worker is taking work"

    # beat's heartbeat is what asks, once beat has started (in beat's process)
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - timedelta(minutes=20), workers_alerted_at=None)  # a silence not told of yet
    monkeypatch.setattr(tasks, "beat_started_at", timezone.now() - timedelta(minutes=30))
    tasks.beat_sent_a_task(sender="scoring.tasks.recompute_all_task", headers={tasks.SENT_BY_BEAT: True})
    assert len(mail.outbox) == 3  # the nightly recompute sent: not the heartbeat
    tasks.beat_sent_a_task(sender=tasks.worker_heartbeat_task.name, headers={tasks.SENT_BY_BEAT: True})
    assert len(mail.outbox) == 4

    # back, with no administrator's address left: nothing sent, and the alert forgotten
    for user in (admin, other_admin):
        user.email = ""
        user.save()
    heartbeat_recorded(worker="celery@one", now=timezone.now())
    assert not administrators_told_of_silent_workers(timezone.now(), beat_started_at=started)
    assert len(mail.outbox) == 4 and WorkerHeartbeat.objects.get().workers_alerted_at is None
    # a new silence with nobody to tell is logged anew
    assert not administrators_told_of_silent_workers(timezone.now() + timedelta(minutes=6), beat_started_at=started)
    assert caplog.text.count("no administrator has an email address") == 2


@pytest.fixture
def administrator_with_address(user_with_role, monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)  # deployed with a broker
    admin = user_with_role("administrator")
    admin.email = "chief.admin@example.org"
    admin.save()
    return admin


@pytest.mark.django_db
def test_a_web_process_emails_the_administrators_once_when_beat_sends_nothing_and_once_when_it_is_back(administrator_with_address, monkeypatch):
    """Beat stopped, or the task queue down (both silent): beat cannot tell anyone, so the web
    processes do, once a silence, whichever of them looks first."""
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from core import workers
    from core.models import WorkerHeartbeat
    from core.workers import administrators_told_of_silent_beat, beat_heartbeat_recorded, heartbeat_recorded

    now = timezone.now()
    started = now - timedelta(minutes=30)
    assert not administrators_told_of_silent_beat(now, web_started_at=now - timedelta(minutes=3))  # beat may be starting
    assert administrators_told_of_silent_beat(now, web_started_at=started)  # nothing ever heard
    assert mail.outbox[0].subject == "Beat is sending nothing to the background workers"
    assert "since this web application started" in mail.outbox[0].body and "No worker has taken any work ever either" in mail.outbox[0].body
    assert not administrators_told_of_silent_beat(now + timedelta(minutes=1), web_started_at=started)  # once a silence

    beat_heartbeat_recorded(now=now + timedelta(minutes=2))
    heartbeat_recorded(worker="celery@one", now=now + timedelta(minutes=2))
    assert administrators_told_of_silent_beat(now + timedelta(minutes=3), web_started_at=started)
    assert mail.outbox[1].subject == "Beat is sending work again" and WorkerHeartbeat.objects.get().beat_alerted_at is None
    assert f"sent work again at {timezone.localtime(now + timedelta(minutes=2)):%Y-%m-%d %H:%M}" in mail.outbox[1].body

    # beat alone stopped: the workers still take what the pages send
    heartbeat_recorded(worker="celery@one", now=now + timedelta(minutes=9))
    assert administrators_told_of_silent_beat(now + timedelta(minutes=10), web_started_at=started)
    assert "The workers still take the work the pages send them" in mail.outbox[2].body
    assert f"since {timezone.localtime(now + timedelta(minutes=2)):%Y-%m-%d %H:%M}" in mail.outbox[2].body

    # another web process told them between this one's read and its claim: not sent twice
    WorkerHeartbeat.objects.update(beat_alerted_at=None)
    stale = workers._heartbeat_row("beat_alerted_at")
    WorkerHeartbeat.objects.update(beat_alerted_at=now + timedelta(minutes=10))
    monkeypatch.setattr(workers, "_heartbeat_row", lambda *more: stale)
    assert not administrators_told_of_silent_beat(now + timedelta(minutes=11), web_started_at=started)
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_beat_alert_the_mail_server_refuses_is_sent_at_the_next_look(administrator_with_address, monkeypatch):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from core.models import WorkerHeartbeat
    from core.workers import administrators_told_of_silent_beat

    now = timezone.now()
    started = now - timedelta(minutes=30)

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("the mail server is down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.send_mail", refused)
        with pytest.raises(ConnectionRefusedError):
            administrators_told_of_silent_beat(now, web_started_at=started)
    assert WorkerHeartbeat.objects.get().beat_alerted_at is None and not mail.outbox
    assert administrators_told_of_silent_beat(now + timedelta(minutes=1), web_started_at=started)
    assert len(mail.outbox) == 1 and WorkerHeartbeat.objects.get().beat_alerted_at == now + timedelta(minutes=1)


@pytest.mark.django_db
def test_the_health_check_asks_once_a_minute_whether_beat_sends_work(administrator_with_address, client, monkeypatch):
    """The container's health check, every 30 seconds, is enough for a web process to look."""
    from datetime import timedelta

    from django.core import mail

    from core import middleware
    from core.middleware import BackgroundWatchMiddleware

    looks = []
    monkeypatch.setattr(middleware, "in_a_thread", lambda work, *args: looks.append(args) or work(*args))
    started_at = BackgroundWatchMiddleware.__init__

    def started_half_an_hour_ago(self, get_response):
        started_at(self, get_response)
        self.started_at -= timedelta(minutes=30)
        self.next_look -= timedelta(minutes=30)

    monkeypatch.setattr(BackgroundWatchMiddleware, "__init__", started_half_an_hour_ago)

    assert client.get("/healthz").status_code == 200
    assert len(looks) == 1 and mail.outbox[0].subject == "Beat is sending nothing to the background workers"
    client.get("/healthz")
    client.get("/login/")
    assert len(looks) == 1  # not again within the minute


@pytest.mark.django_db(transaction=True)
def test_the_web_process_looks_in_a_thread_of_its_own(administrator_with_address, monkeypatch):
    from datetime import timedelta

    from django.core import mail
    from django.http import HttpResponse
    from django.test import RequestFactory

    from core import middleware
    from core.middleware import BackgroundWatchMiddleware

    threads, in_a_thread = [], middleware.in_a_thread
    monkeypatch.setattr(middleware, "in_a_thread", lambda work, *args: threads.append(args) or in_a_thread(work, *args))
    watch = BackgroundWatchMiddleware(lambda request: HttpResponse("page"))
    watch(RequestFactory().get("/"))
    assert threads == []  # no look in a web process's first five minutes
    watch.started_at -= timedelta(minutes=30)
    watch.next_look -= timedelta(minutes=30)
    assert watch(RequestFactory().get("/")).content == b"page"
    assert len(threads) == 1 and watch.looking.acquire(timeout=20)  # released by the thread once it has looked
    assert [m.subject for m in mail.outbox] == ["Beat is sending nothing to the background workers"]
