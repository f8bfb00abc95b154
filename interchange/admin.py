from django.contrib import admin

from core.admin import RecordAdmin

from .models import DatasetImport


@admin.register(DatasetImport)
class DatasetImportAdmin(RecordAdmin):
    """The record of the imports, read only (an import writes it; nothing else should)."""

    list_display = ("imported_at", "actor", "via")
    list_filter = ("via",)
    readonly_fields = ("imported_at", "imported_by", "actor", "via", "counts", "files")
