import django_tables2 as tables
from django.urls import reverse

from core.tables import PagedTable, ordered_empty_last

from .models import Meeting


class MeetingTable(PagedTable):
    title = tables.Column(linkify=lambda record: reverse("meeting_detail", args=[record.pk]))
    attendees = tables.Column(verbose_name="Attendees", orderable=True)
    logged_by = tables.Column(verbose_name="Logged by", default="(import)")

    class Meta:
        model = Meeting
        fields = ("date", "type", "title", "neighborhood", "attendees", "logged_by")
        attrs = {"class": "table table-sm"}
        empty_text = "No meeting matches."

    def order_logged_by(self, queryset, is_descending):
        # imported meetings (logged by no one) last both ways
        return ordered_empty_last(queryset, "logged_by__username", is_descending, "-date", "-id")
