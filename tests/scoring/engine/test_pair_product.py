"""The engine's compiled pair product (scoring/engine/pair_product.py): its kernels against the
plain matrix product and the array formula, however the rows are split between threads."""
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import ScoringParameters, closeness_scores, pair_product
from tests.examples import examples
from tests.scoring.strategies import AS_OF, evidence_sets

def _same_scores(left, right) -> None:
    assert left.as_dict() == right.as_dict()
    assert left.relationship_ids == right.relationship_ids


@settings(max_examples=examples(60), deadline=None)
@given(data=evidence_sets())
def test_scores_do_not_depend_on_how_the_rows_are_split_between_threads(data):
    evidence = data[0]
    with patch.object(pair_product, "THREADS", 1):
        one = closeness_scores(evidence, ScoringParameters(), AS_OF)
    with patch.object(pair_product, "THREADS", 5):  # more parts than the rows of some examples
        many = closeness_scores(evidence, ScoringParameters(), AS_OF)
    _same_scores(one, many)


presence = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 9)), max_size=40)


@settings(max_examples=examples(120), deadline=None)
@given(
    present=presence,
    weights=st.lists(st.floats(0.01, 2.0), min_size=8, max_size=8),
    fresh=st.lists(st.floats(0.0, 1.0), min_size=8, max_size=8),
    partners=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=6),
    cutoff=st.floats(0.0, 3.0),
    scope=st.one_of(st.none(), st.lists(st.booleans(), min_size=10, max_size=10)),
    extra_pairs=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=6),
)
def test_pair_masses_are_the_product_of_attendance_with_itself(present, weights, fresh, partners, cutoff, scope, extra_pairs):
    """The compiled kernel against the plain matrix product (the oracle), pair by pair."""
    present = sorted(set(present))
    meeting = np.array([m for m, _ in present], dtype=np.int64)
    entity = np.array([e for _, e in present], dtype=np.int64)
    weights = np.array(weights)
    shape = (8, 10)
    weighted, ones = np.zeros(shape), np.zeros(shape)  # meetings x entities (each presence once)
    weighted[meeting, entity] = weights[meeting]
    ones[meeting, entity] = 1.0
    product = weighted.T @ ones  # mass of (i, j): the summed weights of the meetings both were at
    fresh = np.array(fresh)
    freshest = {(i, j): max((fresh[m] for m in range(8) if ones[m, i] and ones[m, j]), default=0.0)
                for i in range(10) for j in range(i + 1, 10)}
    # extra pairs (as the engine passes every relationship pair): partners too, touching the scope
    extra = sorted({(min(i, j), max(i, j)) for i, j in extra_pairs if i != j and (scope is None or scope[i] or scope[j])})
    partners = partners + extra
    partner_set = {(min(i, j), max(i, j)) for i, j in partners if i != j}
    expected = {
        (i, j): product[i, j]
        for i in range(10)
        for j in range(i + 1, 10)
        if product[i, j] > 0
        and (product[i, j] >= cutoff or (i, j) in partner_set)
        and (scope is None or scope[i] or scope[j])
    }
    pairs = (np.array([i for i, _ in partners], dtype=np.int64), np.array([j for _, j in partners], dtype=np.int64))
    ids = np.arange(10, dtype=np.int64) * 3 + 7  # entity ids, ascending; the kernel works on their positions
    position = {entity_id: p for p, entity_id in enumerate(ids.tolist())}
    a, b, mass, freshness, extra_at = pair_product.pair_masses(
        meeting, entity, weights, fresh, ids, 100, pairs, cutoff, None if scope is None else np.array(scope),
        np.array([ids[i] * 100 + ids[j] for i, j in extra], dtype=np.int64),
    )
    found = [(position[x], position[y]) for x, y in zip(a.tolist(), b.tolist())]
    expected.update({pair: product[pair] for pair in extra if pair not in expected})  # 0.0 when they never met
    assert found == sorted(expected)  # each pair once, in order
    assert mass.tolist() == pytest.approx([expected[pair] for pair in sorted(expected)])
    assert freshness.tolist() == [freshest[pair] for pair in sorted(expected)]  # the freshest shared meeting's
    assert [found[at] for at in extra_at.tolist()] == extra  # where each extra pair is


@given(
    masses=st.lists(st.floats(0.0, 50.0), min_size=1, max_size=40),
    caps=st.lists(st.floats(0.0, 12.0), min_size=40, max_size=40),
    weight=st.floats(0.0, 1.0),
    factors=st.lists(st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0)), max_size=40),
    data=st.data(),
)
def test_scored_pairs_follow_the_array_formula_and_drop_zeros(masses, caps, weight, factors, data):
    """The compiled pass against the formula of docs/scoring.md written as numpy arrays, and its
    in-place dropping of the pairs that score 0.0 against a boolean mask."""
    mass = np.array(masses)
    n_rel = min(len(factors), len(mass))
    positions = np.array(sorted(data.draw(st.sets(st.integers(0, len(mass) - 1), min_size=n_rel, max_size=n_rel))), np.int64)
    f1, f2, f3 = (np.array([f[i] for f in factors[:n_rel]]) for i in range(3))
    decay = np.exp(-mass / 3.0)
    cap = np.array(caps[: len(mass)])
    entity_a, entity_b = np.arange(len(mass), dtype=np.int64), np.arange(len(mass), dtype=np.int64) + 100
    kept, score, interaction, moved_to, rel_kept = pair_product.scored_pairs(
        entity_a, entity_b, decay, cap, weight, positions, f1, f2, f3
    )

    expected_interaction = np.minimum(10.0 * (1.0 - decay), cap)
    remaining = 1.0 - weight * expected_interaction / 10.0
    remaining[positions] = f1 * remaining[positions] * f2 * f3
    expected_score = np.floor(np.clip(10.0 * (1.0 - remaining), 0.0, 10.0) * 10.0 + 0.5 + 1e-9).astype(int)
    scoring = expected_score > 0
    assert kept == int(scoring.sum())
    assert score.tolist() == expected_score[scoring].tolist()
    assert interaction.tolist() == np.floor(expected_interaction * 10.0 + 0.5 + 1e-9).astype(int)[scoring].tolist()
    assert entity_a[:kept].tolist() == np.flatnonzero(scoring).tolist()
    assert entity_b[:kept].tolist() == (np.flatnonzero(scoring) + 100).tolist()
    # the relationship pairs kept: where they moved, and which they were
    assert rel_kept.tolist() == np.flatnonzero(scoring[positions]).tolist()
    assert entity_a[moved_to].tolist() == positions[rel_kept].tolist()


def test_warm_up_runs_every_kernel_on_a_tiny_example():
    pair_product.warm_up()  # what the image build runs: it must not fail on any kernel
    assert pair_product.scored_pairs.signatures and pair_product.changed_packed.signatures
