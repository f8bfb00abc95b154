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
    from django.conf import settings

    from core.models import WorkerHeartbeat
    from core.tasks import worker_heartbeat_task

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "core.tasks.worker_heartbeat_task")
    assert entry["schedule"] == 60.0 and entry["options"]["expires"] < 60  # one not run within its minute is dropped
    assert client.get("/healthz/workers").status_code == 503  # a broker, and no worker has run it yet

    sent_at = timezone.now()
    with celery_app.connection_for_write(REDIS_URL) as conn:
        worker_heartbeat_task.apply_async(queue=worker_queue, connection=conn)
    deadline = time.monotonic() + 60
    while not WorkerHeartbeat.objects.filter(last_seen__gte=sent_at).exists() and time.monotonic() < deadline:
        time.sleep(0.5)

    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.last_seen >= sent_at and heartbeat.worker == f"{worker_queue}@localhost"
    assert client.get("/healthz/workers").json()["status"] == "ok"
