import django_filters
from django import forms

from core.filters import UnreadParametersNamed, YesOrNoFilter
from entities.models import Follow

from .models import Flag
from .rules import RULE_TEXTS, RULES, SEVERITIES
from .selectors import involving, with_reviewer


class BaseFlagFilter(django_filters.FilterSet):
    """The review queue's filters, which the API's list takes too."""

    rule = django_filters.ChoiceFilter(choices=[(r, f"{r} ({RULE_TEXTS[r].label})") for r in RULES])
    severity = django_filters.ChoiceFilter(choices=[(s, s) for s in SEVERITIES])
    status = django_filters.ChoiceFilter(choices=Flag.Status.choices)
    followed = YesOrNoFilter(
        method="on_followed", label="Only on entities I follow", widget=forms.CheckboxInput
    )

    def on_followed(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        followed = Follow.objects.filter(user=self.request.user).values("entity")
        return queryset.filter(involving(followed)).distinct()

    def under_my_review(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        if "reviewer_id" not in queryset.query.annotations:  # the queue's query has it already
            queryset = with_reviewer(queryset)
        return queryset.filter(reviewer_id=self.request.user.pk)


class FlagFilter(UnreadParametersNamed, BaseFlagFilter):
    """The review queue's: the flags that hold, unless asked for those that lapsed too."""

    # the queue lists the flags that hold; ticked, also those whose situation ended (kept with their history)
    lapsed = YesOrNoFilter(
        method="with_lapsed", label="Also flags whose situation ended", widget=forms.CheckboxInput
    )
    reviewing = YesOrNoFilter(
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


class FlagApiFilter(BaseFlagFilter):
    """The API's: every flag, those that lapsed too (`holds`), and its two sides by id; `followed`
    and `reviewing` read as booleans (true or false, 1 or 0), not as boxes ticked."""

    followed = YesOrNoFilter(method="on_followed", label="only those on entities the account follows")
    reviewing = YesOrNoFilter(method="under_my_review", label="only those the account took under review")
    subject = django_filters.CharFilter(field_name="subject__external_id")
    counterpart = django_filters.CharFilter(field_name="counterpart__external_id")
    holds = YesOrNoFilter(label="whether the flag's situation still holds (false: those that lapsed)")

    class Meta:
        model = Flag
        fields = ["rule", "severity", "status", "followed", "reviewing", "subject", "counterpart", "holds"]
