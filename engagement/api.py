from django.db.models import Prefetch
from django.utils import timezone
from rest_framework import serializers

from core.api import Conflict, ExternalIdModelViewSet, UnknownFieldsRefused, answering_a_write, conflicts_documented, role_permission
from core.roles import can_log_meetings
from core.validation import attendance_problems, external_id_problems, meeting_problems, raise_for_api, text_problems
from entities.models import Entity

from .filters import MeetingApiFilter
from .models import Attendance, Meeting
from .permissions import CORRECTION_REFUSED, DELETION_REFUSED, can_correct_meeting
from .selectors import logging_warnings
from .services import EngagementError, meeting_log_create, meeting_log_delete, meeting_log_update
from .types import AttendanceRole


class AttendanceSerializer(UnknownFieldsRefused, serializers.ModelSerializer):
    entity = serializers.SlugRelatedField(slug_field="external_id", queryset=Entity.objects.all())
    role = serializers.ChoiceField(choices=AttendanceRole.choices, default=AttendanceRole.ATTENDEE)

    class Meta:
        model = Attendance
        fields = ["entity", "role"]

    def validate(self, attrs):
        raise_for_api(attendance_problems(role=attrs.get("role", "")))
        return attrs


class MeetingSerializer(UnknownFieldsRefused, serializers.ModelSerializer):
    attendance = AttendanceSerializer(many=True)
    # who logged it here (empty for imported meetings): a board member corrects only their own
    logged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    # saved as given: what the page would warn about (a date after today, the same meeting logged
    # twice), in the answer to a create or a correction only (empty when read)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["external_id", "date", "type", "title", "location", "neighborhood", "summary", "source_url", "attendance", "logged_by", "warnings"]

    def get_warnings(self, meeting: Meeting) -> list[str]:
        return logging_warnings(meeting, timezone.localdate()) if answering_a_write(self) else []

    def validate(self, attrs):
        stored = {f: getattr(self.instance, f) for f in ("external_id", "type", "title")} if self.instance else {}
        merged = {**stored, **attrs}
        problems = external_id_problems(merged.get("external_id", "")) + meeting_problems(type=merged.get("type"), title=merged.get("title"))
        for field in ("title", "location", "neighborhood", "summary", "source_url"):
            problems += text_problems(field, attrs.get(field))
        raise_for_api(problems)
        if self.partial and "attendance" not in attrs:
            return attrs
        entities = [row["entity"].pk for row in attrs.get("attendance", [])]
        if not entities:
            raise serializers.ValidationError({"attendance": ["List at least one attendee."]})
        if len(set(entities)) != len(entities):
            raise serializers.ValidationError({"attendance": ["An entity is listed twice."]})
        return attrs

    def create(self, validated_data):
        rows = validated_data.pop("attendance")
        meeting = Meeting(**validated_data)
        return meeting_log_create(meeting=meeting, attendance=[(row["entity"], row["role"]) for row in rows])

    def update(self, instance, validated_data):
        """As the page's correction does (`meeting_log_update`): only the rows that changed are
        written, each in the audit trail; a PATCH without `attendance` keeps it as it is."""
        rows = validated_data.pop("attendance", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        if rows is None:
            attendance = [(row.entity, row.role) for row in instance.attendance.select_related("entity")]
        else:
            # a PATCH applies no field defaults, so a row without a role has none
            attendance = [(row["entity"], row.get("role", AttendanceRole.ATTENDEE)) for row in rows]
        return meeting_log_update(meeting=instance, attendance=attendance)


class MeetingPermission(role_permission(write=can_log_meetings, name="MeetingPermission")):
    """Board members (and up) log meetings, and correct or delete the ones they logged, as on the
    pages (analysts and administrators any)."""

    def has_object_permission(self, request, view, obj):
        if request.method in ("PUT", "PATCH", "DELETE") and not can_correct_meeting(request.user, obj):
            self.message = DELETION_REFUSED if request.method == "DELETE" else CORRECTION_REFUSED
            return False
        return True


@conflicts_documented
class MeetingViewSet(ExternalIdModelViewSet):
    # each attendee with the one column of its entity shown: a page of 500 meetings holds some
    # 10,000 attendance rows, each read with its entity whole took 0.57 s
    queryset = Meeting.objects.select_related("logged_by").prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.select_related("entity").only("meeting_id", "role", "entity__external_id")
                 .order_by("entity__name", "entity_id"))  # each meeting's attendees by name, as the model orders them, namesakes by id
    ).order_by("-date", "external_id")
    serializer_class = MeetingSerializer
    permission_classes = [MeetingPermission]
    filterset_class = MeetingApiFilter
    ordering_fields = ["date", "external_id", "type"]

    def perform_create(self, serializer):
        self.saved(serializer, logged_by=self.request.user)

    def perform_destroy(self, instance):
        try:
            meeting_log_delete(meeting=instance)  # as the page: not with its survey answers
        except EngagementError as exc:
            raise Conflict(str(exc)) from None
