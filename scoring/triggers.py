"""Queue an incremental recompute when evidence changes, once per transaction, after it commits."""
from __future__ import annotations

import threading
from collections.abc import Iterable

from django.db import connection, transaction

from relationships.types import AFFILIATION_TYPES

_pending = threading.local()


def _flush() -> None:
    from .tasks import recompute_entities_task

    ids, _pending.ids = getattr(_pending, "ids", None), None
    if ids:
        recompute_entities_task.delay(sorted(ids))


def _flush_registered() -> bool:
    return any(func is _flush for _, func, *_ in connection.run_on_commit)


def queue_recompute(entity_ids: Iterable[int]) -> None:
    """Collect the entities whose evidence changed; one task is queued when the transaction commits
    (immediately outside a transaction). A rolled-back transaction queues nothing."""
    ids = getattr(_pending, "ids", None)
    if ids is None or (connection.in_atomic_block and not _flush_registered()):
        ids = _pending.ids = set()
        ids.update(entity_ids)
        transaction.on_commit(_flush)
        return
    ids.update(entity_ids)


def entities_at_meeting(meeting_id: int) -> set[int]:
    """Who was at a meeting, and the organisations they stand for (the pairs a change there touches)."""
    from engagement.models import Attendance
    from relationships.models import Relationship

    people = set(Attendance.objects.filter(meeting_id=meeting_id).order_by().values_list("entity_id", flat=True))
    orgs = Relationship.objects.filter(source_id__in=people, type__in=AFFILIATION_TYPES).values_list("target_id", flat=True)
    return people | set(orgs)
