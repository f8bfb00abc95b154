"""Reads of relationships shared by pages, the API and other apps."""
from datetime import date

from django.db.models import Count, Q, QuerySet


def in_force_on(queryset: QuerySet, day: date) -> QuerySet:
    """Relationships started on or before `day` (or undated) and not ended before it."""
    return queryset.filter(Q(start_date__isnull=True) | Q(start_date__lte=day)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )


# no source URL, or only spaces: a fact a reader cannot check
UNSOURCED = Q(source_url__regex=r"^\s*$")


def unsourced(queryset: QuerySet | None = None) -> QuerySet:
    """Relationships with no source URL: facts a reader cannot check."""
    from .models import Relationship

    return (Relationship.objects.all() if queryset is None else queryset).filter(UNSOURCED)


def sources_by_type() -> list[dict]:
    """For each relationship type present: how many relationships, and how many have a source."""
    from .models import Relationship
    from .types import RelationshipType

    counts = Relationship.objects.values("type").annotate(
        total=Count("id"), sourced=Count("id", filter=~UNSOURCED)
    ).order_by("type")
    return [{**row, "label": RelationshipType(row["type"]).label, "unsourced": row["total"] - row["sourced"]} for row in counts]
