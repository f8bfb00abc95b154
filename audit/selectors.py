"""The trail shown on an object's page (to analysts and administrators)."""
from __future__ import annotations

from django.db.models import Q

from core.roles import can_review_flags

from .models import AuditEvent

TRAIL_LIMIT = 100


def audit_trail(user, *, objects: dict[str, list[str]] | None = None, contexts: dict[str, list[str]] | None = None):
    """Latest events for the given {object_type: [object_key, ...]} and {object_type: [context_key, ...]};
    None when the user's role may not see the trail."""
    if not can_review_flags(user):
        return None
    query = Q(pk__in=[])
    for object_type, keys in (objects or {}).items():
        query |= Q(object_type=object_type, object_key__in=keys)
    for object_type, keys in (contexts or {}).items():
        query |= Q(object_type=object_type, context_key__in=keys)
    return list(AuditEvent.objects.filter(query).select_related("actor").order_by("-at", "-id")[:TRAIL_LIMIT])
