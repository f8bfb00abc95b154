"""Queue an incremental recompute when evidence changes, once per transaction, after it commits;
and a full one when every pair may change. Each is first recorded as owed (`OwedRecompute`),
then sent: the record is what the next recompute takes in and deletes, so a task that could not
be sent (the task queue unreachable), or that no worker ran, is not lost."""
from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date
from functools import partial

from django.db import connection, transaction

from core.workers import sent_to_workers
from relationships.types import AFFILIATION_TYPES

_pending = threading.local()


def _owed_then_sent(entity_ids: list[int] | None, task, *args) -> bool:
    from .models import OwedRecompute

    owed = OwedRecompute.objects.create(entity_ids=entity_ids)
    if not sent_to_workers(task, *args):
        return False
    OwedRecompute.objects.filter(pk=owed.pk).update(sent=True)  # run here and now without a broker: gone already
    return True


def _queue(ids: set[int]) -> None:
    from .tasks import recompute_entities_task

    _owed_then_sent(sorted(ids), recompute_entities_task, sorted(ids))


def queue_full_recompute() -> None:
    """A full recompute, as of the day it runs, queued once the transaction commits: every pair may
    have changed (two entities merged, or a merge undone)."""
    from .tasks import recompute_all_task

    transaction.on_commit(partial(_owed_then_sent, None, recompute_all_task))


def full_recompute_sent(as_of: date) -> bool:
    """A full recompute as of `as_of` queued now, outside a transaction (what it reads is committed):
    whether the task queue took it (if not, it is owed all the same, and run once it can be)."""
    from .tasks import recompute_all_task

    return _owed_then_sent(None, recompute_all_task, as_of.isoformat())


def _flush() -> None:
    ids, _pending.ids = getattr(_pending, "ids", None), None
    if ids:
        _queue(ids)


def _flush_registered() -> bool:
    return any(func is _flush for _, func, *_ in connection.run_on_commit)


def queue_recompute(entity_ids: Iterable[int]) -> None:
    """Collect the entities whose evidence changed; one task is queued when the transaction commits
    (immediately outside a transaction). A rolled-back transaction queues nothing."""
    if not connection.in_atomic_block:  # autocommit: the change is already committed
        ids = set(entity_ids)
        if ids:  # e.g. a meeting without attendance: no pair changed
            _queue(ids)
        return
    ids = getattr(_pending, "ids", None)
    if ids is None or not _flush_registered():
        # the first change of this transaction (ids a rolled-back one left behind were never queued,
        # and its rollback dropped its callback: start afresh)
        ids = _pending.ids = set()
        transaction.on_commit(_flush)
    ids.update(entity_ids)


def entities_at_meeting(meeting_id: int) -> set[int]:
    """Who was at a meeting, and the organisations they stand for (the pairs a change there touches)."""
    from engagement.models import Attendance

    return with_organisations(Attendance.objects.filter(meeting_id=meeting_id).order_by().values_list("entity_id", flat=True))


def with_organisations(entity_ids: Iterable[int]) -> set[int]:
    """The entities and every organisation they lead, sit on or work for (at any time: the meetings'
    dates decide which counted), as a meeting's attendee stands for them too."""
    from relationships.models import Relationship

    entities = set(entity_ids)
    ids, organisations = sorted(entities), set()
    for start in range(0, len(ids), 5000):  # a first import names every entity: SQLite bounds the parameters
        chunk = ids[start : start + 5000]
        organisations.update(Relationship.objects.filter(source_id__in=chunk, type__in=AFFILIATION_TYPES).values_list("target_id", flat=True))
    return entities | organisations
