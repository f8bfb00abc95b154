"""What a merge keeps of the twin's scores, so that undoing it gives the twin's pairs their history
back (`entities.services.entity_merge` and `entity_merge_undo`).

Deleting the twin deletes its pair rows, current and earlier, and the band moves recorded for its
pairs (their foreign keys cascade). They are kept in the merge's record, by id, and put back when
the twin comes back under its old id: its weak pairs' changes, stored packed by entity id, were
never deleted, so with the same id every version of every pair is there again, and its pages chart
them as before. Rows naming an entity or a snapshot that has gone since are left out."""
from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from entities.models import Entity

from .models import BandCrossing, ClosenessSnapshot, PairScore, PairScoreHistory

_ROW = ("entity_a", "entity_b", "score_tenths", "formal_tenths", "interaction_tenths", "financial_tenths", "analyst_tenths",
        "relationship_ids", "relationship_digest", "valid_from")
_CROSSING = ("snapshot", "entity_a", "entity_b", "before_tenths", "after_tenths")
_FOREIGN_KEYS = {"entity_a", "entity_b", "valid_from", "valid_to", "snapshot"}


def _attnames(fields: tuple[str, ...]) -> tuple[str, ...]:
    """The names to give a model its values by (a foreign key by its id: `entity_a_id`)."""
    return tuple(f"{name}_id" if name in _FOREIGN_KEYS else name for name in fields)


def pair_scores_kept(entity_id: int) -> dict[str, list[list]]:
    """The pair rows of `entity_id` (current, and earlier with the snapshot that ended each) and the
    band moves of its pairs, as lists of values (JSON) in `_ROW` and `_CROSSING` order."""
    of = Q(entity_a=entity_id) | Q(entity_b=entity_id)
    return {
        "current": [list(row) for row in PairScore.objects.filter(of).order_by("pk").values_list(*_ROW)],
        "history": [list(row) for row in PairScoreHistory.objects.filter(of).order_by("pk").values_list(*_ROW, "valid_to")],
        "crossings": [list(row) for row in BandCrossing.objects.filter(of).order_by("pk").values_list(*_CROSSING)],
    }


def pair_scores_restored(kept: dict[str, list[list]], *, merged_at: datetime) -> int:
    """Put back what `pair_scores_kept` kept, once the twin is stored again under its old id; rows
    whose other entity or snapshot has gone since are left out. The rows current at the merge come
    back current when no recompute has completed since, else as history ended by the first that did
    (the one that found them gone). Returns how many rows were put back."""
    history_rows, current_rows, crossing_rows = kept.get("history", []), kept.get("current", []), kept.get("crossings", [])
    named = {row[i] for row in history_rows + current_rows for i in (0, 1)} | {row[i] for row in crossing_rows for i in (1, 2)}
    entities = set(Entity.objects.filter(pk__in=named).values_list("pk", flat=True))
    complete = ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.COMPLETE)
    cited = {row[i] for row in history_rows for i in (9, 10)} | {row[9] for row in current_rows} | {row[0] for row in crossing_rows}
    snapshots = set(complete.filter(pk__in=cited).values_list("pk", flat=True))
    first_after = complete.filter(started_at__gte=merged_at).order_by("pk").values_list("pk", flat=True).first()

    def still_there(a: int, b: int, *snapshot_ids: int) -> bool:
        return a in entities and b in entities and all(s in snapshots for s in snapshot_ids)

    history = [PairScoreHistory(**dict(zip(_attnames((*_ROW, "valid_to")), row))) for row in history_rows
               if still_there(row[0], row[1], row[9], row[10])]
    current = [dict(zip(_attnames(_ROW), row)) for row in current_rows if still_there(row[0], row[1], row[9])]
    if first_after is None:
        rows_now = [PairScore(**values) for values in current]
    else:
        rows_now = []
        history += [PairScoreHistory(**values, valid_to_id=first_after) for values in current]
    PairScore.objects.bulk_create(rows_now)
    PairScoreHistory.objects.bulk_create(history)
    crossings = [BandCrossing(**dict(zip(_attnames(_CROSSING), row))) for row in crossing_rows if still_there(row[1], row[2], row[0])]
    BandCrossing.objects.bulk_create(crossings)
    return len(rows_now) + len(history) + len(crossings)
