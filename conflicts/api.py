from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api import CONFLICT_RESPONSE, Conflict, ReadOnlyForStaff, StandardPagination, UnknownFieldsRefused
from core.params import BIGINT_MAX
from core.roles import can_review_flags

from .filters import FlagApiFilter
from .models import Flag, FlagStatusChange
from .services import BULK_REVIEW_LIMIT, FlagMovedSince, FlagsMovedSince, FlagTransitionError, flag_change_status, flags_change_status


class FlagStatusChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = FlagStatusChange
        fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]


class FlagSerializer(serializers.ModelSerializer):
    subject = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    counterpart = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    persons = serializers.SlugRelatedField(slug_field="external_id", many=True, read_only=True)
    evidence = serializers.SlugRelatedField(slug_field="external_id", many=True, read_only=True)
    history = FlagStatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Flag
        fields = ["id", "rule", "severity", "status", "subject", "counterpart", "persons", "evidence", "disclosed",
                  "explanation", "holds", "first_raised_on", "last_evaluated_on", "history"]


class FlagTransitionSerializer(UnknownFieldsRefused, serializers.Serializer):
    known_fields_words = "a change of status takes"

    to_status = serializers.ChoiceField(choices=Flag.Status.choices)
    reason = serializers.CharField(max_length=5000)
    from_status = serializers.ChoiceField(
        choices=Flag.Status.choices, required=False,
        help_text="The status the flag had when read: refused (409, nothing changed) if someone moved it since, as the flag's page "
                  "refuses it. Without it, the flag moves from whatever status it has.")


class FlagsTransitionSerializer(FlagTransitionSerializer):
    from_status = None  # one status for several flags would say little: each flag's own, below
    flags = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=BIGINT_MAX), allow_empty=False,
                                  max_length=BULK_REVIEW_LIMIT, help_text="ids of the flags to move, all or none")
    from_statuses = serializers.DictField(
        child=serializers.ChoiceField(choices=Flag.Status.choices), required=False,
        help_text='The status each flag had when read, by its id ({"12": "open"}): none moves (409) if someone moved one of '
                  "them since, as the queue refuses it. A flag not named here moves from whatever status it has.")

    def validate(self, data):
        named = data.get("from_statuses") or {}
        ids = {str(pk) for pk in data["flags"]}
        unknown = sorted(key for key in named if key not in ids)
        if unknown:
            raise serializers.ValidationError({"from_statuses": [f"Not among the flags to move: {', '.join(unknown)}."]})
        data["from_statuses"] = {int(key): value for key, value in named.items()}
        return data


class FlagViewSet(viewsets.ReadOnlyModelViewSet):
    """Conflict-of-interest flags with their status history; analysts change a status with a reason."""

    queryset = Flag.objects.select_related("subject", "counterpart").prefetch_related("persons", "evidence", "history__changed_by").order_by("rule", "id")
    serializer_class = FlagSerializer
    permission_classes = [ReadOnlyForStaff]
    pagination_class = StandardPagination
    filterset_class = FlagApiFilter
    # one value each: ordered by its persons, evidence or history (DRF's default, every field) a
    # flag came once per value, on a page or two, and others fell off the page
    ordering_fields = ["id", "rule", "severity", "status", "subject", "counterpart", "disclosed", "holds", "first_raised_on",
                       "last_evaluated_on", "explanation"]

    @extend_schema(request=FlagTransitionSerializer, responses={200: FlagSerializer, 409: CONFLICT_RESPONSE})
    @action(detail=True, methods=["post"], url_path="status", permission_classes=[])
    def change_status(self, request, pk=None):
        if not request.user.is_authenticated:
            raise PermissionDenied("Sign in first.")
        if not can_review_flags(request.user):
            raise PermissionDenied("Only analysts and administrators change a flag's status.")
        flag = self.get_object()
        body = FlagTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            flag_change_status(flag=flag, to_status=body.validated_data["to_status"], user=request.user, reason=body.validated_data["reason"],
                               shown_status=body.validated_data.get("from_status"))
        except FlagMovedSince as moved:
            raise Conflict({"from_status": [f"Not changed: the flag is {moved.status_now} now (someone moved it since it was read: its "
                                            f"history says why); read it again, then send the change."]}) from None
        except FlagTransitionError as exc:
            return Response({"to_status": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(FlagSerializer(self.get_queryset().get(pk=flag.pk)).data)

    @extend_schema(request=FlagsTransitionSerializer, responses={200: FlagSerializer(many=True), 409: CONFLICT_RESPONSE},
                   operation_id="flags_status_many")
    @action(detail=False, methods=["post"], url_path="status", permission_classes=[])
    def change_statuses(self, request):
        """Several flags to one status with one reason, as the queue's ticked boxes: all of them,
        or none with a 400 naming each flag refused and why."""
        if not request.user.is_authenticated:
            raise PermissionDenied("Sign in first.")
        if not can_review_flags(request.user):
            raise PermissionDenied("Only analysts and administrators change a flag's status.")
        body = FlagsTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            changed = flags_change_status(
                flag_ids=sorted(set(body.validated_data["flags"])), to_status=body.validated_data["to_status"],
                user=request.user, reason=body.validated_data["reason"], shown=body.validated_data["from_statuses"],
                shown_where="they were read",
            )
        except FlagsMovedSince as exc:
            raise Conflict({"from_statuses": [f"{exc} Read them again, then send the change."]}) from None
        except FlagTransitionError as exc:
            return Response({"flags": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(FlagSerializer(self.get_queryset().filter(pk__in=[f.pk for f in changed]).order_by("id"), many=True).data)

