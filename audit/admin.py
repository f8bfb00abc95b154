from django.contrib import admin

from core.admin import RecordAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdmin):
    """Read-only: the trail is never edited."""

    list_display = ("at", "actor_label", "via", "action", "object_type", "object_key")
    list_filter = ("action", "object_type", "via")
    search_fields = ("object_key", "context_key", "actor_label")
    date_hierarchy = "at"
