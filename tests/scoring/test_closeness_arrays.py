"""The engine's array helpers agree with the numpy functions they stand in for, and its blocked
sparse product with computing everything at once."""
from unittest.mock import patch

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import ScoringParameters, closeness_scores
from scoring.engine import closeness
from scoring.engine.closeness import in_sorted, merge_sorted, unique_ints

from .strategies import AS_OF, N_ENTITIES, evidence_sets

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


@given(keys=int_lists, extra=int_lists)
def test_merge_sorted_inserts_new_keys_in_order(keys, extra):
    keys = np.unique(np.array(keys, dtype=np.int64))
    extra = np.setdiff1d(np.array(extra, dtype=np.int64), keys)
    merged, values = merge_sorted(keys, keys * 2, extra, extra * 2)
    assert np.array_equal(merged, np.union1d(keys, extra))
    assert np.array_equal(values, merged * 2)  # each value travelled with its key


def _same_scores(left, right) -> None:
    assert left.as_dict() == right.as_dict()
    assert left.relationship_ids == right.relationship_ids


@settings(max_examples=60, deadline=None)
@given(data=evidence_sets())
def test_scores_do_not_depend_on_how_the_pair_product_is_split_into_blocks(data):
    evidence = data[0]
    whole = closeness_scores(evidence, ScoringParameters(), AS_OF)
    with patch.object(closeness, "_BLOCK_PRODUCTS", 1):  # one entity row per block
        row_by_row = closeness_scores(evidence, ScoringParameters(), AS_OF)
    _same_scores(whole, row_by_row)


@settings(max_examples=60, deadline=None)
@given(data=evidence_sets(), scope=st.sets(st.integers(1, N_ENTITIES), min_size=1, max_size=4))
def test_scoring_a_scope_gives_the_full_scores_of_the_pairs_touching_it(data, scope):
    evidence = data[0]
    full = closeness_scores(evidence, ScoringParameters(), AS_OF).as_dict()
    scoped = closeness_scores(evidence, ScoringParameters(), AS_OF, only_entities=scope).as_dict()
    assert scoped == {pair: values for pair, values in full.items() if set(pair) & scope}
