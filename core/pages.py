"""The overview page, what city staff see first, and the Following page, what changed for the
entities a user follows."""
import smtplib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from conflicts.rules import RULE_TEXTS, SEVERITIES
from conflicts.selectors import open_flags
from engagement.models import Meeting
from entities.kinds import Kind
from entities.models import Entity, Follow, FollowDigest
from interchange.models import DatasetImport
from scoring.models import SettingsChange
from relationships.models import Relationship
from relationships.selectors import unsourced
from scoring.forms import SinceForm
from scoring.selectors import across_bodies, changes_since, computed_too_long_ago, failure_since, listed_pairs
from scoring.services import current_snapshot

from .filters import naming_unread
from .following import (
    LINK_DAYS,
    LinkProblem,
    SummaryRequest,
    confirm_weekly_summary,
    followed_changes,
    request_weekly_summary,
    stop_link_account,
    weekly_summary_address,
    weekly_summary_stop,
)
from .forms import WeeklySummaryForm
from .workers import background_heard_for


def overview(request):
    snapshot = current_snapshot()
    waiting = open_flags()
    # most severe first (the database would sort the names alphabetically: high, low, medium)
    by_severity = {row["severity"]: row["n"] for row in waiting.values("severity").annotate(n=Count("id"))}
    # what changed in the past month, summed up (the changes page lists it)
    changes = changes_since(snapshot)
    if changes and changes.since.pk == snapshot.pk:
        changes = None  # one set of scores: nothing to compare with
    return render(
        request,
        "core/overview.html",
        {
            "counts_by_kind": [
                {**row, "label": Kind(row["kind"]).label} for row in Entity.objects.values("kind").annotate(n=Count("id")).order_by("kind")
            ],
            # the ties between actors: a person and their own body are close by its own work
            "closest_pairs": (across_bodies(listed_pairs(), snapshot.as_of).order_by("-score_tenths", "entity_a_id", "entity_b_id")[:10]
                              if snapshot else []),
            "flags_by_severity": [{"severity": s, "n": by_severity[s]} for s in reversed(SEVERITIES) if s in by_severity],
            "flags_by_rule": [
                {**row, "label": RULE_TEXTS[row["rule"]].label}
                for row in waiting.values("rule").annotate(n=Count("id")).order_by("rule")
            ],
            "recent_meetings": Meeting.objects.order_by("-date", "-id")[:8],
            # the newest facts (a contribution, an appointment, a new job), not those dated ahead
            "recent_relationships": Relationship.objects.filter(start_date__lte=timezone.localdate()).select_related("source", "target")
            .order_by("-start_date", "-id")[:8],
            "snapshot": snapshot,
            "computed_too_long_ago": computed_too_long_ago(snapshot, timezone.now()),
            "background": background_heard_for(request),
            "unsourced": unsourced().count(),
            "changes": changes,
            "followed": Follow.objects.filter(user=request.user).count(),
            "failure": failure_since(snapshot),
            "settings_change": SettingsChange.objects.first(),  # the latest (newest first)
            "latest_import": DatasetImport.objects.first(),  # how fresh the imported data is
        },
    )


# the Following page's form (the day to compare with): a query parameter it does not read is said beside it
SincePageForm = naming_unread(SinceForm, also_read=frozenset())


def following(request):
    """Each entity the user follows: its pairs that changed band and its flags raised or ended
    since a day (a month before the current scores unless `?since=`), and the weekly email's switch."""
    snapshot = current_snapshot()
    form = SincePageForm(request.GET or None)
    follows = Follow.objects.filter(user=request.user).count()
    digest = FollowDigest.objects.filter(user=request.user).first()
    context = {"form": form, "snapshot": snapshot, "follows": follows, "rows": [], "digest": digest}
    if form.is_bound and not form.is_valid():
        return render(request, "core/following.html", context, status=400)
    since, rows = followed_changes(request.user, snapshot, form.cleaned_data["since"] if form.is_bound else None)
    if not form.is_bound and since:
        form = SincePageForm(initial={"since": since.as_of})
    return render(request, "core/following.html", {**context, "form": form, "since": since, "rows": rows})


@require_POST
def following_digest(request):
    """The weekly email of the Following page: on (`weekly=1`, with the `email` to send it to: a
    new address gets a confirmation link first) or off."""
    if request.POST.get("weekly") != "1":
        FollowDigest.objects.update_or_create(user=request.user, defaults={"weekly": False})
        messages.success(request, "No more weekly summaries.")
        return redirect("following")
    form = WeeklySummaryForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Email address: {' '.join(form.errors['email'])} The weekly summary stays off.")
        return redirect("following")
    address = form.cleaned_data["email"]
    try:
        digest, outcome = request_weekly_summary(request.user, address, now=timezone.now())
    except (smtplib.SMTPException, OSError) as exc:
        messages.error(request, f"The email to {address} could not be sent ({exc}); the weekly summary stays off. Try again later.")
        return redirect("following")
    if outcome is SummaryRequest.ON:
        messages.success(request, f"You will get a weekly summary at {address} when something changed.")
    elif outcome is SummaryRequest.LINK_SENT:
        messages.success(request, f"A link went to {address}: open it within {LINK_DAYS} days to start the weekly summary.")
    else:
        sent = timezone.localtime(digest.link_sent_at).strftime("%H:%M")
        messages.error(request, f"A link went to {digest.address} at {sent}: open it to start the weekly summary, "
                                "or ask for another in two minutes.")
    return redirect("following")


@require_http_methods(["GET", "POST"])
def following_digest_confirm(request, token: str):
    """The page a confirmation link opens: a button that confirms (a POST, so that a mail
    scanner opening the link confirms nothing), or why the link does not hold."""
    try:
        if request.method == "POST":
            digest = confirm_weekly_summary(request.user, token)
            messages.success(request, f"Confirmed: you will get a weekly summary at {digest.address} when something changed.")
            return redirect("following")
        address = weekly_summary_address(request.user, token)
    except LinkProblem as problem:
        return render(request, "core/following_confirm.html", {"problem": str(problem)}, status=400)
    return render(request, "core/following_confirm.html", {"address": address})


@login_not_required
@csrf_exempt  # a mail client's one-click POST (RFC 8058) carries no CSRF token; the signed link is the credential
@require_http_methods(["GET", "POST"])
def following_digest_stop(request, token: str):
    """The link in each weekly email: a button that stops them (GET changes nothing, so that a
    mail scanner opening the link stops nothing), or the mail client's one-click POST. No sign-in:
    the link is signed for the account and can only turn its summary off."""
    try:
        if request.method == "POST":
            weekly_summary_stop(token)
        else:
            stop_link_account(token)
    except LinkProblem as problem:
        return render(request, "core/following_stop.html", {"problem": str(problem)}, status=400)
    return render(request, "core/following_stop.html", {"stopped": request.method == "POST"})
