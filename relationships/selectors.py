"""Reads of relationships shared by pages, the API and other apps."""
from datetime import date

from django.db.models import Q, QuerySet


def in_force_on(queryset: QuerySet, day: date) -> QuerySet:
    """Relationships started on or before `day` (or undated) and not ended before it."""
    return queryset.filter(Q(start_date__isnull=True) | Q(start_date__lte=day)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )
