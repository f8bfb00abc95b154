"""What the apps' admin classes share."""
from django.contrib import admin


class RecordAdmin(admin.ModelAdmin):
    """A record the app writes and nobody edits (the audit trail, the settings' changes, the
    imports): listed and shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
