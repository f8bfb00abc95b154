from datetime import date

from django import forms
from django.forms import formset_factory

from core.forms import AmountField, RefusedOnceMixin, UnchangedSinceShownMixin
from core.roles import can_manage_data_sets
from core.validation import entity_problems, text_problems, web_external_id
from entities.forms import EntityField, already_in_the_tracker, typed_as_a_name
from entities.selectors import entities_typed, persons_named_like
from entities.services import NewPerson

from .models import COMMENT_MAX_LENGTH, ConflictReport, FeedbackResponse, Meeting
from .selectors import newcomers_waiting
from .types import AttendanceRole


class MeetingForm(UnchangedSinceShownMixin, forms.ModelForm):
    """A meeting logged by a board member; the contract's rules run through Meeting.clean()."""

    required_css_class = "required"  # its label marked (static/css/site.css), as on every form that is filled in

    class Meta:
        model = Meeting
        fields = ["type", "date", "title", "location", "neighborhood", "summary", "source_url"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.external_id:
            self.instance.external_id = web_external_id("m")

    def shown_values(self) -> dict[str, str]:
        # who attended is corrected on the same page: a change to it since counts too
        attendees = self.instance.attendance.select_related("entity").order_by("entity__external_id")
        return {**super().shown_values(), "attendees": ", ".join(f"{a.entity.external_id} ({a.role})" for a in attendees)}


class AttendanceForm(forms.Form):
    # a row left empty is skipped (and one emptied when correcting a meeting removes that attendee)
    entity = EntityField(required=False, not_found="No entity '{value}': pick one from the suggestions, or tick “New person” to add them.")
    # someone the tracker does not know yet (a resident at a forum): the name typed is added as a person
    new_person = forms.BooleanField(required=False, label="New person")
    role = forms.ChoiceField(choices=AttendanceRole.choices, initial=AttendanceRole.ATTENDEE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        typed_as_a_name(self, "entity", "new_person")  # a new person's name, not an entity to look up

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("new_person") or "entity" not in cleaned:
            return cleaned
        name = cleaned["entity"]
        problems = entity_problems(name=name, kind="person") + text_problems("name", name)
        known = entities_typed(name) if name else []
        if problems:
            self.add_error("entity", "Type the new person's name." if not name else " ".join(f"The name {p.message}." for p in problems))
        elif known:
            self.add_error("entity", _already_known(known[0]))
        else:
            cleaned["entity"] = NewPerson(name)
        return cleaned


def _already_known(entity) -> str:
    return already_in_the_tracker(entity, "New person") + " to list them, or type a fuller name if this is someone else."


def attendee_key(entity) -> tuple:
    """What makes two rows one attendee: the same entity, or the same new name (case aside)."""
    return ("new", entity.name.casefold()) if isinstance(entity, NewPerson) else ("entity", entity.pk)


# People one account may add ("New person") that no analyst has checked yet: a board member adds
# residents met at forums as they come, and an analyst checks them on the Sources page; past this
# many waiting, adding more waits for those checks (analysts and administrators check their own).
NEWCOMERS_WAITING_LIMIT = 25


class BaseAttendanceFormSet(forms.BaseFormSet):
    def __init__(self, *args, adder=None, **kwargs):
        """`adder`: the account logging the meeting, whose people waiting to be checked count
        against NEWCOMERS_WAITING_LIMIT."""
        super().__init__(*args, **kwargs)
        self.adder = adder

    def attendance(self) -> list[tuple]:
        """(entity or NewPerson, role) of each filled row, once the formset is valid (empty rows are skipped)."""
        return [(form.cleaned_data["entity"], form.cleaned_data["role"]) for form in self.forms if form.cleaned_data.get("entity")]

    def clean(self):
        if any(self.errors):
            return
        # a new name that is a known person's but for accents, punctuation and spacing ("Laura
        # Bentón" for Laura Benton): said on its row, as a name typed exactly is (one read for all rows)
        new_rows = [form for form in self.forms if isinstance(form.cleaned_data.get("entity"), NewPerson)]
        known = persons_named_like([form.cleaned_data["entity"].name for form in new_rows]) if new_rows else {}
        for form in new_rows:
            if form.cleaned_data["entity"].name in known:
                form.add_error("entity", _already_known(known[form.cleaned_data["entity"].name]))
        if any(form.errors for form in new_rows):
            return
        seen = set()
        for entity, _ in self.attendance():
            if attendee_key(entity) in seen:
                raise forms.ValidationError(f"{entity.name} is listed twice.")
            seen.add(attendee_key(entity))
        if not seen:
            raise forms.ValidationError("List at least one attendee.")
        new = sum(1 for kind, _ in seen if kind == "new")
        if new and self.adder is not None and not can_manage_data_sets(self.adder):
            waiting = newcomers_waiting(self.adder)
            if waiting + new > NEWCOMERS_WAITING_LIMIT:
                raise forms.ValidationError(
                    f"{waiting} of the people you added are waiting for an analyst to check them, and at most "
                    f"{NEWCOMERS_WAITING_LIMIT} may wait: ask an analyst to check them (Sources page) before adding "
                    f"{'this one' if new == 1 else f'these {new}'}, or list people already in the tracker.")


ATTENDANCE_ROWS, ATTENDANCE_MAX = 6, 200  # empty rows shown at first; attendees a meeting may list
ATTENDANCE_MORE_ROWS = 6  # what "Show six more rows" adds, without JavaScript (meeting_new.html says six)


def attendance_formset(rows: str | None = None, listed: int = 0):
    """The attendance formset: `listed` rows already filled (correcting a meeting), then empty ones,
    `rows` in all (from `?rows=`, for a page without JavaScript; the "Add an attendee" button adds
    them in the browser otherwise): at least 6 and three empty, at most 200."""
    try:
        wanted = int(rows)
    except (TypeError, ValueError):
        wanted = 0
    total = min(max(wanted, ATTENDANCE_ROWS, listed + 3), ATTENDANCE_MAX)
    return formset_factory(
        AttendanceForm, formset=BaseAttendanceFormSet, extra=max(total - listed, 0), max_num=ATTENDANCE_MAX, validate_max=True
    )


class FeedbackAnswerForm(forms.Form):
    """The three questions of an anonymous survey."""

    trust = forms.TypedChoiceField(
        label="How much do you trust the agency after this meeting?",
        choices=FeedbackResponse.TRUST_CHOICES, coerce=int, widget=forms.RadioSelect,
    )
    felt_heard = forms.ChoiceField(
        label="Did you feel heard?", choices=FeedbackResponse.Heard.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Anything else? (optional; please do not write names or contact details)",
        required=False, max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
    )


REPORTED_END_NOT_FOUND = "No entity '{value}': pick one from the suggestions, or tick “Not in the tracker yet” below it to report them by name."


class ConflictReportForm(RefusedOnceMixin, forms.ModelForm):
    """A tie reported by a signed-in user; the relationship rules of the importer apply (Model.clean).
    An end not in the tracker yet (only analysts add entities) is reported by name, its box ticked:
    the analyst who accepts the report adds it."""

    required_css_class = "required"

    source = EntityField(label="Who (id or name)", not_found=REPORTED_END_NOT_FOUND)
    source_is_new = forms.BooleanField(required=False, label="Not in the tracker yet (the name typed above)")
    target = EntityField(label="With whom (id or name)", not_found=REPORTED_END_NOT_FOUND)
    target_is_new = forms.BooleanField(required=False, label="Not in the tracker yet (the name typed above)")
    source_url = forms.URLField(
        label="Source URL", max_length=1000, assume_scheme="https",
        help_text="Where this can be checked: an article, a filing, a public record.",
    )

    class Meta:
        model = ConflictReport
        fields = ["source", "type", "target", "start_date", "amount", "source_url", "details"]
        field_classes = {"amount": AmountField}  # "2,500" as on the relationship's own form
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "details": forms.Textarea(attrs={"rows": 4}),
        }

    field_order = ["source", "source_is_new", "type", "target", "target_is_new"]
    ENDS = ("source", "target")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for end in self.ENDS:
            typed_as_a_name(self, end, f"{end}_is_new")  # one not in the tracker yet, not an entity to look up

    def clean(self):
        cleaned = super().clean()
        for end in self.ENDS:
            if not cleaned.get(f"{end}_is_new") or not cleaned.get(end):
                continue
            name = cleaned[end]
            known = entities_typed(name)
            if known:
                self.add_error(end, already_in_the_tracker(known[0], "Not in the tracker yet") + ".")
                continue
            # the entity left empty, the name kept, for the analyst to add (checked by the model's clean)
            cleaned[end] = None
            setattr(self.instance, f"{end}_name", name)
        if self.instance.source_name and self.instance.source_name.casefold() == self.instance.target_name.casefold():
            self.add_error("target", f"“{self.instance.target_name}” is also who: a tie joins two.")
        return cleaned


class ReportDecisionForm(forms.Form):
    """Accept or reject a report, with a reason; accepting one that names an end not in the
    tracker yet says which entity that is (added first: the report's page offers to)."""

    required_css_class = "required"
    decision = forms.ChoiceField(choices=[("accept", "Accept as a relationship"), ("reject", "Reject")])
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, report: ConflictReport, **kwargs):
        super().__init__(*args, **kwargs)
        self.named_ends = [end for end in ConflictReportForm.ENDS if getattr(report, f"{end}_id") is None]
        for end in self.named_ends:
            self.fields[f"{end}_entity"] = EntityField(
                label=f"“{getattr(report, f'{end}_name')}” is in the tracker as (id or name)", required=False,
                help_text="Needed to accept: add it first if it is not there yet.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "accept":
            for end in self.named_ends:
                if not cleaned.get(f"{end}_entity") and f"{end}_entity" not in self.errors:
                    self.add_error(f"{end}_entity", "Say which entity this is, to accept the report.")
        return cleaned

    def ends(self) -> dict:
        """The entities given for the ends the report named, once valid."""
        return {end: self.cleaned_data[f"{end}_entity"] for end in self.named_ends if self.cleaned_data.get(f"{end}_entity")}


def default_period_start(today: date) -> date:
    """The first day of the month eleven months ago: twelve calendar months including this one."""
    year, month = (today.year, today.month - 11) if today.month > 11 else (today.year - 1, today.month + 1)
    return date(year, month, 1)


class CoveragePeriodForm(forms.Form):
    jurisdiction = forms.ChoiceField(required=False)
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    MAX_DAYS = 20 * 366

    def __init__(self, *args, jurisdictions: list[str], today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["jurisdiction"].choices = [("", "All jurisdictions")] + [(j, j) for j in jurisdictions]

    def clean(self):
        """Fill in the default period (the last twelve months) for the dates left empty."""
        data = super().clean()
        if "start" in data and data["start"] is None:
            data["start"] = default_period_start(self.today)
        if "end" in data and data["end"] is None:
            data["end"] = self.today
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "must be on or after the start date")
            elif (end - start).days > self.MAX_DAYS:
                self.add_error("start", "the period can be at most 20 years")
        return data
