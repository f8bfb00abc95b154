"""The overview page, what city staff see first, and the Following page, what changed for the
entities a user follows."""
from django.db.models import Count
from django.shortcuts import render

from conflicts.rules import RULE_TEXTS, SEVERITIES
from conflicts.selectors import open_flags
from engagement.models import Meeting
from entities.kinds import Kind
from entities.models import Entity, Follow
from scoring.models import ClosenessSnapshot
from relationships.selectors import unsourced
from scoring.forms import SinceForm
from scoring.selectors import BAND_MOVES, changes_since, listed_pairs
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
            "followed": Follow.objects.filter(user=request.user).count(),
            "failure": failure if failure and (snapshot is None or failure.pk > snapshot.pk) else None,
        },
    )



# how each band move reads for the entity followed
MOVE_WORDS = {
    "became_close": "became close", "no_longer_close": "no longer close",
    "became_working": "became a working tie", "no_longer_working": "fell back to distant",
}


def following(request):
    """Each entity the user follows: its pairs that changed band and its flags raised or ended
    since a day (a month before the current scores unless `?since=`)."""
    snapshot = current_snapshot()
    form = SinceForm(request.GET or None)
    follows = Follow.objects.filter(user=request.user).count()
    if form.is_bound and not form.is_valid():
        return render(request, "core/following.html", {"form": form, "snapshot": snapshot, "follows": follows, "rows": []}, status=400)
    day = form.cleaned_data["since"] if form.is_bound else None
    rows, since = [], None
    for follow in Follow.objects.filter(user=request.user).select_related("entity").order_by("entity__name", "entity_id"):
        entity = follow.entity
        changes = changes_since(snapshot, day, entity)
        moved = []
        if changes:
            since = changes.since
            for move in BAND_MOVES:
                moved += [{"other": c["b"] if c["a"] == entity else c["a"], "a": c["a"], "b": c["b"], "move": MOVE_WORDS[move],
                           "before": c["before"], "after": c["after"]} for c in changes.moves[move]]
        rows.append({"entity": entity, "key": str(entity.pk), "moved": moved, "raised": list(changes.flags_raised) if changes else [],
                     "lapsed": list(changes.flags_lapsed) if changes else []})
    if not form.is_bound and since:
        form = SinceForm(initial={"since": since.as_of})
    return render(request, "core/following.html", {"form": form, "snapshot": snapshot, "since": since, "follows": follows, "rows": rows})
