import django_filters
from django import forms

from .models import Flag
from .rules import RULE_TEXTS, RULES, SEVERITIES


class FlagFilter(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(choices=[(r, f"{r} ({RULE_TEXTS[r].label})") for r in RULES])
    severity = django_filters.ChoiceFilter(choices=[(s, s) for s in SEVERITIES])
    status = django_filters.ChoiceFilter(choices=Flag.Status.choices)
    # the queue lists the flags that hold; ticked, also those whose situation ended (kept with their history)
    lapsed = django_filters.BooleanFilter(
        method="with_lapsed", label="Also flags whose situation ended", widget=forms.CheckboxInput
    )

    class Meta:
        model = Flag
        fields = ["rule", "severity", "status", "lapsed"]

    @property
    def qs(self):
        flags = super().qs
        return flags if self.form.cleaned_data.get("lapsed") else flags.filter(holds=True)

    def with_lapsed(self, queryset, name, value):
        return queryset  # read by `qs`: without it, only the flags that hold
