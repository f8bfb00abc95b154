import django_filters
from django.db import transaction
from rest_framework import serializers

from core.api import ExternalIdModelViewSet, role_permission
from core.roles import can_edit_data, can_log_meetings
from core.validation import attendance_problems, external_id_problems, meeting_problems, raise_for_api, text_problems
from entities.models import Entity

from .models import Attendance, Meeting
from .services import meeting_log_create
from .types import AttendanceRole, MeetingType


class AttendanceSerializer(serializers.ModelSerializer):
    entity = serializers.SlugRelatedField(slug_field="external_id", queryset=Entity.objects.all())
    role = serializers.ChoiceField(choices=AttendanceRole.choices, default=AttendanceRole.ATTENDEE)

    class Meta:
        model = Attendance
        fields = ["entity", "role"]

    def validate(self, attrs):
        raise_for_api(attendance_problems(role=attrs.get("role", "")))
        return attrs


class MeetingSerializer(serializers.ModelSerializer):
    attendance = AttendanceSerializer(many=True)

    class Meta:
        model = Meeting
        fields = ["external_id", "date", "type", "title", "location", "neighborhood", "summary", "attendance"]

    def validate(self, attrs):
        stored = {f: getattr(self.instance, f) for f in ("external_id", "type", "title")} if self.instance else {}
        merged = {**stored, **attrs}
        problems = external_id_problems(merged.get("external_id", "")) + meeting_problems(type=merged.get("type"), title=merged.get("title"))
        for field in ("title", "location", "neighborhood", "summary"):
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
        rows = validated_data.pop("attendance", None)
        with transaction.atomic():
            for field, value in validated_data.items():
                setattr(instance, field, value)
            instance.save()
            if rows is not None:
                instance.attendance.all().delete()
                for row in rows:
                    Attendance.objects.create(meeting=instance, entity=row["entity"], role=row["role"])
        return instance


class MeetingFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=MeetingType.choices)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    neighborhood = django_filters.CharFilter()
    entity = django_filters.CharFilter(field_name="attendance__entity__external_id")

    class Meta:
        model = Meeting
        fields = ["type", "date_after", "date_before", "neighborhood", "entity"]



class MeetingPermission(role_permission(write=can_log_meetings, name="MeetingPermission")):
    """Board members (and up) log meetings; changing or deleting one is for administrators."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in ("GET", "HEAD", "OPTIONS", "POST") or can_edit_data(request.user)


class MeetingViewSet(ExternalIdModelViewSet):
    queryset = Meeting.objects.prefetch_related("attendance__entity").order_by("-date", "external_id")
    serializer_class = MeetingSerializer
    permission_classes = [MeetingPermission]
    filterset_class = MeetingFilter
    ordering_fields = ["date", "external_id", "type"]
