from django.contrib import admin

from .models import Entity


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ("external_id", "name", "kind", "category", "jurisdiction", "parent")
    list_filter = ("category", "kind", "jurisdiction")
    search_fields = ("external_id", "name", "jurisdiction", "description")
    raw_id_fields = ("parent",)
    readonly_fields = ("category", "created_at", "updated_at")
