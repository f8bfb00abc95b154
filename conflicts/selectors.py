"""Reading flags for the pages of other apps (an entity's, a pair's)."""
from django.db.models import Q, QuerySet

from .models import Flag


def flags_involving(entity) -> QuerySet[Flag]:
    """The flags that hold on an entity as subject, counterpart or one of the persons named."""
    return (
        Flag.objects.filter(Q(subject=entity) | Q(counterpart=entity) | Q(persons=entity), holds=True)
        .select_related("subject", "counterpart")
        .distinct()
        .order_by("status", "rule")
    )


def flags_between(a, b) -> QuerySet[Flag]:
    """Every flag raised on the pair, either way round: those that hold first, then those whose
    situation has lapsed (kept with their review history, as a recompute never erases a flag)."""
    return (
        Flag.objects.filter(Q(subject=a, counterpart=b) | Q(subject=b, counterpart=a))
        .select_related("subject", "counterpart")
        .order_by("-holds", "status", "rule")
    )
