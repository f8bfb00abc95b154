"""The tasks beat queues (the weekly summary, the nightly housekeeping) on a real Celery worker on Redis."""
import io
import time
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from config.celery import app as celery_app
from core.tasks import following_digests_task
from entities.models import Entity, FollowDigest
from entities.services import follow_set
from tests.worker import REDIS_URL


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_weekly_summaries(lakeside_dir, worker_queue, user_with_role):
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    call_command("recompute", "--as-of", "2031-01-01", stdout=io.StringIO())
    reader = user_with_role("city_staff")
    follow_set(user=reader, entity=Entity.objects.get(external_id="lk-pd"), following=True)
    FollowDigest.objects.create(user=reader, weekly=True, address="staff@example.org", confirmed_address="staff@example.org")

    with celery_app.connection_for_write(REDIS_URL) as conn:
        following_digests_task.apply_async(queue=worker_queue, connection=conn)
    deadline = time.monotonic() + 60
    while FollowDigest.objects.get(user=reader).last_sent is None and time.monotonic() < deadline:
        time.sleep(0.5)

    # the worker's email backend writes to its log; that it went is recorded on the reader's row
    assert FollowDigest.objects.get(user=reader).last_sent == timezone.localdate()
    assert timezone.localdate() > date(2026, 7, 7)  # a week after the earlier scores: something to compare with


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_does_the_nightly_housekeeping(worker_queue):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from core.tasks import housekeeping_task

    expired = SessionStore()
    expired.set_expiry(-1)
    expired.create()

    with celery_app.connection_for_write(REDIS_URL) as conn:
        housekeeping_task.apply_async(queue=worker_queue, connection=conn)
    deadline = time.monotonic() + 60
    while Session.objects.filter(session_key=expired.session_key).exists() and time.monotonic() < deadline:
        time.sleep(0.5)

    assert not Session.objects.filter(session_key=expired.session_key).exists()
    # any task a worker takes is a heartbeat (core.tasks.worker_took_a_task): busy is not stopped
    from core.models import WorkerHeartbeat

    assert WorkerHeartbeat.objects.get().worker == f"{worker_queue}@localhost"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_records_its_heartbeat_as_beat_sends_it_every_minute(worker_queue, client):
    """Sent by Celery's own beat scheduler (its `apply_async`, without its loop), which marks what
    it sends: beat records that it sent it (core.tasks.beat_sent_a_task), the worker that it took it."""
    from celery.beat import ScheduleEntry, Scheduler
    from django.conf import settings

    from core.models import WorkerHeartbeat

    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry["task"] == "core.tasks.worker_heartbeat_task"
    assert entry["schedule"] == 60.0 and entry["options"]["expires"] < 60  # one not run within its minute is dropped
    assert client.get("/healthz/workers").status_code == 503  # a broker, and no worker has run it yet

    sent_at = timezone.now()
    scheduler = Scheduler(app=celery_app, lazy=True)
    scheduler.apply_async(ScheduleEntry(name="worker-heartbeat", app=celery_app, task=entry["task"], schedule=entry["schedule"],
                                        options={**entry["options"], "queue": worker_queue}), advance=False)
    assert WorkerHeartbeat.objects.get().beat_last_sent >= sent_at  # recorded as it was sent
    deadline = time.monotonic() + 60
    while not WorkerHeartbeat.objects.filter(last_seen__gte=sent_at).exists() and time.monotonic() < deadline:
        time.sleep(0.5)

    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.last_seen >= sent_at and heartbeat.worker == f"{worker_queue}@localhost"
    assert client.get("/healthz/workers").json()["status"] == "ok"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_sends_the_heartbeat_as_it_starts(worker_queue, monkeypatch):
    """Not a minute later: a new deployment is not said to have no workers for its first minute."""
    from celery import signals

    from core.models import WorkerHeartbeat

    monkeypatch.setitem(celery_app.conf, "task_default_queue", worker_queue)
    sent_at = timezone.now()
    signals.beat_init.send(sender=None)
    assert WorkerHeartbeat.objects.get().beat_last_sent >= sent_at
    deadline = time.monotonic() + 60
    while not WorkerHeartbeat.objects.filter(last_seen__gte=sent_at).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert WorkerHeartbeat.objects.get().worker == f"{worker_queue}@localhost"


@pytest.mark.django_db
def test_only_what_beat_sends_records_beat():
    """A task the pages send (an upload, a recompute) says nothing of beat: the workers taking
    them while beat is stopped must not hide that the nightly recompute is not sent."""
    from core.models import WorkerHeartbeat
    from core.tasks import SENT_BY_BEAT, beat_sent_a_task

    beat_sent_a_task(sender="scoring.tasks.recompute_entities_task", headers={"id": "a-task"})
    assert not WorkerHeartbeat.objects.exists()
    beat_sent_a_task(sender="scoring.tasks.recompute_all_task", headers={"id": "the-nightly", SENT_BY_BEAT: True})
    assert WorkerHeartbeat.objects.get().beat_last_sent is not None
