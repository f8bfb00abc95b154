"""Background jobs under faults: a worker killed in the middle of a full recompute leaves the previous
scores and flags served and the next run completes; two recomputes at once serialise and agree."""
import io
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from conflicts.models import Flag
from config.celery import app as celery_app
from scoring.models import ClosenessSnapshot, PairScore
from scoring.selectors import current_pair_scores
from scoring.weak_pairs import current_weak_pairs
from tests.scoring.test_tasks import wait_for_snapshot
from tests.worker import REDIS_URL, ROOT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def current_pairs() -> dict:
    return current_pair_scores()


def current_flags() -> set:
    return set(Flag.objects.filter(holds=True).values_list("rule", "subject", "counterpart", "status", "severity"))


def database_env(**extra) -> dict:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}", **extra}


def start_worker(queue: str, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=info", "-Q", queue, "-n", f"{uuid.uuid4().hex[:6]}@localhost"],
        cwd=ROOT, env=database_env(CELERY_BROKER_URL=REDIS_URL, CELERY_QUEUE=queue), stdout=log, stderr=subprocess.STDOUT,
    )


def scored_data_set(directory, *, entities: int, attendance: int):
    """A generated data set, imported and scored; relationships and meetings in the benchmark's
    proportions (five relationships and two and a half meetings per entity)."""
    subprocess.run([sys.executable, "bench/generate_dataset.py", str(directory), "--entities", str(entities),
                    "--relationships", str(entities * 5), "--meetings", str(entities * 5 // 2), "--attendance", str(attendance)],
                   cwd=ROOT, check=True, capture_output=True)
    call_command("import_dataset", str(directory), stdout=io.StringIO())
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    return directory


@pytest.fixture
def mid_sized_data_set(tmp_path):
    """Big enough that a full recompute takes seconds (so it can be killed half way)."""
    return scored_data_set(tmp_path / "data", entities=4000, attendance=250_000)


@pytest.fixture
def small_data_set(tmp_path):
    """Big enough that a recompute outlasts the few tenths of a second between two processes' starts."""
    return scored_data_set(tmp_path / "data", entities=1000, attendance=60_000)


def test_killing_the_worker_mid_recompute_keeps_the_previous_results_and_the_next_run_completes(mid_sized_data_set, tmp_path):
    from scoring.tasks import recompute_all_task

    served_pairs, served_flags = current_pairs(), current_flags()
    queue = f"tracker-fault-{uuid.uuid4().hex[:8]}"
    saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    celery_app.conf.update(broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    log = open(tmp_path / "worker.log", "w")
    worker = start_worker(queue, log)
    try:
        before = ClosenessSnapshot.objects.order_by("-id").values_list("id", flat=True).first()
        with celery_app.connection_for_write(REDIS_URL) as conn:
            recompute_all_task.apply_async(args=["2027-03-31"], queue=queue, connection=conn)
        deadline = time.monotonic() + 120
        while not ClosenessSnapshot.objects.filter(pk__gt=before, status="running").exists():
            assert time.monotonic() < deadline, "the worker never started the recompute"
            time.sleep(0.1)
        time.sleep(1.0)  # well inside the recompute (it takes several seconds on this data set)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        killed = ClosenessSnapshot.objects.get(pk__gt=before)
        assert killed.status == "running", "the recompute finished before the kill: make the data set bigger"

        # PostgreSQL rolls the dead worker's transaction back: the previous results are still served
        time.sleep(1.0)
        assert current_pairs() == served_pairs
        assert current_flags() == served_flags

        worker = start_worker(queue, log)
        with celery_app.connection_for_write(REDIS_URL) as conn:
            recompute_all_task.apply_async(args=["2027-03-31"], queue=queue, connection=conn)
        done = wait_for_snapshot(after=killed.pk, timeout=180)
        assert done.status == "complete"
        after_worker = current_pairs()
        assert after_worker != served_pairs  # a later date changes scores: the run really happened
    finally:
        celery_app.conf.update(saved)
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
    call_command("recompute", "--as-of", "2027-03-31", stdout=io.StringIO())
    assert current_pairs() == after_worker  # same as the command would give


def test_two_recomputes_at_once_serialise_and_agree_with_one(small_data_set):
    env = database_env()
    runs = [subprocess.Popen([sys.executable, "manage.py", "recompute", "--as-of", "2026-09-30"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    first, second = ClosenessSnapshot.objects.filter(as_of="2026-09-30").order_by("finished_at")
    assert first.status == second.status == "complete"
    assert second.pairs_changed == 0  # the second ran after the first had finished, on its results
    together = current_pairs()
    # exactly one current row per pair: the writes did not interleave
    assert PairScore.objects.count() + len(current_weak_pairs()) == len(together)
    call_command("recompute", "--as-of", "2026-09-30", stdout=io.StringIO())
    assert current_pairs() == together
