from collections import defaultdict
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from audit.selectors import audit_trail
from conflicts.models import Flag
from core.filters import listed, naming_unread, unread_query_parameters
from core.formatting import count_text
from core.forms import prefill_problems, saved_unless_changed_meanwhile, titled_as_saved, typed_values
from core.params import row_id
from core.permissions import role_required
from core.roles import can_edit_data, can_log_meetings, can_record_facts, can_review_flags, can_view
from core.search import holds
from core.spreadsheet import csv_download
from core.tables import configure_list
from core.unaccent import without_accents
from entities.forms import ends_not_found
from entities.models import Entity
from scoring.selectors import meeting_weight_now
from relationships.models import Disclosure

from .coverage import QUIET_DAYS, coverage_csv_rows, coverage_report, trust_trends
from .filters import MeetingFilter
from .forms import (
    ATTENDANCE_MAX,
    ATTENDANCE_MORE_ROWS,
    attendance_formset,
    ConflictReportForm,
    CoveragePeriodForm,
    FeedbackAnswerForm,
    MeetingForm,
    ReportDecisionForm,
    default_period_start,
)
from .models import Attendance, ConflictReport, EngagementSettings, FeedbackResponse, FeedbackSurvey, Meeting, MeetingNewcomer
from .permissions import CLOSE_REFUSED, CORRECTION_REFUSED, DELETION_REFUSED, can_close_survey, can_correct_meeting
from .recusal import recusals_for_flags
from .selectors import (
    agency_names,
    answer_facts,
    jurisdictions,
    logging_warnings,
    meeting_facts,
    open_flag_facts,
    organisations_represented,
)
from .services import (
    EngagementError,
    conflict_report_accept,
    conflict_report_reject,
    feedback_answer_create,
    feedback_survey_create,
    meeting_log_create,
    meeting_log_delete,
    meeting_log_update,
)
from .tables import MeetingTable
from .types import ENGAGEMENT_TYPES, AttendanceRole, MeetingType, is_public_meeting_type


# the meetings list's download: the meeting's columns of meetings.csv, then who attended and who logged it
MEETING_LIST_COLUMNS = ["external_id", "date", "type", "title", "location", "neighborhood", "source_url", "attendees", "attendee_ids", "logged_by"]


def meeting_list(request):
    """Every meeting, filterable and paged (50 a page), newest first; ?export=csv downloads the
    filtered meetings with who attended."""
    filterset = MeetingFilter(request.GET, queryset=Meeting.objects.select_related("logged_by").order_by("-date", "external_id"))
    # a subquery: after the "attended by" filter, Count("attendance") would count only that attendee
    attendees = Attendance.objects.filter(meeting=OuterRef("pk")).order_by().values("meeting").annotate(n=Count("id")).values("n")
    chosen = listed(filterset)
    rows = chosen.annotate(attendees=Coalesce(Subquery(attendees), 0))
    if request.GET.get("export") == "csv":
        return csv_download("meetings.csv", MEETING_LIST_COLUMNS, _meeting_list_rows(rows))
    table = MeetingTable(rows)
    configure_list(request, table, filterset, per_page=50)
    return render(request, "engagement/meeting_list.html", {"filter": filterset, "table": table})


def _meeting_list_rows(meetings, chunk_size: int = 5000):
    """The download's rows, streamed: a chunk of meetings at a time, then their attendees' ids
    (sorted, `;`-separated as flags.csv lists persons), read as plain values (as model instances,
    every meeting's took 26 s at a million attendance rows)."""
    listed = meetings.values_list("pk", "external_id", "date", "type", "title", "location", "neighborhood", "source_url", "attendees",
                                  "logged_by__username")
    chunk = []
    for row in listed.iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) == chunk_size:
            yield from _with_attendees(chunk)
            chunk = []
    yield from _with_attendees(chunk)


def _with_attendees(meetings: list[tuple]):
    attended = defaultdict(list)
    ids = Attendance.objects.filter(meeting_id__in=[row[0] for row in meetings]).order_by("meeting_id", "entity__external_id")
    for meeting_id, external_id in ids.values_list("meeting_id", "entity__external_id"):
        attended[meeting_id].append(external_id)
    for pk, external_id, day, kind, *text, attendees, logged_by in meetings:
        yield [external_id, day.isoformat(), kind, *text, attendees, ";".join(attended[pk]), logged_by or ""]


