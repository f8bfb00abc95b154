"""Background work of the data sets page and the API: an upload checked and imported. Tasks take
plain ids, call one service, and own only retries."""
from functools import partial

from celery import shared_task

from audit.context import Actor
from core.workers import send_once_committed

from .models import ImportRequest
from .services import import_request_run, import_request_unsent, import_requested


@shared_task
def import_request_task(request_id: int) -> str:
    """An upload, checked and imported (a failure is recorded on the request for its page, not
    retried: the analyst uploads again)."""
    request = import_request_run(request_id)
    return request.outcome if request is not None else "gone"


def import_queued(*, files: dict[str, bytes], dry_run: bool, actor: Actor) -> ImportRequest:
    """Record an upload and queue its import once that is committed (the data sets page and the API);
    failed, saying why, if the task queue cannot be reached."""
    upload = import_requested(files=files, dry_run=dry_run, actor=actor)
    send_once_committed(import_request_task, upload.pk, unsent=partial(import_request_unsent, upload.pk))
    return upload
