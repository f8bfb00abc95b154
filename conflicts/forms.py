from django import forms

from .models import Flag


class FlagTransitionForm(forms.Form):
    required_css_class = "required"
    to_status = forms.ChoiceField(label="New status", choices=Flag.Status.choices)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
