"""Background work of the pages that span apps: the weekly summary of the Following page, the
nightly housekeeping, and the workers' heartbeat."""
import logging

from celery import shared_task
from celery.signals import after_task_publish, beat_init, task_prerun
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from .following import SummariesNotSent, send_following_digests
from .housekeeping import housekeeping
from .workers import administrators_told_of_silent_workers, beat_heartbeat_recorded, heartbeat_recorded

logger = logging.getLogger(__name__)


# the mail server down or refusing: tried again after 5, 10, 20, 40 and 80 minutes, sending only
# the summaries not sent yet
@shared_task(autoretry_for=(SummariesNotSent,), retry_backoff=5 * 60, retry_jitter=False, max_retries=5)
def following_digests_task() -> int:
    """Weekly (beat): email what changed for the entities each user follows, to those who asked."""
    return send_following_digests(today=timezone.localdate())


@shared_task
def housekeeping_task() -> dict[str, int]:
    """Nightly (beat): expired sessions and old sign-in logs deleted (core/housekeeping.py)."""
    return housekeeping(sign_in_logs_kept_days=settings.SIGN_IN_LOGS_KEPT_DAYS)


@shared_task
def worker_heartbeat_task() -> None:
    """Every minute (beat): a task for a worker to take, which records that it did
    (`worker_took_a_task`), so that the pages and the monitors can tell workers stopped from a
    task queue unreachable or a recompute failing, even when nothing else is sent; beat records
    that it sent it (`beat_sent_a_task`), which tells beat stopped from the workers stopped."""


@task_prerun.connect
def worker_took_a_task(sender=None, task=None, **kwargs):
    """Any task a worker starts is a heartbeat (core.workers): beat's every minute, and the rest,
    so that workers busy with long work (an import, a recompute) while the minute's heartbeat
    expires in the queue are not said to be stopped until none has taken any work for five
    minutes. Not a task run in the sending process (no broker)."""
    request = getattr(task, "request", None)
    if request is None or request.is_eager:
        return
    try:
        heartbeat_recorded(worker=request.hostname or "", now=timezone.now())
    except Exception:  # the task runs whatever becomes of its heartbeat
        logger.exception("the workers' heartbeat was not recorded")


# the header beat puts on every task it sends (celery.beat.Scheduler.apply_async)
SENT_BY_BEAT = "celery_beat_task"
# when beat started, in beat's process (heartbeat_at_beat_start): the administrators are not told
# the workers are silent before they have had five minutes to start (core.workers.workers_alert_due)
beat_started_at = None


@after_task_publish.connect
def beat_sent_a_task(sender=None, headers=None, **kwargs):
    """Beat put a task in the task queue, the heartbeat every minute or another: beat runs and
    reaches the queue (core.workers.BackgroundHeard.beat_silent). With the heartbeat, the
    administrators are emailed if no worker has taken any work for five minutes. Runs in beat's
    process, which holds its database connection for as long as it runs: one broken (the database
    restarted) or past its age is replaced first."""
    if not (headers or {}).get(SENT_BY_BEAT):
        return
    try:
        if not connection.in_atomic_block:  # a connection is not replaced under a transaction
            connection.close_if_unusable_or_obsolete()
        now = timezone.now()
        beat_heartbeat_recorded(now=now)
        if sender == worker_heartbeat_task.name and beat_started_at is not None:
            administrators_told_of_silent_workers(now, beat_started_at=beat_started_at)
    except Exception:  # beat goes on sending whatever becomes of its heartbeat
        logger.exception("beat's heartbeat was not recorded, or the administrators not told the workers are silent")


@beat_init.connect
def heartbeat_at_beat_start(sender=None, **kwargs):
    """Beat's first heartbeat at once, not a minute after it starts: a new deployment is not
    said to have no workers for its first minute."""
    global beat_started_at
    beat_started_at = timezone.now()
    try:
        options = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"].get("options", {})
        worker_heartbeat_task.apply_async(**options, headers={SENT_BY_BEAT: True})
    except BrokerUnreachable:  # beat's own schedule tries again within the minute
        logger.warning("beat's first heartbeat not sent: the task queue cannot be reached")
