"""Background work: recomputes and settings previews. Tasks take plain ids and dates, call one service, and own only retries."""
from datetime import date
from functools import partial

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from core.workers import send_once_committed

from .engine import ScoringParameters
from .models import SettingsPreview
from .services import (
    recompute, recompute_for_entities, recompute_owed, settings_preview_requested, settings_preview_run, settings_preview_unsent,
)

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


@shared_task(**RETRY)
def recompute_owed_task() -> int | None:
    """Every ten minutes (beat): the recompute owed that no worker is running (its task never sent,
    as the task queue could not be reached, or lost, or not taken); nothing when none waits."""
    snapshot = recompute_owed(today=timezone.localdate(), now=timezone.now())
    return snapshot.pk if snapshot is not None else None


@shared_task
def settings_preview_task(preview_id: int) -> str:
    """Scoring settings scored and compared without saving them (a failure is recorded on the
    preview for its page, not retried: the administrator asks again)."""
    preview = settings_preview_run(preview_id)
    return preview.status if preview is not None else "gone"


def settings_preview_queued(*, parameters: ScoringParameters, requested_by=None) -> SettingsPreview:
    """Record settings to preview and queue their run once that is committed (the settings page);
    failed, saying why, if the task queue cannot be reached."""
    preview = settings_preview_requested(parameters=parameters, requested_by=requested_by)
    send_once_committed(settings_preview_task, preview.pk, unsent=partial(settings_preview_unsent, preview.pk))
    return preview
