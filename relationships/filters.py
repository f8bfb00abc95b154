"""The relationships' filters, shared by the relationships page and the API: one rule for "in force
on a day", "has a source" and "involving an entity"."""
import django_filters
from django.db.models import Q

from core.filters import DATE, EITHER_YES_NO, UnreadParametersNamed, YesOrNoFilter, recorded_on_or_after
from core.search import holds
from entities.filters import EntityChoiceFilter
from entities.kinds import Kind
from entities.models import Entity

from .models import Relationship
from .selectors import in_force_on, unsourced
from .types import TYPE_GROUPS, RelationshipType


class BaseRelationshipFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=RelationshipType.choices)
    group = django_filters.ChoiceFilter(choices=[(name, label) for name, (label, _) in TYPE_GROUPS.items()], method="in_group",
                                        label="Kind of fact")
    started_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label="Began on or after", widget=DATE)
    started_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label="Began on or before", widget=DATE)
    in_force_on = django_filters.DateFilter(method="in_force", label="In force on", widget=DATE)
    # "money from police unions to elected officials": what kind of entity each end is
    source_kind = django_filters.ChoiceFilter(field_name="source__kind", choices=Kind.choices, label="From a")
    target_kind = django_filters.ChoiceFilter(field_name="target__kind", choices=Kind.choices, label="To a")
    jurisdiction = django_filters.CharFilter(method="in_jurisdiction", label="Jurisdiction (either end)")
    min_amount = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label="Amount at least")
    # what was added lately, whenever it began: an import's, a colleague's on a page (checking them)
    recorded_since = recorded_on_or_after("Recorded on or after")
    # and what was corrected lately too (an import's updates, a colleague's corrections): a write
    # that changes nothing leaves `updated_at` as it was
    changed_since = recorded_on_or_after("Recorded or corrected on or after", field="updated_at")
    has_source = YesOrNoFilter(method="with_source", label="Has a source URL", widget=EITHER_YES_NO)

    def in_jurisdiction(self, queryset, name, value):
        # the entities first (20,000 folded once), not both ends of every relationship joined and folded
        in_it = Entity.objects.filter(holds("jurisdiction", value)).values("pk")
        return queryset.filter(Q(source__in=in_it) | Q(target__in=in_it))

    def in_group(self, queryset, name, value):
        return queryset.filter(type__in=sorted(TYPE_GROUPS[value][1]))

    def in_force(self, queryset, name, value):
        return in_force_on(queryset, value)

    def with_source(self, queryset, name, value):
        without = unsourced(queryset)
        return queryset.exclude(pk__in=without.values("pk")) if value else without


class RelationshipFilter(BaseRelationshipFilter):
    """The API's: entities by their ids."""

    source = django_filters.CharFilter(field_name="source__external_id")
    target = django_filters.CharFilter(field_name="target__external_id")
    entity = django_filters.CharFilter(method="involving")
    has_source = YesOrNoFilter(method="with_source", label="has a source URL (false: the unsourced, as on /sources/)")

    class Meta:
        model = Relationship
        fields = ["type", "group", "source", "target", "entity", "source_kind", "target_kind", "jurisdiction", "started_after", "started_before", "in_force_on", "min_amount", "recorded_since", "changed_since", "has_source"]

    def involving(self, queryset, name, value):
        return queryset.filter(Q(source__external_id=value) | Q(target__external_id=value))


class RelationshipPageFilter(UnreadParametersNamed, BaseRelationshipFilter):
    """The relationships page's: an entity typed as its id or name, with suggestions."""

    entity = EntityChoiceFilter(method="involving", label="Involving (id or name)", part_of_name=True,
                                not_found="No entity's id or name is or holds '{value}': pick one from the suggestions.")

    class Meta:
        model = Relationship
        fields = ["entity", "group", "type", "source_kind", "target_kind", "jurisdiction", "started_after", "started_before", "in_force_on", "min_amount", "recorded_since", "changed_since", "has_source"]

    def involving(self, queryset, name, value):
        return queryset.filter(Q(source=value) | Q(target=value))
