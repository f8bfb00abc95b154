import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.tables import PagedTable, ordered_empty_last
from scoring.engine.parameters import band_for_score

from .models import Entity


class EntityTable(PagedTable):
    name = tables.Column(linkify=lambda record: reverse("entity_detail", args=[record.external_id]))
    closest_tenths = tables.Column(verbose_name="Closest score")

    class Meta:
        model = Entity
        fields = ("name", "external_id", "kind", "category", "jurisdiction", "closest_tenths")
        attrs = {"class": "table"}

    def order_closest_tenths(self, queryset, is_descending):
        # the closest first on the first click; entities with no listed pair last both ways
        return ordered_empty_last(queryset, "closest_tenths", not is_descending, "name")

    def render_closest_tenths(self, value):
        score = value / 10
        return format_html('<span class="band-{}">{}</span>', band_for_score(score), f"{score:.1f}")
