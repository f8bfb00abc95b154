import django_filters
from django import forms

from entities.models import Follow

from .models import Flag
from .rules import RULE_TEXTS, RULES, SEVERITIES
from .selectors import involving


class FlagFilter(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(choices=[(r, f"{r} ({RULE_TEXTS[r].label})") for r in RULES])
    severity = django_filters.ChoiceFilter(choices=[(s, s) for s in SEVERITIES])
    status = django_filters.ChoiceFilter(choices=Flag.Status.choices)
    # the queue lists the flags that hold; ticked, also those whose situation ended (kept with their history)
    lapsed = django_filters.BooleanFilter(
        method="with_lapsed", label="Also flags whose situation ended", widget=forms.CheckboxInput
    )
    followed = django_filters.BooleanFilter(
        method="on_followed", label="Only on entities I follow", widget=forms.CheckboxInput
    )

    reviewing = django_filters.BooleanFilter(
        method="under_my_review", label="Only those I took under review", widget=forms.CheckboxInput
    )

    class Meta:
        model = Flag
        fields = ["rule", "severity", "status", "lapsed", "followed", "reviewing"]

    @property
    def qs(self):
        flags = super().qs
        return flags if self.form.cleaned_data.get("lapsed") else flags.filter(holds=True)

    def with_lapsed(self, queryset, name, value):
        return queryset  # read by `qs`: without it, only the flags that hold

    def under_my_review(self, queryset, name, value):
        # the queue's query is annotated by with_reviewer
        if not value or self.request is None:
            return queryset
        return queryset.filter(reviewer_id=self.request.user.pk)

    def on_followed(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        followed = Follow.objects.filter(user=self.request.user).values("entity")
        return queryset.filter(involving(followed)).distinct()
