"""Recomputes queued when evidence changes (scoring/triggers.py): each recorded as owed
(`OwedRecompute`) before it is sent, so that when the task queue cannot be reached, or no worker
runs the task, the evidence stays saved, the pages say its scores wait, and the next recompute
(or beat's, every ten minutes) takes it in."""
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from entities.models import Entity
from scoring.models import ClosenessSnapshot, OwedRecompute
from scoring.selectors import current_pair_scores
from scoring.services import recompute, recompute_owed
from tests.engagement.test_views import meeting_post
from tests.recompute_helpers import assert_incremental_gave_what_a_full_recompute_gives


@pytest.fixture
def scored_today(lakeside_dir):
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    recompute(as_of=timezone.localdate())


def ids(*external_ids: str) -> set[int]:
    return set(Entity.objects.filter(external_id__in=external_ids).values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_meeting_logged_while_the_task_queue_is_down_is_saved_and_scored_once_it_is_back(scored_today, client_as, task_queue_unreachable,
                                                                                              monkeypatch):
    """Before, the page answered a server error after 20 s, the meeting saved (a second try logged
    it twice), and its pairs waited for the nightly recompute."""
    board = client_as("board_member")
    before = ClosenessSnapshot.objects.count()

    saved = board.post("/meetings/new/", meeting_post(["x-a2", "x-b2"], title="Coffee", type="private_meeting"))

    assert saved.status_code == 302  # to the meeting's page, as ever
    assert ClosenessSnapshot.objects.count() == before  # nothing ran
    owed = OwedRecompute.objects.get()
    assert ids("x-a2", "x-b2") <= set(owed.entity_ids) and not owed.sent
    # as the admin site lists it: its entities counted in the right number
    assert str(owed).endswith(f"({len(owed.entity_ids)} entities)") and "(1 entity)" in str(OwedRecompute(entity_ids=[1], created_at=owed.created_at))
    page = board.get("/").content.decode()
    assert "are not in the scores yet: the background workers&#x27; task queue could not be reached when they were saved." in page

    monkeypatch.undo()  # the queue is back: the task every ten minutes (beat) runs what is owed
    from scoring.tasks import recompute_owed_task

    recompute_owed_task.apply()
    assert ClosenessSnapshot.objects.latest().triggered_by == "changes no worker had scored"
    assert not OwedRecompute.objects.exists()
    assert "are not in the scores yet" not in board.get("/").content.decode()
    assert_incremental_gave_what_a_full_recompute_gives(timezone.localdate())


@pytest.mark.django_db(transaction=True)
def test_a_change_whose_task_no_worker_runs_waits_five_minutes_then_is_said_and_scored(scored_today, client_as, monkeypatch):
    """The task sent, but no worker takes it (the workers stopped), or Redis, which keeps nothing on
    disk, lost it in a restart: before, its pairs waited for the nightly recompute, unsaid."""
    from datetime import timedelta

    from celery.app.task import Task

    monkeypatch.setattr(Task, "apply_async", lambda self, *args, **kwargs: None)  # taken by the queue, never run
    board = client_as("board_member")
    board.post("/meetings/new/", meeting_post(["x-a2", "x-b2"], title="Coffee", type="private_meeting"))
    owed = OwedRecompute.objects.get()
    assert owed.sent and "are not in the scores yet" not in board.get("/").content.decode()  # a worker has seconds
    assert recompute_owed(today=timezone.localdate(), now=timezone.now()) is None

    OwedRecompute.objects.filter(pk=owed.pk).update(created_at=owed.created_at - timedelta(minutes=6))
    assert "are not in the scores yet: a background worker has their recompute but has not run it yet." in board.get("/").content.decode()
    # deployed with a broker, the workers' heartbeat tells a worker stopped from one busy
    from config.celery import app
    from core.workers import beat_heartbeat_recorded, heartbeat_recorded

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(minutes=1))
    beat_heartbeat_recorded(now=timezone.now() - timedelta(minutes=1))
    assert "a background worker has their recompute but has not run it yet." in board.get("/").content.decode()
    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(minutes=6))
    assert ("are not in the scores yet: no background worker has taken any work for over five minutes (the workers are stopped, "
            "or every one is busy with long work).") in board.get("/").content.decode()
    beat_heartbeat_recorded(now=timezone.now() - timedelta(minutes=6))
    assert ("no background worker has taken any work for over five minutes (the workers are stopped, or every one is busy with long "
            "work); beat, which sends the workers work every minute and sends again what the task queue refused, has sent nothing "
            "for over five minutes (it is stopped or cannot reach the task queue).") in board.get("/").content.decode()
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the embedded set-up again for the rest
    assert recompute_owed(today=timezone.localdate(), now=timezone.now()).scope == "incremental"
    assert not OwedRecompute.objects.exists()
    assert_incremental_gave_what_a_full_recompute_gives(timezone.localdate())