@role_required(can_log_meetings, "Only board members, analysts and administrators log meetings.")
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    """Log a meeting; `?like=<meeting>` starts from one already logged (a board's next monthly
    meeting): its type, title, place and attendees, the date and what happened left to fill in."""
    more_rows = _more_rows_asked(request)
    asked_like = request.GET.get("like", "") if request.method == "GET" or more_rows else ""
    like = _meeting_like(asked_like)
    form = MeetingForm(request.POST or None, initial={f: getattr(like, f) for f in LIKE_FIELDS} if like else None)
    stored = stored_attendance(like) if like else []
    # `?attendee=<id>` (repeatable: from an entity's or a pair's page) lists them too
    asked_attendees = request.GET.getlist("attendee") if request.method == "GET" else []
    attendees, unknown_attendees = _attendees_asked(asked_attendees, already=stored)
    stored += attendees
    formset = attendance_formset(rows=request.GET.get("rows"), listed=len(stored))(
        request.POST or None, prefix="attendance", adder=request.user, initial=stored or None)
    if more_rows:
        form, formset = _shown_again_with_more_rows(request, form, formset)
    elif request.method == "POST" and form.is_valid() and formset.is_valid():
        attendance = formset.attendance()
        form.instance.logged_by = request.user
        if meeting := saved_unless_changed_meanwhile(form, save=lambda: meeting_log_create(meeting=form.instance, attendance=attendance)):
            messages.success(request, f"Logged “{meeting.title}” with {count_text(len(attendance), 'attendee')}; the scores are being updated.")
            _warn_about(request, meeting)
            return redirect("meeting_list")
    status = 400 if request.method == "POST" and not more_rows else 200
    not_read = ([f"No meeting '{asked_like}' to start from ('like' in the address): the form starts empty."] if asked_like and not like else []
                ) + [f"No entity '{ext}' to list as an attendee ('attendee' in the address)." for ext in unknown_attendees
                     ] + prefill_problems(request, form, also_read={"like", "rows", "attendee"})
    return render(request, "engagement/meeting_new.html", {"form": form, "formset": formset, "like": like, "not_read": not_read}, status=status)


# the no-JavaScript button that sends the meeting form for more attendance rows (meeting_new.html)
MORE_ROWS = "more_rows"


def _more_rows_asked(request) -> bool:
    return request.method == "POST" and MORE_ROWS in request.POST


def _shown_again_with_more_rows(request, form, formset, **form_kwargs):
    """The meeting form sent by "Show six more rows" (a browser without JavaScript, where "Add an
    attendee" cannot add rows): shown again as typed, not saved and not yet checked (no errors for
    what is still to be filled in), with six more empty attendance rows. A link to more rows lost
    whatever had been typed. What a correction was shown as (its `shown_as`) is sent back as sent."""
    rows = [typed_values(row) for row in formset.forms][:ATTENDANCE_MAX]
    shown = MeetingForm(initial=typed_values(form), **form_kwargs)
    more = attendance_formset(rows=len(rows) + ATTENDANCE_MORE_ROWS, listed=len(rows))(prefix="attendance", adder=request.user, initial=rows)
    return shown, more


def _attendees_asked(external_ids: list[str], already: list[dict]) -> tuple[list[dict], list[str]]:
    """The attendance rows of the entities asked for by id (each once, not those `already` listed),
    and the ids that name none."""
    listed = {row["entity"] for row in already}
    typed = (ext.strip() for ext in external_ids)
    wanted = list(dict.fromkeys(ext for ext in typed if ext and ext not in listed))[:ATTENDANCE_MAX]
    found = set(Entity.objects.filter(external_id__in=wanted).values_list("external_id", flat=True))
    return ([{"entity": ext, "role": AttendanceRole.ATTENDEE} for ext in wanted if ext in found],
            [ext for ext in wanted if ext not in found])


# what a meeting logged "like" another takes from it
LIKE_FIELDS = ("type", "title", "location", "neighborhood")


def _meeting_like(pk: str) -> Meeting | None:
    return Meeting.objects.filter(pk=number).first() if (number := row_id(pk)) is not None else None


def stored_attendance(meeting: Meeting) -> list[dict]:
    """A meeting's attendance as the formset's initial rows (by name, each by its id)."""
    return [{"entity": a.entity.external_id, "role": a.role} for a in meeting.attendance.select_related("entity").order_by("entity__name")]


