"""Comparing two sets of scores (engine.compare): what proposed settings would change."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine.compare import close_shift, listed_by_band

pairs = st.dictionaries(
    st.tuples(st.integers(1, 30), st.integers(1, 30)).filter(lambda p: p[0] < p[1]), st.integers(0, 100), max_size=60
)


def as_arrays(scores: dict) -> tuple:
    ordered = sorted(scores)
    return (np.array([a for a, _ in ordered], np.int64), np.array([b for _, b in ordered], np.int64),
            np.array([scores[p] for p in ordered], np.int16))


@given(pairs, pairs)
def test_the_pairs_entering_and_leaving_close_and_the_bands_are_those_of_the_two_sets(before, after):
    shift = close_shift(as_arrays(before), as_arrays(after))

    close_before = {p for p, t in before.items() if t >= 80}
    close_after = {p for p, t in after.items() if t >= 80}
    assert {(a, b) for a, b, _, _ in shift.entered} == close_after - close_before
    assert {(a, b) for a, b, _, _ in shift.left} == close_before - close_after
    assert all((was, now) == (before.get((a, b), 0), after[(a, b)]) for a, b, was, now in shift.entered)
    assert all((was, now) == (before[(a, b)], after.get((a, b), 0)) for a, b, was, now in shift.left)
    moves = [abs(now - was) for _, _, was, now in shift.entered]
    assert moves == sorted(moves, reverse=True)  # the largest moves first
    for scores, counts in ((before, shift.before), (after, shift.after)):
        listed = [t for t in scores.values() if t >= 10]
        assert counts == {"close": sum(t >= 80 for t in listed), "working": sum(40 <= t < 80 for t in listed), "distant": sum(t < 40 for t in listed)}


def test_no_scores_on_either_side():
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int16))

    shift = close_shift(empty, empty)

    assert (shift.entered, shift.left, shift.before) == ([], [], listed_by_band(np.zeros(0, np.int16)))
