"""Forms of the pages that span apps (the Following page), the fields the apps' forms share, and
how a correction form is saved and a record deleted from its page."""
import json
import re
from collections.abc import Callable
from textwrap import shorten
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import ProtectedError

from core.integrity import CHANGED, ChangedMeanwhile, Refusal, referred_to_by, written_unless_changed_meanwhile
from core.validation import may_be_thousands, name_meant, parse_decimal

T = TypeVar("T")


class WrittenNumberField(forms.DecimalField):
    """A number as people write it, "7.5" or "2,500" (commas between groups of three digits), read by
    the import's rule (`parse_decimal`), each refusal saying how to write it: "7,5" is told to use a
    point. A browser's number field refused the commas and said nothing of why."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    # whether a point may be read as separating thousands ("1.500"): in an amount, not in a rating
    points_may_separate_thousands = False

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if text in self.empty_values:
            return None
        try:
            number = parse_decimal(text, places=self.decimal_places if self.points_may_separate_thousands else None)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None
        if self.points_may_separate_thousands and may_be_thousands(number):
            whole = str(number).replace(".", "")  # as read: "1.500e0" is 1.500 too
            raise ValidationError(f"'{text}' may be {int(whole):,}, with a point between thousands: write {whole} "
                                  f"if so, or {number.normalize():f} if not", code="ambiguous")
        return number


class AmountField(WrittenNumberField):
    """An amount, "2,500" or "1,234.50" as well as 2500. "1.500" is asked again: the import reads it
    as one and a half and notes that it may be fifteen hundred; on a form it can be asked at once."""

    points_may_separate_thousands = True


def titled_as_saved(record) -> None:
    """A refused correction's page titles the record as saved, not as typed in the form (which
    keeps what was typed: the form's instance is the record, changed in memory when checked). One
    deleted meanwhile stays as it was read (the form says it was deleted)."""
    try:
        record.refresh_from_db()
    except record.DoesNotExist:
        pass


class UnchangedSinceShownMixin:
    """A correction that would undo a change someone else saved after the form was shown is refused,
    saying what they changed, where the last to save silently overwrote the other (a lost update:
    two analysts correcting one relationship, or a form kept while its session ended and sent hours
    later). The form carries the record as it was shown (`shown_as`, hidden, JSON). A field someone
    changed since that this form left as shown now shows their value; one both changed keeps what
    was typed, both values named; the form then carries the record as saved now, so a second save
    goes through. A field both set alike is no conflict. `shown_values()` may add what the form
    does not hold (a meeting's attendees): any change to those is named, the form left as typed."""

    SHOWN_AS = "shown_as"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the record's columns as read now, before the form sets what was typed on its instance:
        # saving locks the row and refuses it if they changed since (a save between check and write)
        self.as_read = {f.attname: getattr(self.instance, f.attname) for f in self.instance._meta.concrete_fields
                        if f.name in self.fields} if self.corrects_a_record() and hasattr(self, "instance") else None
        # and what it shows from other rows (a meeting's attendees), compared again under that lock
        self.elsewhere_as_read = self._shown_elsewhere() if self.as_read is not None else None
        if self.corrects_a_record():
            # read when shown or checked, once the form's own __init__ has set its initial values
            self.fields[self.SHOWN_AS] = forms.CharField(widget=forms.HiddenInput, required=False, initial=self.stored_as_text)

    def stored_as_text(self) -> str:
        return json.dumps(self.shown_values(), sort_keys=True)

    def _shown_elsewhere(self) -> dict[str, str]:
        return {name: value for name, value in self.shown_values().items() if name not in self.fields}

    def unchanged_elsewhere_since_read(self) -> bool:
        """Whether what the form shows from other rows is as it was when the form was made."""
        return self.elsewhere_as_read is None or self._shown_elsewhere() == self.elsewhere_as_read

    def corrects_a_record(self) -> bool:
        """Whether the form changes a record stored (a ModelForm's instance saved before)."""
        return bool(self.instance.pk)

    def stored_now(self) -> dict:
        """The record as stored now, each field's value (a ModelForm's initial values)."""
        return self.initial

    def shown_values(self) -> dict[str, str]:
        """The record as stored now, as text."""
        stored = self.stored_now()
        return {name: "" if stored.get(name) is None else str(stored.get(name))
                for name in self.fields if name != self.SHOWN_AS}

    def clean(self):
        cleaned = super().clean()
        sent = self.data.get(self.add_prefix(self.SHOWN_AS)) if self.corrects_a_record() else None
        try:
            shown = json.loads(sent) if sent else None
        except ValueError:
            shown = None  # not this form's own: nothing to compare with
        if not isinstance(shown, dict):
            return cleaned
        stored = self.shown_values()
        theirs, both, elsewhere = [], [], []
        data = self.data.copy()
        for name in (name for name, now in stored.items() if name in shown and shown[name] != now):
            field = self.fields.get(name)
            if field is None:
                elsewhere.append(name)
            elif self._sent_as_shown(field, shown[name], self[name].data):
                theirs.append(name)  # left as shown: saving it would put back what they changed
                self._send_stored(data, name, field)
            elif field.has_changed(self.stored_now().get(name), self[name].data):
                both.append(name)
        if not (theirs or both or elsewhere):
            return cleaned
        data[self.add_prefix(self.SHOWN_AS)] = self.stored_as_text()
        self.data = data  # what was typed stays, with their values where nothing was typed
        said = [f"the form now shows what they saved for {self._listed(theirs, stored)}" if theirs else "",
                f"you both changed {self._listed(both, stored)}: what you typed is still here" if both else "",
                f"they changed {self._listed(elsewhere, stored)}: the form still has what you typed" if elsewhere else ""]
        raise ValidationError(f"Not saved: someone saved a change after you opened this form; {'; '.join(filter(None, said))}. "
                              f"Check the form, then save again.", code="changed_since_shown")

    @staticmethod
    def _sent_as_shown(field, shown: str, sent) -> bool:
        try:
            return not field.has_changed(field.to_python(shown), sent)
        except ValidationError:
            return False

    def _send_stored(self, data, name: str, field) -> None:
        value = self.stored_now().get(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[self.add_prefix(name)] = "on"
            else:
                data.pop(self.add_prefix(name), None)
        else:
            data[self.add_prefix(name)] = "" if value is None else str(value)

    def _listed(self, names: list[str], stored: dict[str, str]) -> str:
        return ", ".join(f"{self._named(name)} ({shorten(stored[name], 60, placeholder='…') or 'empty'} now)" for name in names)

    def _named(self, name: str) -> str:
        """A field as its label reads, without what the label explains in brackets: "from", "amount"."""
        field = self.fields.get(name)
        label = re.sub(r"\s*\(.*?\)", "", str(field.label)) if field is not None and field.label else name.replace("_", " ")
        return label[:1].lower() + label[1:]


class RefusedOnceMixin:
    """For a ModelForm whose model's clean() applies the import's rules: a field the form refused
    already (a number or a date it could not read) is not refused again by those rules for being
    empty: "'$2,500' is not a number" was followed by "is required for funds"."""

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            unrefused = {name: errors for name, errors in error.error_dict.items() if name == NON_FIELD_ERRORS or name not in self._errors}
            if not unrefused:
                return
            error = ValidationError(unrefused)
        super().add_error(field, error)


class WeeklySummaryForm(forms.Form):
    """Turning the weekly email on, with the address it goes to (kept on the account)."""

    email = forms.EmailField(label="Email address", max_length=254)


def typed_values(form: forms.Form) -> dict:
    """A sent form's values as typed, not checked: the initial values that show it again as it was
    sent, without the errors of what is still to be filled in."""
    return {name: form[name].value() for name in form.fields}


def prefill_problems(request, form: forms.Form, filled: tuple[str, ...] = (), also_read=frozenset()) -> list[str]:
    """What a form's page, shown by a GET, says of its address when that fills the form in
    (`?source=…&type=…`, from a link on another page; `filled`: the fields it fills in): a value
    its field would refuse (no entity of that id, a type that is none), named with the field's
    label and the field's own reason, and a parameter it does not read (`?sourse=`), with the one
    meant; a form filled in otherwise said nothing of either until it was sent. A form sent is
    judged by what was sent alone: nothing."""
    if request.method != "GET":
        return []
    # imported here: core.filters brings DRF's fields, which every process (the recompute command, a
    # worker) would otherwise load at start, through the admin's forms (80 ms)
    from core.filters import unread_query_parameters

    query = request.GET
    problems = []
    for name in filled:
        value = query.get(name, "")
        if not value:
            continue
        try:
            form.fields[name].clean(value)
        except ValidationError as refused:
            choices = {str(choice) for choice, _ in getattr(form.fields[name], "choices", ()) if choice}
            meant = name_meant(value, choices) if choices else ""
            problems.append(f"{form.fields[name].label or name} ('{name}' in the address): " + " ".join(refused.messages)
                            + (f" Did you mean '{meant}'?" if meant else ""))
    unread = "This form fills in nothing from '{name}' (in its address)"
    return problems + unread_query_parameters(query, set(filled) | set(also_read), unread=unread)


def written_as_checked(form: forms.ModelForm, write: Callable[[], T]) -> T:
    """`write` a valid form's record (`core.integrity.written_unless_changed_meanwhile`: its row
    locked to the commit), or raise ChangedMeanwhile when someone changed what the form's check of a
    change saved since read (UnchangedSinceShownMixin: its columns, and what it shows from other
    rows, a meeting's attendees) between that check and the lock, which a save by someone else
    takes too."""
    correcting = None if form.instance._state.adding else form.instance

    def written_unless_changed_elsewhere():
        if isinstance(form, UnchangedSinceShownMixin) and not form.unchanged_elsewhere_since_read():
            raise ChangedMeanwhile(Refusal(CHANGED, form._meta.model._meta.db_table))
        return write()

    return written_unless_changed_meanwhile(written_unless_changed_elsewhere, correcting=correcting,
                                            as_checked=getattr(form, "as_read", None))


def saved_unless_changed_meanwhile(form: forms.ModelForm, save: Callable[[], T] | None = None) -> T | None:
    """Save a valid form (`save`, else `form.save`), or refuse it beside the field at fault when a
    change someone else made after the form was checked stands in its way: its id stored meanwhile
    (an import running holds its new rows until it ends), an entity it names deleted or merged into
    another, the record it corrects deleted (`core.integrity`). PostgreSQL's refusal was a server
    error, and a correction of a deleted record stored it again. Returns what was saved, or None
    (nothing written)."""
    try:
        return written_as_checked(form, save or form.save)
    except ChangedMeanwhile as changed:
        for field, message in changed.refusal.errors(form._meta.model, form.fields).items():
            form.add_error(field, message)
        return None


def correction_saved(request, form: forms.ModelForm, saved: str) -> bool:
    """Save a valid correction form, saying `saved`; one that changed nothing writes nothing (no
    change in the audit trail, no recompute) and says so. False when a change made meanwhile refused
    it (the form then says why)."""
    if not form.has_changed():
        messages.info(request, "Nothing changed.")
        return True
    if saved_unless_changed_meanwhile(form) is None:
        return False
    messages.success(request, saved)
    return True


def deleted_once_confirmed(request, record, *, noun: str, refused: str = "") -> bool:
    """Delete `record` if the page's box was ticked ("confirm": "yes") and nothing refuses it
    (`refused`: why not, or ""); otherwise say why not and keep it. Whether it went."""
    if request.POST.get("confirm") != "yes":
        messages.error(request, f"Not deleted: tick the box to confirm that this {noun} should go.")
        return False
    if refused:
        messages.error(request, f"Not deleted: {refused}.")
        return False
    try:
        # in the audit trail (its signal), the scores following where it was evidence
        written_unless_changed_meanwhile(record.delete, correcting=record)
    except ProtectedError as exc:  # a row referring to it stored since `refused` was checked
        messages.error(request, f"Not deleted: {referred_to_by(exc)} recorded meanwhile by someone else refer to it.")
        return False
    except ChangedMeanwhile as changed:  # the same, committed while it was being deleted, or deleted already
        messages.error(request, f"Not deleted: {changed.refusal.why_not_deleted()}.")
        return False
    return True
