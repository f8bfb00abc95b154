"""Sending work to the background workers, for the callers that must go on when they cannot be
reached: what was saved stays saved, and the caller records what is owed or what failed instead
of the request ending in a server error (Redis down, restarting, or unreachable)."""
import logging
from collections.abc import Callable

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

logger = logging.getLogger(__name__)

# why a task was not run, for the pages that say so
WORKERS_UNREACHABLE = "the background workers' task queue could not be reached"


def sent_to_workers(task, *args) -> bool:
    """Queue `task(*args)`; False, logged, when the task queue (the broker) cannot be reached after
    Celery's retries (well under a second when the connection is refused). Without a broker (the
    embedded set-up) the task runs here and now, and its errors are raised as ever."""
    try:
        task.delay(*args)
    except BrokerUnreachable as exc:
        logger.warning("%s not queued: the task queue cannot be reached (%s)", task.name, exc)
        return False
    return True


def send_once_committed(task, *args, unsent: Callable[[], object]) -> None:
    """Queue `task(*args)` once the transaction commits (the rows it reads are then there), and
    call `unsent()` if the task queue cannot be reached."""

    def send():
        if not sent_to_workers(task, *args):
            unsent()

    transaction.on_commit(send)
