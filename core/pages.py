"""The overview page, what city staff see first, and the Following page, what changed for the
entities a user follows."""
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from conflicts.rules import RULE_TEXTS, SEVERITIES
from conflicts.selectors import open_flags
from engagement.models import Meeting
from entities.kinds import Kind
from entities.models import Entity, Follow, FollowDigest
from scoring.models import ClosenessSnapshot
from relationships.selectors import unsourced
from scoring.forms import SinceForm
from scoring.selectors import changes_since, listed_pairs
from scoring.services import current_snapshot

from .following import followed_changes
from .forms import WeeklySummaryForm


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


def following(request):
    """Each entity the user follows: its pairs that changed band and its flags raised or ended
    since a day (a month before the current scores unless `?since=`), and the weekly email's switch."""
    snapshot = current_snapshot()
    form = SinceForm(request.GET or None)
    follows = Follow.objects.filter(user=request.user).count()
    digest = FollowDigest.objects.filter(user=request.user).first()
    context = {"form": form, "snapshot": snapshot, "follows": follows, "rows": [], "weekly": bool(digest and digest.weekly)}
    if form.is_bound and not form.is_valid():
        return render(request, "core/following.html", context, status=400)
    since, rows = followed_changes(request.user, snapshot, form.cleaned_data["since"] if form.is_bound else None)
    if not form.is_bound and since:
        form = SinceForm(initial={"since": since.as_of})
    return render(request, "core/following.html", {**context, "form": form, "since": since, "rows": rows})


@require_POST
def following_digest(request):
    """The weekly email of the Following page: on (`weekly=1`, with the `email` to send it to,
    saved on the account) or off."""
    if request.POST.get("weekly") != "1":
        FollowDigest.objects.update_or_create(user=request.user, defaults={"weekly": False})
        messages.success(request, "No more weekly summaries.")
        return redirect("following")
    form = WeeklySummaryForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Email address: {' '.join(form.errors['email'])} The weekly summary stays off.")
        return redirect("following")
    if request.user.email != form.cleaned_data["email"]:
        request.user.email = form.cleaned_data["email"]
        request.user.save(update_fields=["email"])
    FollowDigest.objects.update_or_create(user=request.user, defaults={"weekly": True})
    messages.success(request, f"You will get a weekly summary at {request.user.email} when something changed.")
    return redirect("following")
