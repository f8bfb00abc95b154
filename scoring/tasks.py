"""Background work: recomputes and settings previews. Tasks take plain ids and dates, call one service, and own only retries."""
from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .services import recompute, recompute_for_entities, settings_preview_run

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 3}


@shared_task(**RETRY)
def recompute_all_task(as_of: str | None = None) -> int:
    """Nightly (beat) and on demand: every pair and every flag."""
    reference = date.fromisoformat(as_of) if as_of else timezone.localdate()
    return recompute(as_of=reference, triggered_by="background task").pk


@shared_task(**RETRY)
def recompute_entities_task(entity_ids: list[int], reason: str = "evidence changed") -> int:
    """After evidence changed: the pairs touching these entities, then every flag."""
    return recompute_for_entities(entity_ids=set(entity_ids), today=timezone.localdate(), triggered_by=reason).pk


@shared_task
def settings_preview_task(preview_id: int) -> str:
    """Scoring settings scored and compared without saving them (a failure is recorded on the
    preview for its page, not retried: the administrator asks again)."""
    preview = settings_preview_run(preview_id)
    return preview.status if preview is not None else "gone"
