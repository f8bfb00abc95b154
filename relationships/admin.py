from django.contrib import admin, messages
from django.utils import timezone

from core.admin import RefusedMeanwhileAdmin

from .forms import NUMBER_FIELDS
from .models import Disclosure, Relationship
from .selectors import disclosure_warnings, saving_warnings


class DisclosureInline(admin.TabularInline):
    model = Disclosure
    extra = 0
    autocomplete_fields = ("discloser",)


@admin.register(Relationship)
class RelationshipAdmin(RefusedMeanwhileAdmin):
    list_display = ("external_id", "source", "type", "target", "start_date", "end_date", "amount", "analyst_score")
    list_filter = ("type", "start_date")
    search_fields = ("external_id", "source__name", "target__name", "source__external_id", "target__external_id", "notes")
    folded_search_fields = ("source__name", "target__name")
    # found by typing a name or an id (EntityAdmin's search), not by a numeric key
    autocomplete_fields = ("source", "target")
    date_hierarchy = "start_date"
    inlines = [DisclosureInline]
    readonly_fields = ("created_at", "updated_at")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in NUMBER_FIELDS:  # numbers read as on the relationship's own form
            kwargs["form_class"] = NUMBER_FIELDS[db_field.name]
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Saved as given, with a warning when the tie most likely reads the wrong way round, has a date
        or an amount nothing reads, or gives the same fact as another (`relationships.checks`)."""
        super().save_model(request, obj, form, change)
        for why in saving_warnings(obj):
            messages.warning(request, f"Saved, but worth a look: {why}.")

    def save_related(self, request, form, formsets, change):
        """The disclosures added or changed here, with the warnings their own page gives."""
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            for disclosure in formset.new_objects + [changed for changed, _ in formset.changed_objects]:
                _warn_of_disclosure(request, disclosure)


def _warn_of_disclosure(request, disclosure: Disclosure) -> None:
    for why in disclosure_warnings(disclosure, timezone.localdate()):
        messages.warning(request, f"Saved, but worth a look: {why}.")


@admin.register(Disclosure)
class DisclosureAdmin(RefusedMeanwhileAdmin):
    list_display = ("external_id", "discloser", "relationship", "disclosed_on", "statement_public")
    list_filter = ("disclosed_on", "statement_public")
    search_fields = ("external_id", "discloser__name", "relationship__external_id", "statement")
    autocomplete_fields = ("discloser", "relationship")

    def save_model(self, request, obj, form, change):
        """Saved as given, with a warning when dated after today or before the relationship began."""
        super().save_model(request, obj, form, change)
        _warn_of_disclosure(request, obj)
