import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.tables import PagedTable
from scoring.engine.parameters import band_for_score

from .models import Entity


class EntityTable(PagedTable):
    name = tables.Column(linkify=lambda record: reverse("entity_detail", args=[record.external_id]))
    closest_tenths = tables.Column(verbose_name="Closest score", order_by=("-closest_tenths",))

    class Meta:
        model = Entity
        fields = ("name", "external_id", "kind", "category", "jurisdiction", "closest_tenths")
        attrs = {"class": "table"}

    def render_closest_tenths(self, value):
        score = value / 10
        return format_html('<span class="band-{}">{}</span>', band_for_score(score), f"{score:.1f}")
