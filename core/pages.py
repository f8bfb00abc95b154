"""The overview page: what city staff see first."""
from django.db.models import Count
from django.shortcuts import render

from conflicts.models import Flag
from engagement.models import Meeting
from entities.models import Entity
from scoring.models import ClosenessSnapshot
from scoring.selectors import listed_pairs
from scoring.services import current_snapshot


def overview(request):
    snapshot = current_snapshot()
    failure = ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.FAILED).order_by("-id").first()
    open_flags = Flag.objects.filter(holds=True, status__in=[Flag.Status.OPEN, Flag.Status.UNDER_REVIEW])
    return render(
        request,
        "core/overview.html",
        {
            "counts_by_kind": Entity.objects.values("kind").annotate(n=Count("id")).order_by("kind"),
            "closest_pairs": listed_pairs().order_by("-score_tenths", "entity_a_id", "entity_b_id")[:10],
            "flags_by_severity": open_flags.values("severity").annotate(n=Count("id")).order_by("severity"),
            "flags_by_rule": open_flags.values("rule").annotate(n=Count("id")).order_by("rule"),
            "recent_meetings": Meeting.objects.order_by("-date", "-id")[:8],
            "snapshot": snapshot,
            "failure": failure if failure and (snapshot is None or failure.pk > snapshot.pk) else None,
        },
    )
