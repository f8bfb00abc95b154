"""Shared checks of recomputes for tests of any app."""
from scoring.models import ClosenessSnapshot
from scoring.selectors import current_pair_scores
from scoring.services import recompute


def assert_incremental_gave_what_a_full_recompute_gives(as_of) -> None:
    """The last recompute (queued by an evidence change) was incremental, and a full recompute as
    of the same date changes no pair it left."""
    assert ClosenessSnapshot.objects.latest().scope == "incremental"
    after_incremental = current_pair_scores()
    assert recompute(as_of=as_of).pairs_changed == 0
    assert current_pair_scores() == after_incremental


def scores_at(snapshot_id: int) -> dict[tuple[int, int], int]:
    """Every pair's score (tenths) in force at a snapshot, from the stored versions (a weak pair,
    under 1.0 and packed, has none: it reads as 0)."""
    from scoring.models import PairScoreVersion

    rows = PairScoreVersion.objects.filter(valid_from_id__lte=snapshot_id)
    return {(r.entity_a_id, r.entity_b_id): r.score_tenths for r in rows if r.valid_to_id is None or r.valid_to_id > snapshot_id}
