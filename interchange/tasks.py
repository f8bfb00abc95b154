"""Background work of the data sets page: an upload checked and imported. Tasks take plain ids,
call one service, and own only retries."""
from celery import shared_task

from .services import import_request_run


@shared_task
def import_request_task(request_id: int) -> str:
    """An upload of the data sets page, checked and imported (a failure is recorded on the request
    for its page, not retried: the analyst uploads again)."""
    request = import_request_run(request_id)
    return request.outcome if request is not None else "gone"
