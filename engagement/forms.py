import uuid

from django import forms
from django.forms import formset_factory

from entities.models import Entity

from .models import Meeting
from .types import AttendanceRole


class MeetingForm(forms.ModelForm):
    """A meeting logged by a board member; the contract's rules run through Meeting.clean()."""

    class Meta:
        model = Meeting
        fields = ["type", "date", "title", "location", "neighborhood", "summary"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.external_id:
            self.instance.external_id = f"m-web-{uuid.uuid4().hex[:12]}"


class AttendanceForm(forms.Form):
    entity = forms.CharField(
        label="Entity (id or name)",
        max_length=300,
        widget=forms.TextInput(attrs={"list": "entity-options", "autocomplete": "off", "class": "entity-search"}),
    )
    role = forms.ChoiceField(choices=AttendanceRole.choices, initial=AttendanceRole.ATTENDEE)

    def clean_entity(self):
        value = self.cleaned_data["entity"].strip()
        entity = Entity.objects.filter(external_id=value).first() or Entity.objects.filter(name__iexact=value).first()
        if entity is None:
            raise forms.ValidationError(f"No entity '{value}': pick one from the suggestions.")
        return entity


class BaseAttendanceFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            entity = form.cleaned_data.get("entity")
            if entity is None:
                continue
            if entity.pk in seen:
                raise forms.ValidationError(f"{entity.name} is listed twice.")
            seen.add(entity.pk)
        if not seen:
            raise forms.ValidationError("List at least one attendee.")


AttendanceFormSet = formset_factory(AttendanceForm, formset=BaseAttendanceFormSet, extra=6, max_num=200)
