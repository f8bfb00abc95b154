"""Forms of the pages that span apps (the Following page), and how a correction form is saved."""
from django import forms
from django.contrib import messages


class WeeklySummaryForm(forms.Form):
    """Turning the weekly email on, with the address it goes to (kept on the account)."""

    email = forms.EmailField(label="Email address", max_length=254)


def correction_saved(request, form: forms.ModelForm, saved: str) -> None:
    """Save a valid correction form, saying `saved`; one that changed nothing writes nothing (no
    change in the audit trail, no recompute) and says so."""
    if form.has_changed():
        form.save()
        messages.success(request, saved)
    else:
        messages.info(request, "Nothing changed.")
