from django.contrib import admin

from .models import Attendance, Meeting


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 1
    raw_id_fields = ("entity",)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("external_id", "date", "type", "title", "neighborhood")
    list_filter = ("type", "neighborhood")
    search_fields = ("external_id", "title", "location", "neighborhood", "summary")
    date_hierarchy = "date"
    inlines = [AttendanceInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("meeting", "entity", "role")
    list_filter = ("role", "meeting__type")
    search_fields = ("meeting__external_id", "meeting__title", "entity__name", "entity__external_id")
    raw_id_fields = ("meeting", "entity")
