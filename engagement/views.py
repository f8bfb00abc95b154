from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.permissions import role_required
from core.roles import can_log_meetings
from entities.models import Entity

from .forms import AttendanceFormSet, MeetingForm
from .models import Meeting
from .services import meeting_log_create


def meeting_list(request):
    meetings = Meeting.objects.annotate(attendees=Count("attendance")).order_by("-date", "external_id")[:200]
    return render(request, "engagement/meeting_list.html", {"meetings": meetings})


@role_required(can_log_meetings, "Only board members, analysts and administrators log meetings.")
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    form = MeetingForm(request.POST or None)
    formset = AttendanceFormSet(request.POST or None, prefix="attendance")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        attendance = [(f.cleaned_data["entity"], f.cleaned_data["role"]) for f in formset.forms if f.cleaned_data.get("entity")]
        meeting = meeting_log_create(meeting=form.instance, attendance=attendance)
        messages.success(request, f"Logged “{meeting.title}” with {len(attendance)} attendees; the scores are being updated.")
        return redirect("meeting_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "engagement/meeting_new.html", {"form": form, "formset": formset}, status=status)


def entity_search(request):
    """Search-as-you-type for the attendance fields (an htmx partial of <option>s)."""
    query = request.GET.get("q", "").strip()
    entities = Entity.objects.filter(name__icontains=query).order_by("name")[:15] if len(query) >= 2 else []
    return render(request, "engagement/partials/entity_options.html", {"entities": entities})
