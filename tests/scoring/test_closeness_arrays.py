"""The engine's array helpers agree with the numpy functions they stand in for."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine.closeness import in_sorted, unique_ints

int_lists = st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=200)


@given(values=int_lists, keys=int_lists)
def test_in_sorted_is_isin_for_sorted_keys(values, keys):
    values, keys = np.array(values, dtype=np.int64), np.sort(np.array(keys, dtype=np.int64))
    assert np.array_equal(in_sorted(values, keys), np.isin(values, keys))


@given(values=int_lists)
def test_unique_ints_is_sorted_unique(values):
    values = np.array(values, dtype=np.int64)
    assert np.array_equal(unique_ints(values), np.unique(values))


def test_in_sorted_with_no_keys_finds_nothing():
    assert in_sorted(np.array([1, 2], dtype=np.int64), np.zeros(0, np.int64)).tolist() == [False, False]
