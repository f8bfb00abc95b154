"""Reads of current closeness for pages: queries in, rows out (no scoring here)."""
from __future__ import annotations

from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Greatest

from entities.models import Entity

from .models import LISTED_TENTHS, ClosenessSnapshot, PairScore

BAND_TENTHS = {"distant": (0, 39), "working": (40, 79), "close": (80, 100)}


def current_pairs() -> QuerySet[PairScore]:
    return PairScore.objects.filter(valid_to__isnull=True)


def listed_pairs() -> QuerySet[PairScore]:
    """Current pairs scoring 1.0 or more: the ones the pages list (covered by partial indexes)."""
    return current_pairs().filter(score_tenths__gte=LISTED_TENTHS).select_related("entity_a", "entity_b")


def pair_for(a: Entity, b: Entity) -> PairScore | None:
    first, second = sorted((a.pk, b.pk))
    return current_pairs().filter(entity_a_id=first, entity_b_id=second).first()


def pair_history(a: Entity, b: Entity) -> list[dict]:
    """Every score the pair had, oldest first, with the snapshot that produced it."""
    first, second = sorted((a.pk, b.pk))
    rows = PairScore.objects.filter(entity_a_id=first, entity_b_id=second).order_by("valid_from_id")
    snapshots = {s.pk: s for s in ClosenessSnapshot.objects.filter(pk__in=rows.values("valid_from_id"))}
    return [
        {"as_of": snapshots[r.valid_from_id].as_of.isoformat(), "computed": snapshots[r.valid_from_id].started_at.isoformat(),
         "score": r.score, "current": r.valid_to_id is None}
        for r in rows
        if r.valid_from_id in snapshots
    ]


def closest_counterparts(entity: Entity, limit: int = 15) -> list[tuple[Entity, PairScore]]:
    pairs = listed_pairs().filter(Q(entity_a=entity) | Q(entity_b=entity)).order_by("-score_tenths")[:limit]
    return [(p.entity_b if p.entity_a_id == entity.pk else p.entity_a, p) for p in pairs]


def with_closest_score(entities: QuerySet[Entity]) -> QuerySet[Entity]:
    """Annotate each entity with its highest current pair score, in tenths (None when it has none listed)."""
    as_a = listed_pairs().filter(entity_a=OuterRef("pk")).order_by("-score_tenths").values("score_tenths")[:1]
    as_b = listed_pairs().filter(entity_b=OuterRef("pk")).order_by("-score_tenths").values("score_tenths")[:1]
    return entities.annotate(
        closest_a=Subquery(as_a, output_field=IntegerField()),
        closest_b=Subquery(as_b, output_field=IntegerField()),
    ).annotate(closest_tenths=Greatest("closest_a", "closest_b"))


def entities_in_band(entities: QuerySet[Entity], band: str) -> QuerySet[Entity]:
    low, high = BAND_TENTHS[band]
    in_band = current_pairs().filter(score_tenths__gte=max(low, LISTED_TENTHS), score_tenths__lte=high)
    return entities.filter(Exists(in_band.filter(entity_a=OuterRef("pk"))) | Exists(in_band.filter(entity_b=OuterRef("pk"))))


def pair_meetings(a: Entity, b: Entity, as_of, params) -> list[tuple]:
    """The meetings behind a pair's interaction component, newest first: (meeting, weight)."""
    from engagement.models import Meeting

    from .engine import shared_meetings_for_pair
    from .load import load_pair_evidence

    weighted = shared_meetings_for_pair(load_pair_evidence(a.pk, b.pk), params, as_of, a.pk, b.pk)
    meetings = Meeting.objects.in_bulk([m for m, _ in weighted])
    return [(meetings[m], weight) for m, weight in weighted if m in meetings]
