"""The entity directory's filters, and the filter every list uses to name one entity."""
import django_filters
from django.db.models import Q

from core.filters import TextHoldsFilter, UnreadParametersNamed
from core.search import holds
from scoring.selectors import BAND_TENTHS, entities_in_band

from .forms import EntityField
from .kinds import Category, Kind
from .models import Entity

BAND_CHOICES = [(b, b) for b in BAND_TENTHS]


class EntityChoiceFilter(django_filters.Filter):
    """An entity typed as its id or exact name (or, with `part_of_name`, a part of only one name),
    with suggestions: a reader knows the name, not the id."""

    field_class = EntityField


class BaseEntityFilter(django_filters.FilterSet):
    """The directory's filters, which the API's list takes too."""

    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    band = django_filters.ChoiceFilter(choices=BAND_CHOICES, method="in_band", label="Has a pair in band")

    def search(self, queryset, name, value):
        return queryset.filter(holds("name", value) | Q(external_id__icontains=value) | holds("description", value))

    def in_band(self, queryset, name, value):
        return entities_in_band(queryset, value)


class EntityFilter(UnreadParametersNamed, BaseEntityFilter):
    """The directory's: a jurisdiction by a part of its name."""

    jurisdiction = TextHoldsFilter(label="Jurisdiction contains")

    class Meta:
        model = Entity
        fields = ["q", "kind", "category", "jurisdiction", "band"]


class EntityApiFilter(BaseEntityFilter):
    """The API's: a jurisdiction as written, and `search` (a part of the name), which scripts
    written before it took the directory's filters use."""

    jurisdiction = django_filters.CharFilter()
    search = TextHoldsFilter(field_name="name", label="a part of the name (accents and case aside)")

    class Meta:
        model = Entity
        fields = ["q", "kind", "category", "jurisdiction", "band", "search"]
