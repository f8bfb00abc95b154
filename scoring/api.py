from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ReadOnlyForStaff, StandardPagination
from core.api_filters import refuse_unknown_query_parameters
from core.dates import parse_iso_date
from core.filters import YesOrNoField
from entities.kinds import Kind
from entities.models import Entity

from .forms import ChangesSinceForm
from .models import LISTED_TENTHS, ClosenessSnapshot, PairScore, PairScoreVersion
from .selectors import (
    BAND_MOVES, BAND_TENTHS, across_bodies, bands_over_time, changes_since, entity_band_history, meetings_behind, pair_for, pair_history, pairs_involving,
    scoring_status, settings_changes, snapshot_on_or_before,
)
from .services import current_snapshot


class PairScoreSerializer(serializers.ModelSerializer):
    entity_a = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    entity_b = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    score = serializers.FloatField(read_only=True)
    band = serializers.CharField(read_only=True)
    components = serializers.DictField(child=serializers.FloatField(), read_only=True)
    relationship_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = PairScore
        fields = ["entity_a", "entity_b", "score", "band", "components", "relationship_ids"]


def date_parameter(params, name: str) -> date | None:
    """A query parameter's date (YYYY-MM-DD), None when absent; a 400 naming it otherwise."""
    if not params.get(name):
        return None
    try:
        return parse_iso_date(params[name])
    except ValueError as exc:
        raise ValidationError({name: [str(exc)]}) from None


def snapshot_for(params) -> ClosenessSnapshot | None:
    """The latest complete snapshot, or the one nearest before `?as_of=` (YYYY-MM-DD)."""
    day = date_parameter(params, "as_of")
    return snapshot_on_or_before(day) if day else current_snapshot()


# the query parameters the pairs' list reads (get_queryset)
PAIR_FILTERS = {"as_of", "band", "min_score", "entity", "kind", "across"}


class PairScoreViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Closeness of pairs scoring 1.0 or more: `?as_of=` picks the snapshot nearest before that date."""

    serializer_class = PairScoreSerializer
    permission_classes = [ReadOnlyForStaff]
    pagination_class = StandardPagination
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="the snapshot nearest before this date"),
            OpenApiParameter("band", OpenApiTypes.STR, enum=list(BAND_TENTHS)),
            OpenApiParameter("min_score", OpenApiTypes.FLOAT),
            OpenApiParameter("entity", OpenApiTypes.STR, description="external_id on either side"),
            OpenApiParameter("kind", OpenApiTypes.STR, description="entity kind on either side"),
            OpenApiParameter("across", OpenApiTypes.BOOL, description=(
                "true: only the ties between actors, leaving out a person with the body they lead, sit on or work for on the "
                "scores' reference date, and a unit with its body (as the overview's closest pairs)")),
        ]
    )
    def list(self, request, *args, **kwargs):
        refuse_unknown_query_parameters(request, self, PAIR_FILTERS)
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        snapshot = snapshot_for(params)
        if snapshot is None:
            return PairScore.objects.none()
        if snapshot == current_snapshot():
            pairs = PairScore.objects.all()
        else:  # the rows in force at that snapshot, current or since replaced
            pairs = PairScoreVersion.objects.filter(valid_from_id__lte=snapshot.pk).filter(
                Q(valid_to__isnull=True) | Q(valid_to_id__gt=snapshot.pk)
            )
        pairs = pairs.filter(score_tenths__gte=LISTED_TENTHS).select_related("entity_a", "entity_b")
        band = params.get("band")
        if band:
            if band not in BAND_TENTHS:
                raise ValidationError({"band": [f"'{band}' is not one of {', '.join(BAND_TENTHS)}"]})
            low, high = BAND_TENTHS[band]
            pairs = pairs.filter(score_tenths__gte=low, score_tenths__lte=high)
        if params.get("min_score"):
            try:
                minimum = float(params["min_score"])
            except ValueError:
                minimum = float("nan")
            if not 0 <= minimum <= 10:  # also refuses nan and infinities
                raise ValidationError({"min_score": ["must be a number from 0 to 10"]})
            pairs = pairs.filter(score_tenths__gte=round(minimum * 10))
        if params.get("entity"):
            pairs = pairs_involving(pairs, Entity.objects.filter(external_id=params["entity"]))
        if params.get("kind"):
            if params["kind"] not in Kind.values:  # as `band`: not an empty list as if none were of that kind
                raise ValidationError({"kind": [f"'{params['kind']}' is not one of {', '.join(Kind.values)}"]})
            pairs = pairs_involving(pairs, Entity.objects.filter(kind=params["kind"]))
        if "across" in params:
            field = YesOrNoField()
            try:
                across = field.clean(params["across"])
            except DjangoValidationError as refused:
                raise ValidationError({"across": refused.messages}) from None
            if across:
                pairs = across_bodies(pairs, snapshot.as_of)
        return pairs.order_by("-score_tenths", "entity_a_id", "entity_b_id")


class PairHistoryView(APIView):
    """Every score a pair had, oldest first (for charts)."""

    permission_classes = [ReadOnlyForStaff]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, a: str, b: str):
        first = get_object_or_404(Entity, external_id=a)
        second = get_object_or_404(Entity, external_id=b)
        return Response({"entity_a": first.external_id, "entity_b": second.external_id, "history": pair_history(first, second)})


class PairMeetingsView(APIView):
    """The meetings behind a pair's interaction component in the current scores, newest first, each
    with its weight (the evidence the pair page lists, every one of them); none for a pair that
    scored no interaction."""

    permission_classes = [ReadOnlyForStaff]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, a: str, b: str):
        first = get_object_or_404(Entity, external_id=a)
        second = get_object_or_404(Entity, external_id=b)
        if first.pk == second.pk:
            raise NotFound("A pair needs two entities.")
        snapshot = current_snapshot()
        meetings = meetings_behind(first, second, pair_for(first, second), snapshot)
        return Response({
            "entity_a": first.external_id, "entity_b": second.external_id, "as_of": snapshot.as_of if snapshot else None,
            "meetings": [{"meeting": m.external_id, "date": m.date, "type": m.type, "title": m.title, "weight": round(weight, 3),
                          "source_url": m.source_url} for m, weight in meetings],
        })


class CloseChangesView(APIView):
    """The pairs that changed band since `?since=` (YYYY-MM-DD: the scores as of that day or just
    before; default a month before the current scores): `became_close` and `no_longer_close` (from
    or to any band), `became_working` and `no_longer_working` (between distant and working), each
    pair with its score then and now; and the ids of the flags raised and ended since."""

    permission_classes = [ReadOnlyForStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE, description="compare with the scores as of this day or just before"),
            OpenApiParameter("entity", OpenApiTypes.STR, description="only the pairs and flags of this entity (external_id)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        current = current_snapshot()
        form = ChangesSinceForm(request.query_params)
        refuse_unknown_query_parameters(request, self, set(form.fields))
        if not form.is_valid():
            raise ValidationError(form.errors)
        changes = changes_since(current, form.cleaned_data["since"], form.cleaned_data["entity"])

        def listed(pairs):
            return [{"entity_a": c["a"].external_id, "entity_b": c["b"].external_id, "then": c["before"], "now": c["after"]} for c in pairs]

        if changes is None:
            return Response({"as_of": None, "since": None, **{move: [] for move in BAND_MOVES}, "flags_raised": [], "flags_lapsed": []})
        return Response({
            "as_of": current.as_of, "since": changes.since.as_of,
            **{move: listed(pairs) for move, pairs in changes.moves.items()},
            "flags_raised": list(changes.flags_raised.values_list("pk", flat=True)),
            "flags_lapsed": list(changes.flags_lapsed.values_list("pk", flat=True)),
        })


class TiesOverTimeView(APIView):
    """How many pairs were close and how many working, for each date scored (oldest first), as
    the recomputes counted them: the "What changed" page's "Ties over time"."""

    permission_classes = [ReadOnlyForStaff]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"ties": bands_over_time()})