@pytest.mark.django_db(transaction=True)
def test_a_change_saved_while_no_worker_runs_is_said_to_wait_at_once(scored_today, client_as, monkeypatch):
    """The task sent, and the workers' heartbeat says none runs: no need to wait five minutes to
    know no worker will score it."""
    from datetime import timedelta

    from celery.app.task import Task

    from config.celery import app
    from core.workers import heartbeat_recorded

    monkeypatch.setitem(app.conf, "task_always_eager", False)  # deployed with a broker
    monkeypatch.setattr(Task, "apply_async", lambda self, *args, **kwargs: None)  # taken by the queue, never run
    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(minutes=20))
    board = client_as("board_member")
    board.post("/meetings/new/", meeting_post(["x-a2", "x-b2"], title="Coffee", type="private_meeting"))

    assert OwedRecompute.objects.get().sent
    page = " ".join(board.get("/").content.decode().split())
    assert "are not in the scores yet: no background worker has taken any work for over five minutes" in page
    heartbeat_recorded(worker="celery@one", now=timezone.now())  # a worker back: it has seconds
    assert "are not in the scores yet" not in board.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_change_scored_at_once_leaves_nothing_owed(scored_today, client_as):
    client_as("board_member").post("/meetings/new/", meeting_post(["x-a2", "x-b2"], title="Coffee", type="private_meeting"))
    assert ClosenessSnapshot.objects.latest().scope == "incremental" and not OwedRecompute.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_next_recompute_queued_takes_in_what_is_owed(scored_today, client_as, task_queue_unreachable, monkeypatch):
    board = client_as("board_member")
    board.post("/meetings/new/", meeting_post(["x-a2", "x-b2"], title="Coffee", type="private_meeting"))
    assert OwedRecompute.objects.exists()

    monkeypatch.undo()
    board.post("/meetings/new/", meeting_post(["x-a1", "x-b1"], title="Lunch", type="private_meeting"))  # queued (run here)

    assert not OwedRecompute.objects.exists()
    assert_incremental_gave_what_a_full_recompute_gives(timezone.localdate())  # the first meeting's pairs too


@pytest.mark.django_db(transaction=True)
def test_a_merge_while_the_task_queue_is_down_owes_a_full_recompute(scored_today, task_queue_unreachable, monkeypatch):
    from entities.services import entity_merge

    entity_merge(keep=Entity.objects.get(external_id="x-a2"), duplicate=Entity.objects.get(external_id="x-b2"))

    assert None in OwedRecompute.objects.values_list("entity_ids", flat=True)  # every pair
    monkeypatch.undo()
    snapshot = recompute_owed(today=timezone.localdate(), now=timezone.now())
    assert snapshot.scope == "full" and not OwedRecompute.objects.exists()


@pytest.mark.django_db
def test_any_full_recompute_settles_what_is_owed_and_nothing_owed_runs_nothing(lakeside):
    as_of = timezone.localdate()
    assert recompute_owed(today=as_of, now=timezone.now()) is None and not ClosenessSnapshot.objects.exists()
    OwedRecompute.objects.create(entity_ids=sorted(ids("x-a2")))

    recompute(as_of=as_of)

    assert not OwedRecompute.objects.exists()
    assert recompute_owed(today=as_of, now=timezone.now()) is None


@pytest.mark.django_db
def test_a_recompute_that_fails_keeps_what_is_owed(lakeside, monkeypatch):
    import scoring.services

    as_of = timezone.localdate()
    recompute(as_of=as_of)
    OwedRecompute.objects.create(entity_ids=sorted(ids("x-a2", "x-b2")))
    scores = current_pair_scores()

    def fails(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(scoring.services, "pair_scores_write", fails)
    with pytest.raises(RuntimeError):
        recompute_owed(today=as_of, now=timezone.now())

    assert OwedRecompute.objects.count() == 1 and current_pair_scores() == scores

    # beat's next tries within the hour record no failure after failure; after it, it tries again
    from datetime import timedelta

    failed = ClosenessSnapshot.objects.latest()
    assert recompute_owed(today=as_of, now=timezone.now()) is None and ClosenessSnapshot.objects.latest() == failed
    monkeypatch.undo()
    assert recompute_owed(today=as_of, now=timezone.now() + timedelta(minutes=61)).status == "complete"
    assert not OwedRecompute.objects.exists()