def _warn_about(request, meeting: Meeting) -> None:
    for warning in logging_warnings(meeting, timezone.localdate()):
        messages.warning(request, warning)


def _theirs_to_change(queryset, pk: int, user, may_change, refusal: str):
    """The record `pk`, or 404; refused with `refusal` unless `may_change(user, record)` (a board
    member's own meetings and surveys, or any for analysts: engagement.permissions)."""
    record = get_object_or_404(queryset, pk=pk)
    if not may_change(user, record):
        raise PermissionDenied(refusal)
    return record


@role_required(can_log_meetings, "Only board members, analysts and administrators correct meetings.")
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    """Correct a logged meeting: its details and who attended (the same form as logging one)."""
    meeting = _theirs_to_change(Meeting, pk, request.user, can_correct_meeting, CORRECTION_REFUSED)
    form = MeetingForm(request.POST or None, instance=meeting)
    stored = stored_attendance(meeting)
    formset_class = attendance_formset(rows=request.GET.get("rows"), listed=len(stored))
    formset = formset_class(request.POST or None, prefix="attendance", initial=stored, adder=request.user)
    more_rows = _more_rows_asked(request)
    if more_rows:
        form, formset = _shown_again_with_more_rows(request, form, formset, instance=meeting)
    elif request.method == "POST" and form.is_valid() and formset.is_valid() and saved_unless_changed_meanwhile(
            form, save=lambda: meeting_log_update(meeting=form.instance, attendance=formset.attendance())):
        messages.success(request, f"Saved the corrections to “{meeting.title}”; the scores are being updated.")
        _warn_about(request, meeting)
        return redirect("meeting_detail", pk=meeting.pk)
    status = 400 if request.method == "POST" and not more_rows else 200
    if request.method == "POST":
        titled_as_saved(meeting)
    return render(request, "engagement/meeting_new.html", {"form": form, "formset": formset, "meeting": meeting}, status=status)


@role_required(can_log_meetings, "Only board members, analysts and administrators delete meetings.")
@require_POST
def meeting_delete(request, pk: int):
    """Delete a meeting logged by mistake (who may correct it may delete it), once confirmed."""
    meeting = _theirs_to_change(Meeting, pk, request.user, can_correct_meeting, DELETION_REFUSED)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Not deleted: tick the box to confirm that this meeting should go.")
        return redirect("meeting_edit", pk=pk)
    try:
        meeting_log_delete(meeting=meeting)
    except EngagementError as exc:
        messages.error(request, str(exc))
        return redirect("meeting_edit", pk=pk)
    messages.success(request, f"Deleted “{meeting.title}” of {meeting.date}; the scores are being updated.")
    return redirect("meeting_list")


@role_required(can_review_flags, "Only analysts and administrators check the people added at meetings.")
@require_POST
def newcomer_checked(request, entity_id: int):
    """An analyst checked a person added while a meeting was logged: off the Sources page's list."""
    newcomer = get_object_or_404(MeetingNewcomer.objects.select_related("entity"), pk=entity_id)
    if newcomer.checked_at is None:
        newcomer.checked_by, newcomer.checked_at = request.user, timezone.now()
        newcomer.save(update_fields=["checked_by", "checked_at"])
    messages.success(request, f"Checked {newcomer.entity.name}.")
    return redirect(f"{reverse('sources')}#meeting-newcomers")


def entity_search(request):
    """Search-as-you-type for the attendance fields (an htmx partial of <option>s)."""
    query = request.GET.get("q", "").strip()
    matching = holds("name", query) | Q(external_id__istartswith=query)
    entities = list(Entity.objects.filter(matching).order_by("name", "external_id")[:15]) if len(query) >= 2 else []
    for entity in entities:
        # a browser shows only the suggestions whose label holds what was typed, accents and all:
        # "Bentón" found for "benton" is labelled with "Benton" too, or it would be hidden
        entity.unaccented_name = plain if (plain := without_accents(entity.name)) != entity.name else ""
    return render(request, "engagement/partials/entity_options.html", {"entities": entities})


# --- Meeting page and anonymous feedback ------------------------------------------------------

