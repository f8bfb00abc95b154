import django_tables2 as tables
from django.urls import reverse

from core.tables import PagedTable

from .models import Meeting


class MeetingTable(PagedTable):
    title = tables.Column(linkify=lambda record: reverse("meeting_detail", args=[record.pk]))
    attendees = tables.Column(verbose_name="Attendees", orderable=True)
    logged_by = tables.Column(verbose_name="Logged by", default="(import)", order_by="logged_by__username")

    class Meta:
        model = Meeting
        fields = ("date", "type", "title", "neighborhood", "attendees", "logged_by")
        attrs = {"class": "table table-sm"}
