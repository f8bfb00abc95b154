import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.tables import PagedTable, ordered_empty_last
from core.templatetags.formatting import money
from core.templatetags.links import source_link

from .models import Relationship


def _entity_link(entity) -> str:
    return format_html('<a href="{}">{}</a>', reverse("entity_detail", args=[entity.external_id]), entity.name)


class RelationshipTable(PagedTable):
    start_date = tables.Column(verbose_name="From", default="—")
    end_date = tables.Column(verbose_name="To", accessor="end_in_words", order_by=("end_date",))
    fact = tables.Column(verbose_name="Relationship", accessor="type", order_by=("type", "source__name"))
    amount = tables.Column(attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    source_url = tables.Column(verbose_name="Source", orderable=False, empty_values=())  # "no source" said, not a dash
    external_id = tables.Column(verbose_name="Id", linkify=lambda record: reverse("relationship_detail", args=[record.external_id]))

    class Meta:
        model = Relationship
        fields = ("start_date", "end_date", "fact", "amount", "source_url", "external_id")
        attrs = {"class": "table table-sm"}
        empty_text = "No relationship matches."

    def render_fact(self, record):
        return format_html("{} {} {}", _entity_link(record.source), record.get_type_display(), _entity_link(record.target))

    def render_amount(self, value):
        return money(value)

    def render_source_url(self, value):
        return source_link(value)

    def order_start_date(self, queryset, is_descending):
        return ordered_empty_last(queryset, "start_date", is_descending, "external_id")

    def order_amount(self, queryset, is_descending):
        return ordered_empty_last(queryset, "amount", is_descending, "external_id")
