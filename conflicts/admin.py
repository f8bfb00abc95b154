from django.contrib import admin

from .models import Flag, FlagStatusChange


class FlagStatusChangeInline(admin.TabularInline):
    model = FlagStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "changed_by", "changed_at", "reason")

    def has_add_permission(self, request, obj=None):
        return False  # status changes go through the review page, which enforces the lifecycle


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("rule", "subject", "counterpart", "severity", "status", "disclosed", "holds")
    list_filter = ("rule", "severity", "status", "disclosed", "holds")
    search_fields = ("subject__name", "counterpart__name", "explanation")
    raw_id_fields = ("subject", "counterpart", "persons", "evidence", "snapshot")
    readonly_fields = ("status",)
    inlines = [FlagStatusChangeInline]
