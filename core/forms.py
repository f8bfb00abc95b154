"""Forms of the pages that span apps (the Following page)."""
from django import forms


class WeeklySummaryForm(forms.Form):
    """Turning the weekly email on, with the address it goes to (kept on the account)."""

    email = forms.EmailField(label="Email address", max_length=254)
