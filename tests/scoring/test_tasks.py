"""The background path: a real Celery worker on Redis runs the same recompute as the command."""
import io
import time

import pytest
from django.core.management import call_command

from config.celery import app as celery_app
from scoring.models import ClosenessSnapshot
from scoring.selectors import current_pair_scores
from tests.worker import REDIS_URL

def wait_for_snapshot(*, after: int, timeout: float = 120) -> ClosenessSnapshot:
    """The worker reports through the database, like the pages see it: a finished snapshot newer than `after`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = ClosenessSnapshot.objects.filter(pk__gt=after, status__in=["complete", "failed"]).first()
        if done is not None:
            return done
        time.sleep(0.5)
    raise AssertionError("the worker did not finish a recompute in time")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recomputes_with_the_same_result_as_the_command(lakeside_dir, worker_queue):
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    by_command = current_pair_scores()
    from scoring.tasks import recompute_all_task

    before = ClosenessSnapshot.objects.order_by("-id").values_list("id", flat=True).first()
    with celery_app.connection_for_write(REDIS_URL) as conn:
        recompute_all_task.apply_async(args=["2026-06-30"], queue=worker_queue, connection=conn)

    snapshot = wait_for_snapshot(after=before)
    assert snapshot.status == "complete" and snapshot.triggered_by == "background task"
    assert snapshot.pairs_changed == 0  # same data, same date: nothing to change
    assert current_pair_scores() == by_command


@pytest.mark.django_db
def test_a_failing_task_is_retried_then_its_failure_is_recorded(lakeside, monkeypatch, client_as):
    from django.db import OperationalError

    from scoring import tasks

    calls = []
    real_recompute = tasks.recompute

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real_recompute(**kwargs)

    monkeypatch.setattr(tasks, "recompute", flaky)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)  # report failures as results, as a worker does
    result = tasks.recompute_all_task.apply(args=["2026-06-30"])
    assert result.successful() and len(calls) == 3  # two retries, then success

    def broken(**kwargs):
        calls.append(kwargs)
        snapshot = ClosenessSnapshot.objects.create(as_of=kwargs["as_of"], parameters={}, status="failed",
                                                    error="OperationalError: database is down")
        raise OperationalError(f"database is down (snapshot {snapshot.pk})")

    calls.clear()
    monkeypatch.setattr(tasks, "recompute", broken)
    result = tasks.recompute_all_task.apply(args=["2026-06-30"])
    assert result.failed() and len(calls) == 4  # the first try and three retries
    assert "database is down" in client_as("city_staff").get("/").content.decode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_previews_settings_as_the_page_would_show_them(lakeside_dir, worker_queue):
    """The preview the settings page queues runs on the worker, which reports through the
    preview's row: the same comparison as scoring in this process."""
    from scoring.engine import ScoringParameters
    from scoring.models import SettingsPreview
    from scoring.services import settings_compared, settings_preview_requested
    from scoring.tasks import settings_preview_task

    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    defaults = ScoringParameters()
    proposed = ScoringParameters(component_weights={**defaults.component_weights, "interaction": 0.5})
    preview = settings_preview_requested(parameters=proposed)

    with celery_app.connection_for_write(REDIS_URL) as conn:
        settings_preview_task.apply_async(args=[preview.pk], queue=worker_queue, connection=conn)
    deadline = time.monotonic() + 120
    while not preview.finished and time.monotonic() < deadline:
        time.sleep(0.5)
        preview = SettingsPreview.objects.get(pk=preview.pk)

    assert preview.status == "complete", preview.error
    as_of, here = settings_compared(proposed)
    assert preview.as_of == as_of
    assert (preview.result["before"], preview.result["after"], preview.result["entered_count"]) == (here.before, here.after, len(here.entered))
    assert preview.result["left"] == [list(row) for row in here.left[:50]] and here.left  # meetings counting less: pairs leave close
