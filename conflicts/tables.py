import django_tables2 as tables
from django.urls import reverse

from core.tables import PagedTable

from .models import Flag


class FlagTable(PagedTable):
    rule = tables.Column(linkify=lambda record: reverse("flag_detail", args=[record.pk]))
    subject = tables.Column(linkify=lambda record: reverse("entity_detail", args=[record.subject.external_id]))
    counterpart = tables.Column(linkify=lambda record: reverse("entity_detail", args=[record.counterpart.external_id]))

    class Meta:
        model = Flag
        fields = ("rule", "severity", "status", "subject", "counterpart", "disclosed", "explanation")
        attrs = {"class": "table"}
