"""The overview page (the dashboards issue grows it)."""
from django.db.models import Count
from django.shortcuts import render

from entities.models import Entity


def overview(request):
    counts = Entity.objects.values("kind").annotate(n=Count("id")).order_by("kind")
    return render(request, "core/overview.html", {"counts_by_kind": counts})
