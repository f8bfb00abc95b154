"""Reads of current closeness for pages: queries in, rows out (no scoring here)."""
from __future__ import annotations

from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Greatest

from entities.models import Entity

from .models import LISTED_TENTHS, ClosenessSnapshot, PairScore

BAND_TENTHS = {"distant": (0, 39), "working": (40, 79), "close": (80, 100)}


def scores_exist() -> bool:
    """Whether a recompute has completed. Before that there are no pairs to read, and the first
    full recompute holds the pair table locked while it builds its indexes (services): pages
    must not queue behind it."""
    return ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.COMPLETE).exists()


def current_pairs() -> QuerySet[PairScore]:
    if not scores_exist():
        return PairScore.objects.none()
    return PairScore.objects.filter(valid_to__isnull=True)


def listed_pairs() -> QuerySet[PairScore]:
    """Current pairs scoring 1.0 or more: the ones the pages list (covered by partial indexes)."""
    return current_pairs().filter(score_tenths__gte=LISTED_TENTHS).select_related("entity_a", "entity_b")


def pair_for(a: Entity, b: Entity) -> PairScore | None:
    first, second = sorted((a.pk, b.pk))
    return current_pairs().filter(entity_a_id=first, entity_b_id=second).first()


def pair_history(a: Entity, b: Entity) -> list[dict]:
    """Every score the pair had, oldest first, with the snapshot that produced it."""
    if not scores_exist():
        return []
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
    # Two queries, one per side, each on its own index: with "a = x OR b = x" PostgreSQL walked the
    # whole score index instead (370 ms at 20,000 entities, against 1-12 ms for the two).
    listed = listed_pairs()
    as_a = listed.filter(entity_a=entity).order_by("-score_tenths")[:limit]
    as_b = listed.filter(entity_b=entity).order_by("-score_tenths")[:limit]
    pairs = sorted([*as_a, *as_b], key=lambda p: (-p.score_tenths, p.entity_a_id, p.entity_b_id))[:limit]
    return [(p.entity_b if p.entity_a_id == entity.pk else p.entity_a, p) for p in pairs]


def with_closest_score(entities: QuerySet[Entity]) -> QuerySet[Entity]:
    """Annotate each entity with its highest current pair score, in tenths (None when it has none listed)."""
    listed = listed_pairs()
    as_a = listed.filter(entity_a=OuterRef("pk")).order_by("-score_tenths").values("score_tenths")[:1]
    as_b = listed.filter(entity_b=OuterRef("pk")).order_by("-score_tenths").values("score_tenths")[:1]
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


CATEGORY_COLOURS = {
    "law_enforcement": "#1f4e96",
    "law_enforcement_affiliate": "#5b7fbf",
    "oversight": "#b3261e",
    "advocacy": "#2e7d32",
    "government": "#7b3fa0",
    "community": "#e08a00",
    "person_of_influence": "#6d4c41",
    "individual": "#757575",
}
NETWORK_MAX_EDGES = 300


def network_graph(*, band: str | None = None, jurisdiction: str = "", ego: Entity | None = None, limit: int = NETWORK_MAX_EDGES) -> dict:
    """Nodes and edges for the network page: the closest pairs (optionally in a band, a
    jurisdiction, or around one entity), at most `limit` edges so the graph stays readable."""
    pairs = listed_pairs()
    if band:
        low, high = BAND_TENTHS[band]
        pairs = pairs.filter(score_tenths__gte=max(low, LISTED_TENTHS), score_tenths__lte=high)
    if jurisdiction:
        pairs = pairs.filter(entity_a__jurisdiction=jurisdiction, entity_b__jurisdiction=jurisdiction)
    if ego is not None:
        pairs = pairs.filter(Q(entity_a=ego) | Q(entity_b=ego))
    pairs = list(pairs.order_by("-score_tenths", "entity_a_id", "entity_b_id")[:limit])
    nodes = {}
    for pair in pairs:
        for entity in (pair.entity_a, pair.entity_b):
            nodes[entity.pk] = {
                "id": entity.external_id,
                "label": entity.name,
                "category": entity.category,
                "colour": CATEGORY_COLOURS.get(entity.category, "#999"),
                "url": f"/entities/{entity.external_id}/",
                "ego": ego is not None and entity.pk == ego.pk,
            }
    edges = [
        {"source": p.entity_a.external_id, "target": p.entity_b.external_id, "score": p.score, "band": p.band}
        for p in pairs
    ]
    return {"nodes": list(nodes.values()), "edges": edges}