def meeting_detail(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.select_related("logged_by"), pk=pk)
    surveys = list(meeting.surveys.annotate(answers=Count("responses"), average_trust=Avg("responses__trust")))
    for survey in surveys:
        survey.closable = not survey.closed and can_close_survey(request.user, survey)
    answers = FeedbackResponse.objects.filter(survey__meeting=meeting)
    heard = dict(answers.values_list("felt_heard").annotate(n=Count("id")).order_by())
    return render(request, "engagement/meeting_detail.html", {
        "meeting": meeting,
        "can_correct": can_correct_meeting(request.user, meeting),
        "attendance": meeting.attendance.select_related("entity").order_by("entity__name"),
        "represented": organisations_represented(meeting),
        "as_evidence": meeting_weight_now(meeting),
        "surveys": surveys,
        "public": is_public_meeting_type(meeting.type),
        "results": {
            "answers": answers.count(),
            "average_trust": answers.aggregate(a=Avg("trust"))["a"],
            "heard": [(label, heard.get(value, 0)) for value, label in FeedbackResponse.Heard.choices],
        },
        # free text is for staff roles only: every role can see it, a respondent never does
        "trail": audit_trail(request.user, objects={"engagement.meeting": [meeting.external_id]},
                             contexts={"engagement.attendance": [meeting.external_id]}),
        "comments": answers.exclude(comment="").order_by("submitted_on", "comment").values_list("submitted_on", "comment")
        if can_view(request.user) else [],
    })


