import django_filters

from .models import Flag
from .rules import RULES, SEVERITIES


class FlagFilter(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(choices=[(r, r) for r in RULES])
    severity = django_filters.ChoiceFilter(choices=[(s, s) for s in SEVERITIES])
    status = django_filters.ChoiceFilter(choices=Flag.Status.choices)

    class Meta:
        model = Flag
        fields = ["rule", "severity", "status"]
