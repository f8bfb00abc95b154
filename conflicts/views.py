from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.selectors import audit_trail
from core.filters import listed
from core.params import row_id
from core.roles import can_review_flags
from core.spreadsheet import csv_download
from core.tables import configure_list
from interchange.format import FLAG_COLUMNS

from .filters import FlagFilter
from .forms import BulkFlagTransitionForm, FlagTransitionForm
from .models import Flag
from .rules import OVERSEEN_SIDE_TEXT, RULE_TEXTS
from .selectors import flag_rows, in_review_order, with_reviewer
from .services import BULK_REVIEW_LIMIT, FlagMovedSince, FlagTransitionError, flag_change_status, flags_change_status, transitions_allowed
from .tables import SHOWN_STATUS_PREFIX, FlagTable


def flag_list(request):
    """The review queue: flags the latest recompute raised, filterable by rule, severity and status."""
    if request.GET.get("export") == "csv":
        # the contract's columns, so that it reads as the export's flags.csv does
        return csv_download("flags.csv", FLAG_COLUMNS, flag_rows(in_review_order(listed(_queue(request.GET, request)))))
    return _queue_page(request)


def _queue(query, request) -> FlagFilter:
    queue = FlagFilter(query, queryset=with_reviewer(Flag.objects.select_related("subject", "counterpart")), request=request)
    if not can_review_flags(request.user):
        queue.withhold("reviewing", "Only analysts and administrators take flags under review, so this account has none to list: "
                                    "'Only those I took under review' (reviewing) is a reviewer's filter.")
    return queue


def _queue_page(request, bulk_form: BulkFlagTransitionForm | None = None, selected=frozenset(), status: int = 200):
    """The queue as `request.GET` filters, sorts and pages it; for reviewers with a box to tick
    per flag and a form to change the status of those ticked (`bulk_form`: a refused one)."""
    filterset = _queue(request.GET, request)
    reviewer = can_review_flags(request.user)
    table = FlagTable(in_review_order(listed(filterset)), selected=selected, exclude=() if reviewer else ("selected",))
    configure_list(request, table, filterset, per_page=50)
    return render(request, "conflicts/flag_list.html", {
        "filter": filterset, "table": table, "rule_texts": RULE_TEXTS.items(), "overseen_side": OVERSEEN_SIDE_TEXT,
        "bulk_form": (bulk_form or BulkFlagTransitionForm()) if reviewer else None, "query": request.GET.urlencode(),
        "bulk_limit": BULK_REVIEW_LIMIT,
    }, status=status)


@require_POST
def flag_bulk_transition(request):
    """The flags ticked in the queue moved to one status with one reason, all or none; back to the
    queue as it was (its filters, sort and page), or the queue again with the ticks, the reason and
    what was refused."""
    if not can_review_flags(request.user):
        raise PermissionDenied("Only analysts and administrators change a flag's status.")
    query = QueryDict(request.POST.get("query", ""))
    ticked = request.POST.getlist("selected")
    ids = [row_id(value) for value in ticked]
    selected = set(ids) - {None}
    form = BulkFlagTransitionForm(request.POST)
    if form.is_valid():
        try:
            if None in ids:
                raise FlagTransitionError("A ticked box does not name a flag: reload the queue and select again. Nothing changed.")
            shown = {flag_id: request.POST[f"{SHOWN_STATUS_PREFIX}{flag_id}"] for flag_id in selected
                     if f"{SHOWN_STATUS_PREFIX}{flag_id}" in request.POST}
            changed = flags_change_status(
                flag_ids=sorted(selected), to_status=form.cleaned_data["to_status"], user=request.user, reason=form.cleaned_data["reason"],
                shown=shown,
            )
        except FlagTransitionError as exc:
            form.add_error(None, str(exc))
        else:
            label = Flag.Status(form.cleaned_data["to_status"]).label.lower()
            messages.success(request, f"{len(changed)} flag{pluralize(len(changed))} {pluralize(len(changed), 'is,are')} now {label}.")
            return redirect(f"{reverse('flag_list')}?{query.urlencode()}" if query else reverse("flag_list"))
    request.GET = query  # the queue as the reviewer left it
    return _queue_page(request, form, selected, status=400)


def flag_detail(request, pk: int):
    return _flag_page(request, get_object_or_404(Flag.objects.select_related("subject", "counterpart"), pk=pk))


def _flag_page(request, flag: Flag, form: FlagTransitionForm | None = None, status: int = 200):
    """A flag's page; `form`: a refused status change, shown with its errors beside the fields."""
    allowed = sorted(transitions_allowed(flag))
    form = form or FlagTransitionForm(initial={"shown_status": flag.status})
    if form.is_bound:  # shown again: the status it shows now
        form.data = form.data.copy()
        form.data["shown_status"] = flag.status
    form.fields["to_status"].choices = [(s, Flag.Status(s).label) for s in allowed]
    return render(
        request,
        "conflicts/flag_detail.html",
        {
            "flag": flag,
            "rule_text": RULE_TEXTS.get(flag.rule),
            "persons": flag.persons.order_by("name"),
            "evidence": flag.evidence.select_related("source", "target").prefetch_related("disclosures").order_by("external_id"),
            "history": flag.history.select_related("changed_by"),
            "form": form,
            "can_review": can_review_flags(request.user),
            "can_move": bool(allowed),
            "trail": audit_trail(request.user, objects={"conflicts.flag": [str(flag.pk)]}),
        },
        status=status,
    )


@require_POST
def flag_transition(request, pk: int):
    if not can_review_flags(request.user):
        raise PermissionDenied("Only analysts and administrators change a flag's status.")
    flag = get_object_or_404(Flag.objects.select_related("subject", "counterpart"), pk=pk)
    form = FlagTransitionForm(request.POST)
    if not form.is_valid():
        # the page again, the reviewer's text kept and each field's problem beside it
        return _flag_page(request, flag, form, status=400)
    try:
        flag_change_status(flag=flag, to_status=form.cleaned_data["to_status"], user=request.user, reason=form.cleaned_data["reason"],
                           shown_status=form.cleaned_data["shown_status"])
        messages.success(request, f"The flag is now {flag.get_status_display().lower()}.")
    except FlagMovedSince as moved:
        # the page again, the reason kept: the move and reason made since are in its history there
        form.add_error(None, f"Not changed: someone made this flag {moved.status_now} after you opened this page "
                             f"(why: its history below). Check, then choose again.")
        return _flag_page(request, flag, form, status=400)
    except FlagTransitionError as exc:
        messages.error(request, str(exc))
    return redirect("flag_detail", pk=pk)
