from django.http import Http404
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from core.api import Conflict, ExternalIdModelViewSet, ReadForStaffRecordForAnalysts, UnknownFieldsRefused, answering_a_write, conflicts_documented
from core.validation import (
    entity_problems,
    external_id_problems,
    parent_cycle_problems,
    parent_problems,
    raise_for_api,
    text_problems,
)

from .filters import EntityApiFilter
from .models import Entity, MergeRecord, stored_parent_of
from .selectors import merged_away, saving_warnings
from .services import entity_deletion_refused


class EntitySerializer(UnknownFieldsRefused, serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="external_id", queryset=Entity.objects.all(), allow_null=True, required=False)
    category = serializers.CharField(read_only=True)
    # saved as given: why its parent unit may read oddly (relationships.checks), as relationships say
    # of themselves; the answer to a create or a correction also names another entity of its kind and name
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Entity
        fields = ["external_id", "name", "kind", "category", "jurisdiction", "parent", "description", "website", "created_at", "updated_at",
                  "warnings"]
        read_only_fields = ["created_at", "updated_at", "warnings"]
        extra_kwargs = {"kind": {"validators": []}}

    def get_warnings(self, entity: Entity) -> list[str]:
        return saving_warnings(entity) if answering_a_write(self) else entity.odd_reading

    def validate(self, attrs):
        merged = {**({f: getattr(self.instance, f) for f in ("external_id", "name", "kind")} if self.instance else {}), **attrs}
        problems = external_id_problems(merged.get("external_id", "")) + entity_problems(name=merged.get("name"), kind=merged.get("kind"))
        for field in ("name", "jurisdiction", "website", "description"):
            problems += text_problems(field, merged.get(field))
        parent = merged.get("parent")
        if parent is not None:
            problems += parent_problems(external_id=merged.get("external_id"), parent=parent.external_id)
            problems += parent_cycle_problems(external_id=merged.get("external_id"), parent=parent.external_id, parent_of=stored_parent_of)
        raise_for_api(problems)
        return attrs


@conflicts_documented
class EntityViewSet(ExternalIdModelViewSet):
    """Entities, looked up by external_id. Analysts create and correct, as on an entity's page;
    administrators delete; everyone signed in reads."""

    permission_classes = [ReadForStaffRecordForAnalysts]

    queryset = Entity.objects.select_related("parent").order_by("external_id")
    serializer_class = EntitySerializer
    filterset_class = EntityApiFilter
    ordering_fields = ["external_id", "name", "kind", "jurisdiction"]

    def perform_destroy(self, instance):
        # what the page refuses: an API delete has no confirmation page listing a flag that would go
        # with the entity, its review history too (the admin site's lists it)
        if why := entity_deletion_refused(instance):
            raise Conflict(f"Cannot delete {instance.external_id}: {why}.")
        super().perform_destroy(instance)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            # a twin merged into another entity: a 404 that says where its facts went
            merged = merged_away(self.kwargs["external_id"])
            if merged is None:
                raise
            raise MergedAway(merged) from None


class MergedAway(NotFound):
    """The 404 of an entity merged into another: `merged_into` names the entity kept."""

    def __init__(self, merged: MergeRecord):
        super().__init__({"detail": f"{merged.duplicate_external_id} was merged into {merged.keep.external_id} on {merged.merged_at:%Y-%m-%d}.",
                          "merged_into": merged.keep.external_id})
