from django import forms

from .models import Flag


class FlagTransitionForm(forms.Form):
    required_css_class = "required"
    to_status = forms.ChoiceField(label="New status", choices=Flag.Status.choices)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    # the status the page showed: a change someone made since is not overridden unseen (conflicts/views.py)
    shown_status = forms.ChoiceField(choices=Flag.Status.choices, widget=forms.HiddenInput, required=False)


class BulkFlagTransitionForm(FlagTransitionForm):
    """The queue's change of status for the flags ticked: no status chosen until the reviewer
    picks one (the first, "Open", was chosen by default)."""

    to_status = forms.ChoiceField(label="New status", choices=[("", "Choose a status"), *Flag.Status.choices])
