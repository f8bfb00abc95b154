from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from audit.selectors import audit_trail
from core.roles import can_review_flags
from core.spreadsheet import csv_download
from interchange.format import FLAG_COLUMNS

from .filters import FlagFilter
from .forms import FlagTransitionForm
from .models import Flag
from .rules import OVERSEEN_SIDE_TEXT, RULE_TEXTS
from .selectors import flag_rows, in_review_order
from .services import ALLOWED_TRANSITIONS, FlagTransitionError, flag_change_status
from .tables import FlagTable


def flag_list(request):
    """The review queue: flags the latest recompute raised, filterable by rule, severity and status."""
    flags = Flag.objects.select_related("subject", "counterpart")
    filterset = FlagFilter(request.GET, queryset=flags)
    rows = in_review_order(filterset.qs)
    if request.GET.get("export") == "csv":
        # the contract's columns, so that it reads as the export's flags.csv does
        return csv_download("flags.csv", FLAG_COLUMNS, flag_rows(rows))
    table = FlagTable(rows)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "conflicts/flag_list.html", {
        "filter": filterset, "table": table, "rule_texts": RULE_TEXTS.items(), "overseen_side": OVERSEEN_SIDE_TEXT,
    })


def flag_detail(request, pk: int):
    return _flag_page(request, get_object_or_404(Flag.objects.select_related("subject", "counterpart"), pk=pk))


def _flag_page(request, flag: Flag, form: FlagTransitionForm | None = None, status: int = 200):
    """A flag's page; `form`: a refused status change, shown with its errors beside the fields."""
    allowed = sorted(ALLOWED_TRANSITIONS[Flag.Status(flag.status)])
    form = form or FlagTransitionForm()
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
        flag_change_status(flag=flag, to_status=form.cleaned_data["to_status"], user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"The flag is now {flag.get_status_display().lower()}.")
    except FlagTransitionError as exc:
        messages.error(request, str(exc))
    return redirect("flag_detail", pk=pk)
