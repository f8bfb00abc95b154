import django_tables2 as tables
from django.urls import reverse

from core.tables import PagedTable

from .models import Meeting


class MeetingTable(PagedTable):
    title = tables.Column(linkify=lambda record: reverse("meeting_detail", args=[record.pk]))
    attendees = tables.Column(verbose_name="Attendees", orderable=True)

    class Meta:
        model = Meeting
        fields = ("date", "type", "title", "neighborhood", "attendees")
        attrs = {"class": "table table-sm"}
