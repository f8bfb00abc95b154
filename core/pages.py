"""The overview page: what city staff see first."""
from django.db.models import Count
from django.shortcuts import render

from conflicts.models import Flag
from conflicts.rules import SEVERITIES
from conflicts.selectors import flags_lapsed_after, flags_raised_after
from engagement.models import Meeting
from entities.kinds import Kind
from entities.models import Entity
from scoring.models import ClosenessSnapshot
from relationships.selectors import unsourced
from scoring.selectors import close_changes_since, listed_pairs, snapshot_to_compare
from scoring.services import current_snapshot


def overview(request):
    snapshot = current_snapshot()
    open_flags = Flag.objects.filter(holds=True, status__in=[Flag.Status.OPEN, Flag.Status.UNDER_REVIEW])
    # most severe first (the database would sort the names alphabetically: high, low, medium)
    by_severity = {row["severity"]: row["n"] for row in open_flags.values("severity").annotate(n=Count("id"))}
    # what changed in the past month, summed up (the changes page lists it)
    since = snapshot_to_compare(snapshot) if snapshot else None
    changes = None
    if since and since.pk != snapshot.pk:
        became, no_longer = close_changes_since(since)
        changes = {"since": since, "became": len(became), "no_longer": len(no_longer),
                   "flags": flags_raised_after(since.as_of).count(), "lapsed": flags_lapsed_after(since.as_of).count()}
    failure = ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.FAILED).order_by("-id").first()
    return render(
        request,
        "core/overview.html",
        {
            "counts_by_kind": [
                {**row, "label": Kind(row["kind"]).label} for row in Entity.objects.values("kind").annotate(n=Count("id")).order_by("kind")
            ],
            "closest_pairs": listed_pairs().order_by("-score_tenths", "entity_a_id", "entity_b_id")[:10],
            "flags_by_severity": [{"severity": s, "n": by_severity[s]} for s in reversed(SEVERITIES) if s in by_severity],
            "flags_by_rule": open_flags.values("rule").annotate(n=Count("id")).order_by("rule"),
            "recent_meetings": Meeting.objects.order_by("-date", "-id")[:8],
            "snapshot": snapshot,
            "unsourced": unsourced().count(),
            "changes": changes,
            "failure": failure if failure and (snapshot is None or failure.pk > snapshot.pk) else None,
        },
    )

