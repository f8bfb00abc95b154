"""Recompute: the one service behind the `recompute` command, the nightly task and the
incremental task queued when evidence changes."""
from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.bulk import bulk_insert

from .engine import PairScores, closeness_scores
from .load import load_entities, load_evidence
from .models import ClosenessSnapshot, PairScore, RecomputeLock, ScoringSettings

logger = logging.getLogger(__name__)

_CLOSE_BATCH = 20000


def current_snapshot() -> ClosenessSnapshot | None:
    return ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.COMPLETE).order_by("-id").first()


def _acquire_recompute_lock() -> None:
    """Block until no other recompute holds the lock; released when the transaction ends."""
    RecomputeLock.objects.get_or_create(name="recompute")
    RecomputeLock.objects.select_for_update().get(name="recompute")


def _pair_values(scores: PairScores, i: int) -> tuple:
    key = (int(scores.entity_a[i]), int(scores.entity_b[i]))
    return (
        float(scores.score[i]),
        float(scores.formal[i]),
        float(scores.interaction[i]),
        float(scores.financial[i]),
        float(scores.analyst[i]),
        tuple(scores.relationship_ids.get(key, ())),
    )


def pair_scores_write(*, snapshot: ClosenessSnapshot, scores: PairScores, entity_scope: set[int] | None) -> int:
    """Store the new scores as of `snapshot`: close the intervals of pairs whose score changed or
    vanished and open new ones. Unchanged pairs are not touched. Returns how many pairs changed."""
    current = PairScore.objects.filter(valid_to__isnull=True)
    if entity_scope is not None:
        current = current.filter(Q(entity_a_id__in=entity_scope) | Q(entity_b_id__in=entity_scope))
    old = {}
    for row in current.values_list(
        "id", "entity_a_id", "entity_b_id", "score", "formal", "interaction", "financial", "analyst", "relationship_ids"
    ).iterator(chunk_size=50000):
        old[(row[1], row[2])] = (row[0], (*(float(v) for v in row[3:8]), tuple(row[8])))

    to_close: list[int] = []
    to_insert: list[tuple] = []
    for i in range(len(scores)):
        key = (int(scores.entity_a[i]), int(scores.entity_b[i]))
        values = _pair_values(scores, i)
        previous = old.pop(key, None)
        if previous is not None:
            if previous[1] == values:
                continue
            to_close.append(previous[0])
        to_insert.append((key[0], key[1], *values[:5], list(values[5]), snapshot.pk))
    to_close.extend(row_id for row_id, _ in old.values())  # pairs whose evidence no longer scores

    for start in range(0, len(to_close), _CLOSE_BATCH):
        PairScore.objects.filter(id__in=to_close[start : start + _CLOSE_BATCH]).update(valid_to=snapshot)
    bulk_insert(
        PairScore,
        ["entity_a_id", "entity_b_id", "score", "formal", "interaction", "financial", "analyst", "relationship_ids", "valid_from_id"],
        to_insert,
    )
    return len(to_insert) + len(old)


def recompute(
    *, as_of: date, entity_scope: set[int] | None = None, triggered_by: str = ""
) -> ClosenessSnapshot:
    """Recompute closeness (all pairs, or those touching `entity_scope`) and then every flag.

    The snapshot row is committed first (so pages can show a recompute is running); the scores and
    flags are written in one transaction under a lock, so a failure leaves the previous ones in
    place and two recomputes never interleave."""
    from conflicts.services import flags_refresh

    parameters = ScoringSettings.load().scoring_parameters
    snapshot = ClosenessSnapshot.objects.create(
        as_of=as_of,
        parameters=parameters.to_dict(),
        scope=ClosenessSnapshot.Scope.FULL if entity_scope is None else ClosenessSnapshot.Scope.INCREMENTAL,
        triggered_by=triggered_by[:200],
    )
    try:
        with transaction.atomic():
            _acquire_recompute_lock()
            evidence = load_evidence(entity_scope)
            scores = closeness_scores(evidence, parameters, as_of, only_entities=entity_scope)
            snapshot.pairs_changed = pair_scores_write(snapshot=snapshot, scores=scores, entity_scope=entity_scope)
            entities = {e.id: e for e in evidence.entities} if evidence.entities else load_entities()
            snapshot.flags_raised = flags_refresh(
                snapshot=snapshot, as_of=as_of, entities=entities, relationships=evidence.relationships
            )
            snapshot.pairs_current = PairScore.objects.filter(valid_to__isnull=True).count()
            snapshot.status = ClosenessSnapshot.Status.COMPLETE
            snapshot.finished_at = timezone.now()
            snapshot.save()
    except Exception as exc:
        ClosenessSnapshot.objects.filter(pk=snapshot.pk).update(
            status=ClosenessSnapshot.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    logger.info("recompute %s as of %s: %s pairs changed, %s flags", snapshot.scope, as_of, snapshot.pairs_changed, snapshot.flags_raised)
    return snapshot


def recompute_for_entities(*, entity_ids: set[int], today: date, triggered_by: str = "") -> ClosenessSnapshot:
    """After evidence about these entities changed: recompute the pairs touching them, or everything
    when the current scores are not as of `today` (so all pairs always share one reference date)."""
    latest = current_snapshot()
    if latest is None or latest.as_of != today or not entity_ids:
        return recompute(as_of=today, triggered_by=triggered_by or "evidence changed")
    return recompute(as_of=today, entity_scope=set(entity_ids), triggered_by=triggered_by or "evidence changed")
