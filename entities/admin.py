from django.contrib import admin, messages

from core.admin import RecordAdmin, RefusedMeanwhileAdmin

from .models import Entity, Follow, FollowDigest, MergeRecord
from .selectors import saving_warnings


@admin.register(Entity)
class EntityAdmin(RefusedMeanwhileAdmin):
    list_display = ("external_id", "name", "kind", "category", "jurisdiction", "parent")
    list_filter = ("category", "kind", "jurisdiction")
    search_fields = ("external_id", "name", "jurisdiction", "description")
    folded_search_fields = ("name", "jurisdiction")
    autocomplete_fields = ("parent",)
    readonly_fields = ("category", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        """Saved as given, with a warning when the parent unit reads oddly (a person's, or a person as
        one: `relationships.checks`) or another entity has its kind and name (`entities.checks`)."""
        super().save_model(request, obj, form, change)
        for why in saving_warnings(obj):
            messages.warning(request, f"Saved, but worth a look: {why}.")


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    """Who follows what (personal: each user manages their own on the Following page)."""

    list_display = ("user", "entity", "created_at")
    search_fields = ("user__username", "entity__name", "entity__external_id")
    raw_id_fields = ("user", "entity")


@admin.register(FollowDigest)
class FollowDigestAdmin(admin.ModelAdmin):
    """Who gets the weekly summary of the Following page, at which address (and whether its owner
    confirmed it), and when the last one went."""

    list_display = ("user", "weekly", "address", "confirmed", "last_sent")
    list_filter = ("weekly",)
    search_fields = ("user__username", "user__email", "address")
    readonly_fields = ("confirmed_address", "link_sent_at")

    @admin.display(boolean=True)
    def confirmed(self, digest):
        return digest.confirmed
    raw_id_fields = ("user",)


@admin.register(MergeRecord)
class MergeRecordAdmin(RecordAdmin):
    """Merges of one entity into another, with what moved (undone from the kept entity's page)."""

    list_display = ("duplicate_external_id", "keep", "merged_at", "merged_by_label", "undone_at", "undone_by_label")
    search_fields = ("duplicate_external_id", "keep__external_id", "keep__name")
    raw_id_fields = ("keep",)
