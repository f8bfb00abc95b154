"""Filters the apps' lists share (their pages and the API)."""
import django_filters
from django import forms

DATE = forms.DateInput(attrs={"type": "date"})
# a yes-or-no filter a reader may leave alone
EITHER_YES_NO = forms.Select(choices=[("", "Either"), ("true", "Yes"), ("false", "No")])


def recorded_on_or_after(label: str, *, field: str = "created_at") -> django_filters.DateFilter:
    """The rows stored (or with `field="updated_at"`, stored or changed) on or after a day, whatever
    day they are about: what an import or a colleague added lately, to check it (a fact that began
    in 2011, a meeting held last spring)."""
    return django_filters.DateFilter(field_name=field, lookup_expr="date__gte", label=label, widget=DATE)
