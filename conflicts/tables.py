import django_tables2 as tables
from django.urls import reverse

from core.tables import PagedTable

from .models import Flag


class FlagTable(PagedTable):
    rule = tables.Column(linkify=lambda record: reverse("flag_detail", args=[record.pk]))
    subject = tables.Column(linkify=lambda record: reverse("entity_detail", args=[record.subject.external_id]))
    counterpart = tables.Column(linkify=lambda record: reverse("entity_detail", args=[record.counterpart.external_id]))
    # by rank, not alphabetically (conflicts.selectors.in_review_order annotates both)
    severity = tables.Column(order_by=("severity_rank",))
    status = tables.Column(order_by=("status_rank",))

    class Meta:
        model = Flag
        fields = ("rule", "severity", "status", "subject", "counterpart", "disclosed", "explanation")
        attrs = {"class": "table"}

    def render_status(self, record):
        # a flag whose situation ended is listed only on request (the filter's tick box)
        if record.holds:
            return record.get_status_display()
        ended = f" {record.lapsed_on}" if record.lapsed_on else ""
        return f"{record.get_status_display()} (situation ended{ended})"