@role_required(can_log_meetings, "Only board members, analysts and administrators create survey links.")
@require_POST
def survey_create(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    try:
        survey = feedback_survey_create(meeting=meeting, user=request.user)
        link = request.build_absolute_uri(reverse("survey_answer", args=[survey.token]))
        messages.success(request, f"Survey link created: {link}")
    except EngagementError as exc:
        messages.error(request, str(exc))
    return redirect("meeting_detail", pk=pk)


@role_required(can_log_meetings, "Only board members, analysts and administrators close surveys.")
@require_POST
def survey_close(request, pk: int):
    survey = _theirs_to_change(FeedbackSurvey, pk, request.user, can_close_survey, CLOSE_REFUSED)
    survey.closed = True
    survey.save(update_fields=["closed"])
    messages.success(request, "The survey is closed; it takes no more answers.")
    return redirect("meeting_detail", pk=survey.meeting_id)


ANSWERED_SESSION_KEY = "answered_surveys"


@login_not_required
@ratelimit(key="ip", rate=lambda group, request: settings.SURVEY_ANSWER_RATE, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def survey_answer(request, token: str):
    """The public survey: no sign-in. One answer per browser session; the session remembers which
    surveys it answered, never the answer, and the answer remembers nothing of the session."""
    if getattr(request, "limited", False):
        return rate_limited(request)
    survey = get_object_or_404(FeedbackSurvey.objects.select_related("meeting"), token=token)
    context = {"survey": survey, "meeting": survey.meeting}
    if survey.closed:
        return render(request, "engagement/survey_closed.html", context, status=410)
    answered = request.session.get(ANSWERED_SESSION_KEY, [])
    if survey.pk in answered:
        return render(request, "engagement/survey_thanks.html", {**context, "already": True})
    form = FeedbackAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_answer_create(survey=survey, on=timezone.localdate(), **form.cleaned_data)
        except EngagementError:  # closed, or gone with its meeting, since the page was sent
            return render(request, "engagement/survey_closed.html", context, status=410)
        request.session[ANSWERED_SESSION_KEY] = [*answered, survey.pk]
        return render(request, "engagement/survey_thanks.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "engagement/survey_answer.html", {**context, "form": form}, status=status)


def rate_limited(request):
    return render(request, "engagement/rate_limited.html", status=429)


# --- Coverage and trust trends ----------------------------------------------------------------

# the coverage and trust pages' form: a query parameter it does not read is said beside it
CoveragePeriodPageForm = naming_unread(CoveragePeriodForm)


def _period_filter(request) -> tuple[CoveragePeriodForm, date, date, str]:
    today = timezone.localdate()
    form = CoveragePeriodPageForm(request.GET or None, jurisdictions=jurisdictions(), today=today)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["jurisdiction"]
    return form, default_period_start(today), today, ""


def coverage(request):
    form, start, end, jurisdiction = _period_filter(request)
    if form.is_bound and not form.is_valid():
        return render(request, "engagement/coverage.html", {"form": form}, status=400)
    # meetings outside the period count only for the neighbourhoods and their last engagement
    facts = meeting_facts(jurisdiction=jurisdiction, agencies_between=(start, end))
    names = agency_names({a for f in facts for a in f.agencies})
    if request.GET.get("export") == "csv":
        return csv_download(
            "coverage.csv",
            ["scope", "name", "external_id", "month", "meeting_type", "meetings"],
            coverage_csv_rows(facts, start=start, end=end, agency_names=names),
        )
    report = coverage_report(facts, start=start, end=end, agency_names=names)
    chart = {"months": report.months,
             "series": [{"label": MeetingType(t).label, "data": report.monthly[t.value]} for t in ENGAGEMENT_TYPES]}
    return render(request, "engagement/coverage.html", {
        "form": form, "report": report, "chart": chart, "types": [(t.value, t.label) for t in ENGAGEMENT_TYPES],
        "quiet_days": QUIET_DAYS, "query": request.GET.urlencode(),
    })


TRUST_CHART_SERIES = 8
REGISTER_PAGE_SIZE = 100
RECUSAL_BODIES_PER_PAGE = 50


def trust_trend(request):
    form, start, end, jurisdiction = _period_filter(request)
    if form.is_bound and not form.is_valid():
        return render(request, "engagement/trust.html", {"form": form}, status=400)
    answers = answer_facts(jurisdiction=jurisdiction, start=start, end=end)
    names = agency_names({a for f in answers for a in f.agencies})
    months, by_hood, by_agency = trust_trends(answers, agency_names=names)
    # the chart: the neighbourhoods with most answers (a line each; months without answers are gaps)
    chart = {"months": months, "series": [
        {"label": s.name, "data": [round(cell[0], 2) if cell else None for cell in s.cells]} for s in by_hood[:TRUST_CHART_SERIES]
    ]}
    return render(request, "engagement/trust.html", {
        "form": form, "months": months, "by_hood": by_hood, "by_agency": by_agency, "answers": len(answers), "chart": chart,
    })


# --- Conflict reports -------------------------------------------------------------------------

def report_list(request):
    """Analysts see the review queue; everyone else sees the reports they made."""
    reports = ConflictReport.objects.select_related("source", "target", "reported_by", "relationship")
    queue = can_review_flags(request.user)
    if not queue:
        reports = reports.filter(reported_by=request.user)
    status = request.GET.get("status", ConflictReport.Status.PENDING if queue else "")
    not_read = unread_query_parameters(request.GET, {"status"})
    if status in ConflictReport.Status.values:
        reports = reports.filter(status=status)
    elif status:
        not_read.insert(0, f"'{status}' is not a report's status ({', '.join(label.lower() for label in ConflictReport.Status.labels)}).")
    if not_read:  # as the list pages: nothing listed beside what could not be read, not every report
        reports = reports.none()
    return render(request, "engagement/report_list.html", {
        "reports": reports[:500], "queue": queue, "status": status, "statuses": ConflictReport.Status.choices, "not_read": not_read,
    })


@require_http_methods(["GET", "POST"])
def report_new(request):
    form = ConflictReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.reported_by = request.user
        if report := saved_unless_changed_meanwhile(form):
            messages.success(request, f"Thank you. Report #{report.pk} is waiting for an analyst's review; "
                                      "nothing enters the evidence before that.")
            return redirect("report_detail", pk=report.pk)
    status = 400 if request.method == "POST" else 200
    # those who may add entities are offered to, in a new tab, as on the relationship form
    ends_to_add = ends_not_found(form, ConflictReportForm.ENDS) if can_record_facts(request.user) else []
    return render(request, "engagement/report_new.html", {"form": form, "ends_to_add": ends_to_add}, status=status)


def _visible_report(request, pk: int) -> ConflictReport:
    report = get_object_or_404(ConflictReport.objects.select_related("source", "target", "reported_by", "decided_by"), pk=pk)
    if not can_review_flags(request.user) and report.reported_by_id != request.user.pk:
        raise PermissionDenied("Only analysts and the person who reported it see a report.")
    return report


def report_detail(request, pk: int):
    return _report_page(request, _visible_report(request, pk))


def _report_page(request, report: ConflictReport, form: ReportDecisionForm | None = None, status: int = 200):
    """A report's page; `form`: a refused decision, shown with its errors beside the fields."""
    return render(request, "engagement/report_detail.html", {
        "report": report,
        "trail": audit_trail(request.user, objects={"engagement.conflictreport": [str(report.pk)]}),
        "form": form or ReportDecisionForm(report=report), "can_decide": can_review_flags(request.user),
        # an end named by the reporter, not in the tracker yet, offered to add in a new tab before accepting
        "ends_to_add": report.ends_to_add() if report.status == ConflictReport.Status.PENDING and can_record_facts(request.user) else [],
    }, status=status)


@role_required(can_review_flags, "Only analysts and administrators accept or reject reports.")
@require_POST
def report_decide(request, pk: int):
    report = _visible_report(request, pk)
    form = ReportDecisionForm(request.POST, report=report)
    if not form.is_valid():
        # the page again, the analyst's text kept and each field's problem beside it
        return _report_page(request, report, form, status=400)
    try:
        if form.cleaned_data["decision"] == "accept":
            relationship = conflict_report_accept(report=report, user=request.user, reason=form.cleaned_data["reason"], ends=form.ends())
            messages.success(request, f"Accepted: relationship {relationship.external_id} is now evidence; the scores are being updated.")
        else:
            conflict_report_reject(report=report, user=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, "Rejected; the report stays on record with your reason.")
    except EngagementError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "The report cannot become a relationship: " + "; ".join(exc.messages))
    return redirect("report_detail", pk=pk)


# --- Recusal guidance -------------------------------------------------------------------------

def recusal_guidance(request):
    recusals = recusals_for_flags(open_flag_facts())
    if request.GET.get("export") == "csv":
        return csv_download(
            "recusals.csv",
            ["body", "body_external_id", "who", "who_external_id", "duty", "counterpart", "counterpart_external_id",
             "flag_ids", "rules", "guidance"],
            ([r.body.name, r.body.external_id, r.who.name, r.who.external_id, r.duty, r.counterpart.name,
              r.counterpart.external_id, ";".join(str(f.flag_id) for f in r.flags), ";".join(f.rule for f in r.flags), r.sentence]
             for r in recusals),
        )
    body = request.GET.get("body", "").strip()
    body_entity = Entity.objects.filter(external_id=body).first() if body else None
    if body:  # one overseeing body or official (its entity page links here)
        recusals = [r for r in recusals if r.body.external_id == body]
    groups: dict[int, dict] = {}
    for recusal in recusals:
        groups.setdefault(recusal.body.id, {"body": recusal.body, "recusals": []})["recusals"].append(recusal)
    # a page of bodies: thousands of open flags made one page of megabytes
    page = Paginator(list(groups.values()), RECUSAL_BODIES_PER_PAGE).get_page(request.GET.get("page"))
    not_read = unread_query_parameters(request.GET, {"body", "page", "export"})
    if body and body_entity is None:
        not_read.insert(0, f"No entity has the id '{body}'.")
    return render(request, "engagement/recusals.html", {
        "groups": page, "total": len(recusals), "body": body, "body_entity": body_entity, "body_query": urlencode({"body": body}) if body else "",
        "not_read": not_read,
    })


# --- Public disclosure register ----------------------------------------------------------------

@login_not_required
def disclosure_register(request):
    """Read-only and public when an administrator turned it on; otherwise only users with a role see it."""
    site = EngagementSettings.load()
    if not site.disclosure_register_public and not can_view(request.user):
        raise Http404("The disclosure register is not public.")
    disclosures = Disclosure.objects.select_related(
        "discloser", "relationship__source", "relationship__target"
    ).order_by("-disclosed_on", "external_id")
    flags = Flag.objects.filter(holds=True, disclosed=True).select_related("subject", "counterpart").order_by("rule", "subject__name")
    page = Paginator(disclosures, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "engagement/register.html", {
        "public": site.disclosure_register_public, "not_read": unread_query_parameters(request.GET, {"page"}),
        "disclosures": page,
        "flags": flags,
        "can_toggle": can_edit_data(request.user),
    })


@role_required(can_edit_data, "Only administrators publish or withdraw the register.")
@require_POST
def disclosure_register_toggle(request):
    site = EngagementSettings.load()
    site.disclosure_register_public = request.POST.get("public") == "1"
    site.save()
    messages.success(request, "The register is now public." if site.disclosure_register_public else "The register is no longer public.")
    return redirect("disclosure_register")
