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
