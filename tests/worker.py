"""A real Celery worker on Redis for the tests of the background path (`worker_queue`, a
fixture made available to every test by tests/conftest.py)."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]  # the project
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def worker_queue():
    """Start a worker on a private queue against the test database; point this process at Redis."""
    queue = f"tracker-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_QUEUE=queue,
    )
    log = open(ROOT / f".worker-{queue}.log", "w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=info", "-Q", queue, "-n", f"{queue}@localhost"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    celery_app.conf.update(broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    # the app's pools of connections are opened to the broker its settings name when first used (an
    # earlier test's, Celery's default without one): emptied, as Celery empties them in a forked
    # child, tasks sent without a connection of their own (as beat sends them) go to Redis
    celery_app._after_fork()
    try:
        yield queue
    finally:
        celery_app.conf.update(saved)
        celery_app._after_fork()
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
        (ROOT / f".worker-{queue}.log").unlink(missing_ok=True)


@pytest.fixture
def task_queue_unreachable(monkeypatch):
    """Redis, the workers' task queue, refusing connections: every task sent fails as Celery then
    fails (kombu's OperationalError, after its retries: tests/core/test_workers.py sends to a real
    port that refuses), and nothing runs."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    def refused(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refused)
