from django.contrib import admin

from core.admin import RecordAdmin

from .models import DatasetImport, ImportRequest


@admin.register(DatasetImport)
class DatasetImportAdmin(RecordAdmin):
    """The record of the imports, read only (an import writes it; nothing else should)."""

    list_display = ("imported_at", "actor", "via")
    list_filter = ("via",)
    readonly_fields = ("imported_at", "imported_by", "actor", "via", "counts", "files", "notes")


@admin.register(ImportRequest)
class ImportRequestAdmin(RecordAdmin):
    """The uploads of the data sets page and how the worker left them, read only (their files and
    problems download from the data sets page)."""

    list_display = ("requested_at", "actor", "file_names", "dry_run", "status", "outcome", "problem_count")
    list_filter = ("status", "outcome", "dry_run")
    readonly_fields = ("requested_at", "requested_by", "actor", "file_names", "dry_run", "status", "outcome", "started_at",
                       "finished_at", "counts", "notes", "problem_count", "error", "dataset_import")
    exclude = ("archive", "problems_csv", "problems_shown")
