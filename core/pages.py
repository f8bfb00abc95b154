"""The overview page: what city staff see first."""
from django.db.models import Count
from django.shortcuts import render

from conflicts.rules import RULE_TEXTS, SEVERITIES
from conflicts.selectors import open_flags
from engagement.models import Meeting
from entities.kinds import Kind
from entities.models import Entity
from scoring.models import ClosenessSnapshot
from relationships.selectors import unsourced
from scoring.selectors import changes_since, listed_pairs
from scoring.services import current_snapshot


def overview(request):
    snapshot = current_snapshot()
    waiting = open_flags()
    # most severe first (the database would sort the names alphabetically: high, low, medium)
    by_severity = {row["severity"]: row["n"] for row in waiting.values("severity").annotate(n=Count("id"))}
    # what changed in the past month, summed up (the changes page lists it)
    changes = changes_since(snapshot)
    if changes and changes.since.pk == snapshot.pk:
        changes = None  # one set of scores: nothing to compare with
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
            "flags_by_rule": [
                {**row, "label": RULE_TEXTS[row["rule"]].label}
                for row in waiting.values("rule").annotate(n=Count("id")).order_by("rule")
            ],
            "recent_meetings": Meeting.objects.order_by("-date", "-id")[:8],
            "snapshot": snapshot,
            "unsourced": unsourced().count(),
            "changes": changes,
            "failure": failure if failure and (snapshot is None or failure.pk > snapshot.pk) else None,
        },
    )

