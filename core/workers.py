"""Sending work to the background workers, for the callers that must go on when they cannot be
reached (Redis down, restarting, or unreachable): what was saved stays saved, and the request goes
on, where it ended in a server error: a recompute stays owed (`scoring.triggers`), an upload or a
settings preview is marked failed, its page saying why. And when a task recorded for a page is
overdue: no worker has taken it, or one died on it."""
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import cached_property
from kombu.exceptions import OperationalError as BrokerUnreachable

from .models import WorkerHeartbeat

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


# a task waiting this long has no worker taking it (a worker takes one in a second or two)
WAITING_TOO_LONG = timedelta(minutes=5)


def overdue(*, waiting_since: datetime | None, running_since: datetime | None, now: datetime, workers_silent: bool = False) -> bool:
    """Whether a task recorded for a page (an upload, a settings preview) waits for a worker for
    over five minutes, or at all while no worker has run for five (`workers_silent`: none will take
    it soon), or runs past the tasks' time limit: no worker is taking them, or one died on it (its
    page says to tell an administrator)."""
    if waiting_since is not None:
        return workers_silent or waiting_since < now - WAITING_TOO_LONG
    return running_since is not None and running_since < now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def state_shown(status: str, is_overdue: bool) -> str:
    """What a page's box of such a task shows, for its polling (`?shown=`, answered "no change"
    while it still holds): its status, and whether it says the task is overdue, so that the box
    changes once it is, as well as when the status does."""
    return f"{status}-overdue" if is_overdue else status


# beat sends the heartbeat every minute and a worker runs it in a second or two: none for this long
# means the workers, or beat, are stopped (or the task queue is down, which stops both)
WORKERS_SILENT_AFTER = timedelta(minutes=5)


def heartbeat_recorded(*, worker: str, now: datetime) -> None:
    """A worker started a task (core.tasks.worker_took_a_task), beat's heartbeat or another."""
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"last_seen": now, "worker": worker})


def beat_heartbeat_recorded(*, now: datetime) -> None:
    """Beat put a task in the task queue, the heartbeat every minute or another (core.tasks.beat_sent_a_task)."""
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"beat_last_sent": now})


def workers_expected() -> bool:
    """Whether tasks go to background workers; without a broker (the embedded set-up) they run in
    the process that sends them and there are no workers to hear from."""
    return not current_app.conf.task_always_eager


def workers_silent(last_seen: datetime | None, now: datetime) -> bool:
    """Whether nothing was heard for five minutes (or ever): of a worker starting a task, or of beat
    sending the heartbeat."""
    return last_seen is None or last_seen < now - WORKERS_SILENT_AFTER


@dataclass(frozen=True)
class BackgroundHeard:
    """When a worker last started a task and when beat last sent the heartbeat, as of `now`: what
    the pages, `/healthz/workers` and the status API say of the background processes."""

    workers_last_seen: datetime | None
    beat_last_sent: datetime | None
    now: datetime

    @property
    def workers_silent(self) -> bool:
        """No worker has taken any work for five minutes: what was sent to them waits."""
        return workers_silent(self.workers_last_seen, self.now)

    @property
    def beat_silent(self) -> bool:
        """Beat has sent nothing for five minutes: it is stopped or cannot reach the task queue, and
        the nightly recompute, the retries of owed recomputes and the heartbeat are not sent. With
        the workers silent too, this is why as far as the app can tell (they may be idle)."""
        return workers_silent(self.beat_last_sent, self.now)

    @property
    def silent(self) -> bool:
        return self.workers_silent or self.beat_silent


def background_heard(now: datetime) -> BackgroundHeard | None:
    """When the workers and beat were last heard from; None when there are none to hear from
    (no broker: tasks run in the process that sends them)."""
    return _heard_from_row(_heartbeat_row(), now) if workers_expected() else None


