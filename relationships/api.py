from django.utils import timezone
from rest_framework import serializers

from core.api import Conflict, ExternalIdModelViewSet, ReadForStaffRecordAndDeleteForAnalysts, UnknownFieldsRefused, WrittenDecimalField, answering_a_write, conflicts_documented
from core.roles import can_edit_data
from core.validation import AMOUNT_PLACES, RATING_PLACES, external_id_problems, raise_for_api, relationship_problems, text_problems
from entities.models import Entity

from .models import Disclosure, Relationship
from .filters import RelationshipFilter
from .selectors import deletion_refused, disclosure_warnings, saving_warnings


class RelationshipSerializer(UnknownFieldsRefused, serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="external_id", queryset=Entity.objects.all())
    target = serializers.SlugRelatedField(slug_field="external_id", queryset=Entity.objects.all())
    symmetric = serializers.BooleanField(read_only=True)
    # "2,500" read as the import and the forms read it (relationships.models: the same digits and decimals)
    amount = WrittenDecimalField(max_digits=16, decimal_places=AMOUNT_PLACES, required=False, allow_null=True, points_may_separate_thousands=True)
    analyst_score = WrittenDecimalField(max_digits=4, decimal_places=RATING_PLACES, required=False, allow_null=True)
    # valid, but most likely the wrong way round or with a date or an amount nothing reads (saved as
    # given): why, or nothing; the answer to a create or a correction also names another relationship
    # giving the same fact
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Relationship
        fields = ["external_id", "source", "target", "type", "symmetric", "start_date", "end_date", "amount", "analyst_score", "source_url",
                  "notes", "warnings"]
        read_only_fields = ["symmetric", "warnings"]

    def get_warnings(self, relationship: Relationship) -> list[str]:
        return saving_warnings(relationship) if answering_a_write(self) else relationship.odd_reading

    def validate(self, attrs):
        current = {f: getattr(self.instance, f) for f in self.Meta.fields if f not in self.Meta.read_only_fields} if self.instance else {}
        merged = {**current, **attrs}
        problems = external_id_problems(merged.get("external_id", "")) + relationship_problems(
            type=merged.get("type"),
            source=merged["source"].external_id if merged.get("source") else None,
            target=merged["target"].external_id if merged.get("target") else None,
            start_date=merged.get("start_date"),
            end_date=merged.get("end_date"),
            amount=merged.get("amount"),
            analyst_score=merged.get("analyst_score"),
        )
        for field in ("source_url", "notes"):
            problems += text_problems(field, merged.get(field))
        raise_for_api(problems)
        return attrs


@conflicts_documented
class RelationshipViewSet(ExternalIdModelViewSet):
    """Dated facts between entities. Analysts record, correct and delete them as on a relationship's
    page (with the importer's rules; deleting one a flag cites or someone disclosed is a 409 saying
    so); administrators delete any (one still disclosed is a 409: its disclosures go first)."""

    permission_classes = [ReadForStaffRecordAndDeleteForAnalysts]
    queryset = Relationship.objects.select_related("source", "target").order_by("external_id")
    serializer_class = RelationshipSerializer
    filterset_class = RelationshipFilter
    ordering_fields = ["external_id", "start_date", "end_date", "type", "amount"]

    def perform_destroy(self, instance):
        if not can_edit_data(self.request.user) and (why := deletion_refused(instance)):
            raise Conflict(f"Cannot delete {instance.external_id}: {why}; an administrator decides.")
        super().perform_destroy(instance)


class DisclosureSerializer(UnknownFieldsRefused, serializers.ModelSerializer):
    discloser = serializers.SlugRelatedField(slug_field="external_id", queryset=Entity.objects.all())
    relationship = serializers.SlugRelatedField(slug_field="external_id", queryset=Relationship.objects.all())
    # saved as given: in the answer to a create or a correction, a date after today or before the
    # relationship began (`disclosure_warnings`); empty when read
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Disclosure
        fields = ["external_id", "discloser", "relationship", "disclosed_on", "statement", "statement_public", "source_url", "warnings"]
        extra_kwargs = {"statement_public": {"help_text": "Whether the statement is published on the disclosure register (the "
                                                          "discloser agreed): set by administrators; read-only for everyone else."}}

    def get_fields(self):
        fields = super().get_fields()
        # whether the statement may be published is an administrator's call (the discloser agreed).
        # The schema is generated for no one in particular (a view drf-spectacular marks as fake):
        # it shows the field writable, as it is for administrators, and says for whom
        if getattr(self.context.get("view"), "swagger_fake_view", False):
            return fields
        request = self.context.get("request")
        if request is None or not can_edit_data(request.user):
            fields["statement_public"].read_only = True
        return fields

    def get_warnings(self, disclosure: Disclosure) -> list[str]:
        return disclosure_warnings(disclosure, timezone.localdate()) if answering_a_write(self) else []

    def validate(self, attrs):
        merged = {**({"external_id": self.instance.external_id} if self.instance else {}), **attrs}
        raise_for_api(external_id_problems(merged.get("external_id", "")) + text_problems("statement", merged.get("statement"))
                      + text_problems("source_url", merged.get("source_url")))
        return attrs


@conflicts_documented
class DisclosureViewSet(ExternalIdModelViewSet):
    """Disclosures of relationships: analysts record, correct and delete them, as on a relationship's
    page (whether a statement may be published is an administrator's to set, and deleting one whose
    statement is published an administrator's too: a 409 for others)."""

    permission_classes = [ReadForStaffRecordAndDeleteForAnalysts]
    queryset = Disclosure.objects.select_related("discloser", "relationship").order_by("external_id")
    serializer_class = DisclosureSerializer
    filterset_fields = {"disclosed_on": ["gte", "lte"]}

    def perform_destroy(self, instance):
        if instance.statement_public and not can_edit_data(self.request.user):
            raise Conflict(f"Cannot delete {instance.external_id}: its statement is published on the disclosure register; an administrator decides.")
        super().perform_destroy(instance)