class EntityTiesView(APIView):
    """How many of an entity's counterparts were close and how many working, for each date scored
    (oldest first): the entity page's "Ties over time"."""

    permission_classes = [ReadOnlyForStaff]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, external_id: str):
        entity = get_object_or_404(Entity, external_id=external_id)
        return Response({"entity": entity.external_id, "ties": entity_band_history(entity)})


class ScoringStatusView(APIView):
    """How current the scores are, for people and for monitoring: the current scores (`scores`: as
    of, when computed, how, how many pairs), whether the nightly recompute has not renewed them for
    over a day (`computed_too_long_ago`), the recompute running, the last one if it failed since
    (`last_failure`), since when changes wait that no worker is scoring (`changes_waiting_since`)
    and why as far as the app can tell (`changes_waiting_because`: `task_queue_unreachable`,
    `workers_silent`, `beat_silent`, `recompute_failing`), and when a worker last took any work, the
    heartbeat beat sends every minute included, and when beat last sent some (`workers`:
    `last_seen`, `silent`, `beat_last_sent`, `beat_silent`; `expected` false without a broker, tasks
    running in the web process). What the overview, its banners and the `scoring_status` command say
    (`scoring.selectors.scoring_status`)."""

    permission_classes = [ReadOnlyForStaff]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(scoring_status(timezone.now()))


class SettingsHistoryView(APIView):
    """Every change of the scoring settings, newest first: when, by whom, why, what changed in
    words (`changed`: the setting as the settings page labels it, before, after) and the whole
    settings before and after (the `parameters` each snapshot records)."""

    permission_classes = [ReadOnlyForStaff]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"changes": [{
            "changed_at": row["change"].changed_at,
            "changed_by": row["change"].changed_by.get_username() if row["change"].changed_by else None,
            "reason": row["change"].reason,
            "changed": [{"setting": label, "before": before, "after": after} for label, before, after in row["changed"]],
            "before": row["change"].before,
            "after": row["change"].after,
        } for row in settings_changes()]})