def background_heard_for(request) -> BackgroundHeard | None:
    """`background_heard` as of the request, read once however many parts of its page ask (the
    overview's line and the banner of changes waiting)."""
    if not hasattr(request, "_background_heard"):
        request._background_heard = background_heard(timezone.now())
    return request._background_heard


def _heartbeat_row(*more: str) -> dict:
    """The heartbeat's times (`WorkerHeartbeat`), and the `more` columns named, in one read; empty
    before anything was heard."""
    return WorkerHeartbeat.objects.filter(pk=1).values("last_seen", "beat_last_sent", *more).first() or {}


def _heard_from_row(row: dict, now: datetime) -> BackgroundHeard:
    return BackgroundHeard(workers_last_seen=row.get("last_seen"), beat_last_sent=row.get("beat_last_sent"), now=now)


def workers_heard(now: datetime) -> BackgroundHeard | None:
    """For the pages of a task waiting for a worker (`TaskFollowedOnAPage`): what was heard of the
    background, if no worker has taken any work for five minutes (None when one has, or when there
    are no workers)."""
    heard = background_heard(now)
    return heard if heard is not None and heard.workers_silent else None


def silence_alert_due(last_heard: datetime | None, *, now: datetime, alerted_at: datetime | None, watching_since: datetime) -> bool:
    """Whether to email the administrators that a background process fell silent (nothing heard for
    five minutes): once a silence (not again until it has been heard from since the last email),
    and not within five minutes of the watching process's start (a new deployment's processes may
    still be starting)."""
    if not workers_silent(last_heard, now) or now - watching_since < WORKERS_SILENT_AFTER:
        return False
    return alerted_at is None or (last_heard is not None and alerted_at < last_heard)


def heard_again_due(last_heard: datetime | None, *, now: datetime, alerted_at: datetime | None) -> bool:
    """Whether to email the administrators, told a background process had fallen silent, that it
    was heard from since."""
    return alerted_at is not None and not workers_silent(last_heard, now) and last_heard > alerted_at


def workers_alert_due(heard: BackgroundHeard, *, alerted_at: datetime | None, beat_started_at: datetime) -> bool:
    """Whether beat emails the administrators that no worker takes work (`silence_alert_due`)."""
    return silence_alert_due(heard.workers_last_seen, now=heard.now, alerted_at=alerted_at, watching_since=beat_started_at)


def workers_back_due(heard: BackgroundHeard, *, alerted_at: datetime | None) -> bool:
    """Whether beat emails the administrators, told the workers had stopped, that one took work since."""
    return heard_again_due(heard.workers_last_seen, now=heard.now, alerted_at=alerted_at)


def _since(moment: datetime | None, never: str) -> str:
    return f"since {timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else never


