"""Write audit events: one at a time (signals) or in bulk (the importer)."""
from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from core.bulk import NULL, bulk_insert, copy_csv_rows, is_postgres

from .context import Actor, current_actor
from .models import AuditEvent


def plain(value):
    """A JSON-safe form of a field value (also json.dumps' `default` for the types JSON lacks)."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _plain_changes(changes: dict) -> dict:
    return {k: [plain(v[0]), plain(v[1])] for k, v in changes.items()}


def created_changes(values: dict) -> dict:
    """{field: [None, value]} for a new record, leaving out empty fields."""
    return {k: [None, v] for k, v in values.items() if v not in (None, "")}


def attendance_key(meeting_external_id: str, entity_external_id: str) -> str:
    """The trail's key of one attendance row (its meeting is the context key)."""
    return f"{meeting_external_id}/{entity_external_id}"


def audit_event_new(*, action: str, object_type: str, object_key: str, changes: dict, context_key: str = "",
                    actor: Actor | None = None) -> AuditEvent:
    actor = actor or current_actor()
    return AuditEvent(
        at=timezone.now(), actor_id=actor.user_id, actor_label=actor.label, via=actor.via, action=action,
        object_type=object_type, object_key=object_key, context_key=context_key, changes=_plain_changes(changes),
    )


def audit_events_bulk_write(events: Iterable[tuple[str, str, str, dict, str]]) -> int:
    """(action, object_type, object_key, changes, context_key) tuples, streamed into a COPY on
    PostgreSQL; returns how many were written."""
    actor, now = current_actor(), timezone.now()
    columns = ["at", "actor_id", "actor_label", "via", "action", "object_type", "object_key", "context_key", "changes"]
    if not is_postgres():
        rows = (
            (now, actor.user_id, actor.label, actor.via, action, object_type, key, context, _plain_changes(changes))
            for action, object_type, key, changes, context in events
        )
        return bulk_insert(AuditEvent, columns, rows)
    # An import writes an event per row of most files (a hundred thousand relationships): each line
    # is formatted here in one step, with the columns every event shares formatted once.
    shared = (now.isoformat(), NULL if actor.user_id is None else actor.user_id, actor.label, actor.via)
    lines = (
        (*shared, action, object_type, key, context, json.dumps(changes, default=plain))
        for action, object_type, key, changes, context in events
    )
    return copy_csv_rows(AuditEvent, columns, lines)  # streamed: the events are never all held at once
