import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.tables import PagedTable

from .models import PairScore


class PairTable(PagedTable):
    entity_a = tables.Column(verbose_name="Entity", linkify=lambda record: reverse("entity_detail", args=[record.entity_a.external_id]))
    entity_b = tables.Column(verbose_name="Entity", linkify=lambda record: reverse("entity_detail", args=[record.entity_b.external_id]))
    score_tenths = tables.Column(verbose_name="Score")
    band = tables.Column(empty_values=(), orderable=False)
    formal_tenths = tables.Column(verbose_name="Formal")
    interaction_tenths = tables.Column(verbose_name="Interaction")
    financial_tenths = tables.Column(verbose_name="Financial")
    analyst_tenths = tables.Column(verbose_name="Analyst")
    why = tables.Column(empty_values=(), orderable=False, verbose_name="Evidence")

    class Meta:
        model = PairScore
        fields = ("entity_a", "entity_b", "score_tenths", "band", "formal_tenths", "interaction_tenths", "financial_tenths", "analyst_tenths")
        attrs = {"class": "table"}

    def _tenths(self, value):
        return f"{value / 10:.1f}"

    render_formal_tenths = render_interaction_tenths = render_financial_tenths = render_analyst_tenths = _tenths

    def render_score_tenths(self, record):
        return format_html('<span class="band-{}">{}</span>', record.band, f"{record.score:.1f}")

    def render_band(self, record):
        return record.band

    def render_why(self, record):
        url = reverse("pair_detail", args=[record.entity_a.external_id, record.entity_b.external_id])
        return format_html('<a href="{}">evidence</a>', url)
