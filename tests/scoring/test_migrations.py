"""Migrations that move data: forward and back, nothing lost."""
from datetime import date

import pytest

from tests.migrations import migrated, migrated_to_the_latest

BEFORE = [("scoring", "0005_weak_pairs")]
AFTER = [("scoring", "0006_pair_history_table")]


def _pair(apps, model, **fields):
    return apps.get_model("scoring", model).objects.create(
        score_tenths=fields.pop("score"), formal_tenths=0, interaction_tenths=0, financial_tenths=0, analyst_tenths=0,
        relationship_ids=fields.pop("ids", []), relationship_digest=0, **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_the_history_table_migration_moves_closed_rows_there_and_back():
    apps = migrated(BEFORE)
    entity = apps.get_model("entities", "Entity")
    a, b = (entity.objects.create(external_id=f"m-{i}", name=f"M {i}", kind="person") for i in range(2))
    first, second = (apps.get_model("scoring", "ClosenessSnapshot").objects.create(as_of=date(2026, 1, d), parameters={}) for d in (1, 2))
    _pair(apps, "PairScore", entity_a=a, entity_b=b, score=40, ids=[7], valid_from=first, valid_to=second)
    _pair(apps, "PairScore", entity_a=a, entity_b=b, score=55, ids=[7, 8], valid_from=second, valid_to=None)
    try:
        apps = migrated(AFTER)
        current = apps.get_model("scoring", "PairScore").objects.get()
        closed = apps.get_model("scoring", "PairScoreHistory").objects.get()
        versions = apps.get_model("scoring", "PairScoreVersion").objects.order_by("valid_from_id")

        assert (current.score_tenths, current.relationship_ids, current.valid_from_id) == (55, [7, 8], second.pk)
        assert (closed.score_tenths, closed.relationship_ids, closed.valid_from_id, closed.valid_to_id) == (40, [7], first.pk, second.pk)
        assert [(v.score_tenths, v.valid_to_id) for v in versions] == [(40, second.pk), (55, None)]

        apps = migrated(BEFORE)
        rows = apps.get_model("scoring", "PairScore").objects.order_by("valid_from_id").values_list("score_tenths", "valid_to")
        assert list(rows) == [(40, second.pk), (55, None)]
    finally:
        migrated_to_the_latest()


@pytest.mark.django_db(transaction=True)
def test_the_band_counts_migration_counts_the_scores_current_at_the_upgrade():
    apps = migrated([("scoring", "0012_owed_recompute")])
    entity = apps.get_model("entities", "Entity")
    people = [entity.objects.create(external_id=f"m-{i}", name=f"M {i}", kind="person") for i in range(4)]
    snapshot = apps.get_model("scoring", "ClosenessSnapshot")
    earlier = snapshot.objects.create(as_of=date(2026, 1, 1), parameters={}, status="complete")
    current = snapshot.objects.create(as_of=date(2026, 2, 1), parameters={}, status="complete")
    snapshot.objects.create(as_of=date(2026, 3, 1), parameters={}, status="failed")
    for (a, b), score in zip([(0, 1), (0, 2), (1, 2), (2, 3), (1, 3)], [85, 80, 79, 40, 39]):
        _pair(apps, "PairScore", entity_a=people[a], entity_b=people[b], score=score, valid_from=current)
    try:
        apps = migrated([("scoring", "0013_snapshot_band_counts")])
        counted = apps.get_model("scoring", "ClosenessSnapshot").objects.in_bulk([earlier.pk, current.pk])

        assert (counted[current.pk].close_pairs, counted[current.pk].working_pairs) == (2, 2)
        assert (counted[earlier.pk].close_pairs, counted[earlier.pk].working_pairs) == (None, None)  # not counted then
    finally:
        migrated_to_the_latest()
