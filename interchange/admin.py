from django.contrib import admin

from .models import DatasetImport


@admin.register(DatasetImport)
class DatasetImportAdmin(admin.ModelAdmin):
    """The record of the imports, read only (an import writes it; nothing else should)."""

    list_display = ("imported_at", "actor", "via")
    list_filter = ("via",)
    readonly_fields = ("imported_at", "imported_by", "actor", "via", "counts")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
