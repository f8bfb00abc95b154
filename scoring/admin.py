from django.contrib import admin

from core.admin import RecordAdmin
from django.urls import reverse
from django.utils.html import format_html

from .models import ClosenessSnapshot, OwedRecompute, PairScore, PairScoreHistory, ScoringSettings, SettingsChange


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(admin.ModelAdmin):
    """Read only: the settings are edited on their page (/scoring/settings/), whose form checks
    each value and that together they keep the published properties; raw JSON here could save a
    half-life of zero or weights that make formal ties alone close."""

    list_display = ("__str__", "updated_at", "updated_by")
    readonly_fields = ("parameters", "updated_at", "updated_by", "edit_on_the_settings_page")

    @admin.display(description="Edit")
    def edit_on_the_settings_page(self, obj):
        return format_html('<a href="{}">Change them on the scoring settings page</a>', reverse("scoring_settings"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SettingsChange)
class SettingsChangeAdmin(RecordAdmin):
    """The record of the settings' changes, read only: the history people read the scores by."""

    list_display = ("changed_at", "changed_by", "reason")
    readonly_fields = ("changed_at", "changed_by", "before", "after", "reason")


@admin.register(ClosenessSnapshot)
class ClosenessSnapshotAdmin(admin.ModelAdmin):
    list_display = ("id", "as_of", "scope", "status", "started_at", "finished_at", "pairs_changed", "flags_raised")
    list_filter = ("status", "scope")
    readonly_fields = [f.name for f in ClosenessSnapshot._meta.fields]


@admin.register(OwedRecompute)
class OwedRecomputeAdmin(RecordAdmin):
    """Changes whose recompute has not run yet (for a few seconds normally; longer while no worker
    runs them): listed, read only (the next recompute deletes each row as it takes it in)."""

    list_display = ("__str__", "created_at", "sent")
    readonly_fields = ("entity_ids", "created_at", "sent")


_PAIR_COLUMNS = ("entity_a", "entity_b", "score", "band", "formal_tenths", "interaction_tenths", "financial_tenths", "analyst_tenths", "valid_from")
_PAIR_SEARCH = ("entity_a__name", "entity_b__name", "entity_a__external_id", "entity_b__external_id")


@admin.register(PairScore)
class PairScoreAdmin(admin.ModelAdmin):
    list_display = _PAIR_COLUMNS
    search_fields = _PAIR_SEARCH
    raw_id_fields = ("entity_a", "entity_b", "valid_from")


@admin.register(PairScoreHistory)
class PairScoreHistoryAdmin(admin.ModelAdmin):
    list_display = (*_PAIR_COLUMNS, "valid_to")
    search_fields = _PAIR_SEARCH
    raw_id_fields = ("entity_a", "entity_b", "valid_from", "valid_to")
