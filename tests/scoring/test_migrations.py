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
def test_the_band_counts_migration_counts_every_recompute_before_from_the_pair_versions():
    apps = migrated([("scoring", "0012_owed_recompute")])
    entity = apps.get_model("entities", "Entity")
    people = [entity.objects.create(external_id=f"m-{i}", name=f"M {i}", kind="person") for i in range(4)]
    snapshot = apps.get_model("scoring", "ClosenessSnapshot")
    first, failed, second, third = (snapshot.objects.create(as_of=date(2026, 1, day), parameters={}, status=status)
                                    for day, status in ((1, "complete"), (2, "failed"), (3, "complete"), (4, "complete")))
    pair = {(a, b): dict(entity_a=people[a], entity_b=people[b]) for a in range(4) for b in range(a + 1, 4)}
    # 0-1: close from the first, working from the third; 0-2: working from the first, gone at the
    # second; 1-2: distant; 2-3: close from the second
    _pair(apps, "PairScoreHistory", **pair[0, 1], score=85, valid_from=first, valid_to=third)
    _pair(apps, "PairScore", **pair[0, 1], score=60, valid_from=third)
    _pair(apps, "PairScoreHistory", **pair[0, 2], score=45, valid_from=first, valid_to=second)
    _pair(apps, "PairScore", **pair[1, 2], score=39, valid_from=first)
    _pair(apps, "PairScore", **pair[2, 3], score=80, valid_from=second)
    try:
        apps = migrated([("scoring", "0013_snapshot_band_counts")])
        counted = apps.get_model("scoring", "ClosenessSnapshot").objects.in_bulk()

        assert [(counted[s.pk].close_pairs, counted[s.pk].working_pairs) for s in (first, failed, second, third)] == [
            (1, 1), (None, None), (2, 0), (1, 1)]
    finally:
        migrated_to_the_latest()


@pytest.mark.django_db
def test_the_band_counts_migration_counts_what_the_recomputes_count(lakeside):
    """Recomputes out of date order and an incremental one, counted as they ran, then again by the
    migration from their pair versions: the same counts."""
    import importlib

    from django.apps import apps

    from scoring.models import ClosenessSnapshot
    from scoring.services import recompute

    for day in (date(2024, 1, 1), date(2026, 6, 30), date(2025, 6, 30), date(2031, 1, 1)):
        recompute(as_of=day)
    recompute(as_of=date(2026, 6, 30), entity_scope=set(apps.get_model("entities", "Entity").objects.values_list("pk", flat=True)[:5]))
    as_counted = list(ClosenessSnapshot.objects.order_by("id").values_list("close_pairs", "working_pairs"))
    ClosenessSnapshot.objects.update(close_pairs=None, working_pairs=None)

    importlib.import_module("scoring.migrations.0013_snapshot_band_counts").count_every_snapshot(apps, None)

    assert list(ClosenessSnapshot.objects.order_by("id").values_list("close_pairs", "working_pairs")) == as_counted
    assert len(set(as_counted)) > 1
