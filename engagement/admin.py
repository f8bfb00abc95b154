from django.contrib import admin, messages
from django.utils import timezone

from core.admin import RecordAdmin, RefusedMeanwhileAdmin

from .models import Attendance, ConflictReport, EngagementSettings, FeedbackSurvey, Meeting, MeetingNewcomer
from .selectors import logging_warnings


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 1
    autocomplete_fields = ("entity",)  # found by typing a name (EntityAdmin's search)


@admin.register(Meeting)
class MeetingAdmin(RefusedMeanwhileAdmin):
    list_display = ("external_id", "date", "type", "title", "neighborhood", "logged_by")
    list_filter = ("type", "neighborhood")
    list_select_related = ("logged_by",)
    search_fields = ("external_id", "title", "location", "neighborhood", "summary")
    folded_search_fields = ("title", "neighborhood")
    date_hierarchy = "date"
    readonly_fields = ("logged_by",)  # set when logged on the site or the API, never edited
    inlines = [AttendanceInline]

    def save_related(self, request, form, formsets, change):
        """Saved as given, with the warnings the meeting page gives (a date after today, the same
        meeting logged twice), once its attendance is saved too."""
        super().save_related(request, form, formsets, change)
        for warning in logging_warnings(form.instance, timezone.localdate()):
            messages.warning(request, f"Saved, but worth a look: {warning}")


@admin.register(Attendance)
class AttendanceAdmin(RefusedMeanwhileAdmin):
    list_display = ("meeting", "entity", "role")
    list_filter = ("role", "meeting__type")
    search_fields = ("meeting__external_id", "meeting__title", "entity__name", "entity__external_id")
    autocomplete_fields = ("meeting", "entity")


@admin.register(FeedbackSurvey)
class FeedbackSurveyAdmin(admin.ModelAdmin):
    list_display = ("meeting", "created_at", "closed")
    list_filter = ("closed",)
    autocomplete_fields = ("meeting",)
    readonly_fields = ("token", "created_by", "created_at")


@admin.register(ConflictReport)
class ConflictReportAdmin(RefusedMeanwhileAdmin):
    list_display = ("pk", "source", "type", "target", "status", "reported_at")
    list_filter = ("status", "type")
    autocomplete_fields = ("source", "target", "relationship")
    readonly_fields = ("reported_by", "reported_at", "decided_by", "decided_at")


@admin.register(EngagementSettings)
class EngagementSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "disclosure_register_public")

    def has_add_permission(self, request):
        return not EngagementSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeetingNewcomer)
class MeetingNewcomerAdmin(RecordAdmin):
    """The people added while meetings were logged; analysts check them on the Sources page."""

    list_display = ("entity", "meeting", "added_by", "added_at", "checked_by", "checked_at")
    list_filter = ("checked_at",)
    search_fields = ("entity__name", "entity__external_id", "meeting__title")

