import django_filters
from django import forms
from django.db.models import Q

from core.filters import UnreadParametersNamed, YesOrNoFilter
from core.search import holds
from entities.kinds import Kind
from entities.models import Entity

from .models import PairScore
from .selectors import BAND_TENTHS, across_bodies, pairs_involving
from .services import current_snapshot


class PairFilter(UnreadParametersNamed, django_filters.FilterSet):
    band = django_filters.ChoiceFilter(choices=[(b, b) for b in BAND_TENTHS], method="in_band", label="Band")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, method="with_kind", label="Either side is a")
    min_score = django_filters.NumberFilter(method="at_least", label="Minimum score", min_value=0, max_value=10)
    entity = django_filters.CharFilter(method="involving", label="Entity (id or name)")
    across = YesOrNoFilter(method="between_bodies", widget=forms.CheckboxInput,
                           label="Leave out a person with their own body (one they lead, sit on or work for) and a unit with its body")

    class Meta:
        model = PairScore
        fields = ["band", "kind", "min_score", "entity", "across"]

    def in_band(self, queryset, name, value):
        low, high = BAND_TENTHS[value]
        return queryset.filter(score_tenths__gte=low, score_tenths__lte=high)

    def with_kind(self, queryset, name, value):
        return pairs_involving(queryset, Entity.objects.filter(kind=value))

    def at_least(self, queryset, name, value):
        return queryset.filter(score_tenths__gte=round(float(value) * 10))

    def involving(self, queryset, name, value):
        return pairs_involving(queryset, Entity.objects.filter(Q(external_id=value) | holds("name", value)))

    def between_bodies(self, queryset, name, value):
        snapshot = current_snapshot()
        return across_bodies(queryset, snapshot.as_of) if value and snapshot else queryset
