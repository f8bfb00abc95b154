from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.permissions import role_required
from core.roles import can_edit_data

from .forms import ScoringSettingsForm
from .models import ScoringSettings
from .services import current_snapshot
from .tasks import recompute_all_task

administrators_only = role_required(can_edit_data, "Only administrators change the scoring settings.")


@administrators_only
@require_http_methods(["GET", "POST"])
def scoring_settings(request):
    """Weights, type weights and the half-life; saving can queue a full recompute."""
    record = ScoringSettings.load()
    if request.method == "POST":
        form = ScoringSettingsForm(request.POST)
        if form.is_valid():
            record.parameters = form.to_parameters().to_dict()
            record.updated_by = request.user
            record.save()
            if "recompute" in request.POST:
                transaction.on_commit(lambda: recompute_all_task.delay(timezone.localdate().isoformat()))
                messages.success(request, "Settings saved. A full recompute has been queued.")
            else:
                messages.success(request, "Settings saved. They apply from the next recompute.")
            return redirect("scoring_settings")
    else:
        form = ScoringSettingsForm.from_parameters(record.scoring_parameters)
    return render(request, "scoring/settings.html", {"form": form, "record": record, "snapshot": current_snapshot()})