def _at(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _workers_stopped_email(heard: BackgroundHeard) -> tuple[str, str]:
    from .following import site_link

    return "No background worker is taking work", (
        f"No background worker of the relationship tracker at {site_link('')} has taken any work "
        f"{_since(heard.workers_last_seen, 'since beat started')}, though beat still sends them work every minute. Until one "
        "does, changes are not scored, uploads and settings previews wait, and the nightly recompute does not run.\n\n"
        "Look at the workers' log and start them again (with Docker Compose: docker compose logs worker; docker compose up "
        "-d worker). Nothing needs redoing once they are back: changes waiting are scored within ten minutes.\n\n"
        f"The overview says the same: {site_link('overview')}\n\n"
        "This email is sent once each time the workers stop, and another when they are back.")


def _workers_back_email(heard: BackgroundHeard, alerted_at: datetime) -> tuple[str, str]:
    from .following import site_link

    return "Background workers are taking work again", (
        f"A background worker of the relationship tracker at {site_link('')} took work again at {_at(heard.workers_last_seen)}, "
        f"after the email of {_at(alerted_at)} that none was taking any. Changes that waited are scored within ten minutes; "
        f"nothing needs redoing.\n\nThe overview: {site_link('overview')}")


def _beat_stopped_email(heard: BackgroundHeard) -> tuple[str, str]:
    from .following import site_link

    workers = (f" No worker has taken any work {_since(heard.workers_last_seen, 'ever')} either." if heard.workers_silent
               else " The workers still take the work the pages send them.")
    return "Beat is sending nothing to the background workers", (
        f"Beat, the scheduler of the relationship tracker at {site_link('')}, has sent nothing to the background workers "
        f"{_since(heard.beat_last_sent, 'since this web application started')}, where it sends them a heartbeat every "
        f"minute.{workers} Either beat is stopped, or the task queue (Redis) cannot be reached, which stops the workers "
        "too. Until beat sends again, the nightly recompute does not run, and changes the workers could not be sent are "
        "not tried again; nobody is emailed if the workers stop.\n\n"
        "Look at the logs of beat and of the task queue, and start them again (with Docker Compose: docker compose logs "
        "beat redis; docker compose up -d redis beat worker). Nothing needs redoing once they are back: changes waiting "
        f"are scored within ten minutes.\n\nThe overview says the same: {site_link('overview')}\n\n"
        "This email is sent by the web application, as beat cannot: once each time beat falls silent, and another when "
        "it sends again.")


def _beat_back_email(heard: BackgroundHeard, alerted_at: datetime) -> tuple[str, str]:
    from .following import site_link

    return "Beat is sending work again", (
        f"Beat, the scheduler of the relationship tracker at {site_link('')}, sent work again at {_at(heard.beat_last_sent)}, "
        f"after the email of {_at(alerted_at)} that it was sending nothing. Beat itself emails if the workers take no "
        f"work within five minutes; nothing needs redoing.\n\nThe overview: {site_link('overview')}")


@dataclass(frozen=True)
class SilenceAlert:
    """The emails to the administrators when a background process falls silent for five minutes,
    and when it is heard from again, each sent once (`alerted_column` of `WorkerHeartbeat` holds
    when they were told it fell silent)."""

    alerted_column: str
    last_heard: Callable[[BackgroundHeard], datetime | None]
    stopped_email: Callable[[BackgroundHeard], tuple[str, str]]
    back_email: Callable[[BackgroundHeard, datetime], tuple[str, str]]
    unaddressed: str  # logged when nobody has an address to be told

    def due(self, heard: BackgroundHeard, *, alerted_at: datetime | None, watching_since: datetime) -> tuple[bool, bool]:
        """(fell silent, heard again): which email is due, if either."""
        last = self.last_heard(heard)
        return (silence_alert_due(last, now=heard.now, alerted_at=alerted_at, watching_since=watching_since),
                heard_again_due(last, now=heard.now, alerted_at=alerted_at))


# told by beat, the one process left when the workers stop
WORKERS_ALERT = SilenceAlert("workers_alerted_at", lambda heard: heard.workers_last_seen, _workers_stopped_email,
                             _workers_back_email, "no background worker has taken any work for five minutes")
# told by the web processes, as beat cannot tell its own silence (nor the task queue's, which silences both)
BEAT_ALERT = SilenceAlert("beat_alerted_at", lambda heard: heard.beat_last_sent, _beat_stopped_email,
                          _beat_back_email, "beat has sent nothing to the background workers for five minutes")

# in each process: the silences (alert, last heard) already logged as told to nobody
silences_logged_unaddressed: set[tuple[str, datetime | None]] = set()


def administrators_told(alert: SilenceAlert, now: datetime, *, watching_since: datetime) -> bool:
    """Email the administrators (the accounts of the role with an address) when `alert`'s process
    has been silent for five minutes, and once it is heard from again, that it is back; each email
    once, whichever of several processes asking sends it (the time it was sent is claimed first, as
    still what was read). True if an email was sent; a mail server that refuses gives the claim
    back, to be tried at the next asking; one that does not answer holds the asking process for
    EMAIL_TIMEOUT seconds at most."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from .roles import ADMINISTRATOR

    if not workers_expected():
        return False
    row = _heartbeat_row(alert.alerted_column)
    heard, alerted_at = _heard_from_row(row, now), row.get(alert.alerted_column)
    stopped, back = alert.due(heard, alerted_at=alerted_at, watching_since=watching_since)
    if not stopped and not back:
        return False
    addresses = sorted(set(get_user_model().objects.filter(is_active=True, groups__name=ADMINISTRATOR).exclude(email="")
                           .values_list("email", flat=True)))
    if not addresses and stopped:
        # logged once a silence, not at every asking (the addresses are looked for each time: one
        # added while the silence lasts is told at the next)
        silence = (alert.alerted_column, alert.last_heard(heard))
        if silence not in silences_logged_unaddressed:
            logger.warning("%s, and no administrator has an email address to be told", alert.unaddressed)
            silences_logged_unaddressed.add(silence)
        return False
    # the time of the alert while silent; none once heard again (the next silence is told anew);
    # with nobody left to tell when it is back, the alert is only forgotten
    told = now if stopped else None
    if not row:
        WorkerHeartbeat.objects.get_or_create(pk=1)  # nothing heard yet from either
    if not WorkerHeartbeat.objects.filter(pk=1, **{alert.alerted_column: alerted_at}).update(**{alert.alerted_column: told}):
        return False  # another process told them meanwhile
    if not addresses:
        return False
    subject, body = alert.stopped_email(heard) if stopped else alert.back_email(heard, alerted_at)
    try:
        send_mail(subject, body, None, addresses)
    except Exception:
        WorkerHeartbeat.objects.filter(pk=1, **{alert.alerted_column: told}).update(**{alert.alerted_column: alerted_at})
        raise
    return True


def administrators_told_of_silent_workers(now: datetime, *, beat_started_at: datetime) -> bool:
    """From beat, at each heartbeat: email the administrators when no worker has taken any work
    for five minutes (`workers_alert_due`), as the pages and `/healthz/workers` say it only when
    someone looks, and once one has taken work again, that they are back."""
    return administrators_told(WORKERS_ALERT, now, watching_since=beat_started_at)


def administrators_told_of_silent_beat(now: datetime, *, web_started_at: datetime) -> bool:
    """From a web process, once a minute (core.middleware.BackgroundWatchMiddleware): email the
    administrators when beat has sent nothing for five minutes (it is stopped, or the task queue
    is down, which silences the workers too, so beat's own email about them is never sent), and
    once it sends again, that it is back."""
    return administrators_told(BEAT_ALERT, now, watching_since=web_started_at)


class TaskFollowedOnAPage:
    """What a model recording a task that a page follows (an upload, a settings preview) shows of
    it: whether it is `overdue` (its page then says to tell an administrator) and the state its
    box's polling compares (`shown_state`). The model has `status` ("queued", "running", ...) and
    `requested_at`; `RUNNING_SINCE` names the field its run is timed from."""

    RUNNING_SINCE = "started_at"

    @cached_property
    def workers_silence(self) -> BackgroundHeard | None:
        """While it waits for a worker: when one was last seen, if none has been for five minutes
        (`workers_heard`), so that its page says so at once."""
        return workers_heard(timezone.now()) if self.status == "queued" else None

    @property
    def overdue(self) -> bool:
        """Waiting for a worker for over five minutes (or at all while none runs), or running past
        the tasks' time limit (`overdue`)."""
        return overdue(waiting_since=self.requested_at if self.status == "queued" else None,
                       running_since=getattr(self, self.RUNNING_SINCE) if self.status == "running" else None,
                       now=timezone.now(), workers_silent=self.workers_silence is not None)

    @property
    def shown_state(self) -> str:
        return state_shown(self.status, self.overdue)
