"""The engine's closeness helpers (scoring/engine/closeness.py): its array helpers agree with the
numpy functions they stand in for, its relationship terms with the rule one relationship at a time,
and what the pair and meeting pages explain with what the engine stored. The ten properties of the
scores: test_closeness_properties.py."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relationships.types import MONEY_TYPES, ONE_OFF_TYPES
from scoring.engine import ScoringParameters, closeness_scores, shared_meetings_for_pair
from scoring.engine.closeness import in_sorted, interaction_from_meetings, marked_ids, relationship_terms, tenths_half_up
from scoring.engine.data import RelationshipColumns
from tests.examples import examples
from tests.scoring.strategies import AS_OF, N_ENTITIES, evidence_sets, relationships

int_lists = st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=200)


@given(values=int_lists, keys=int_lists)
def test_in_sorted_is_isin_for_sorted_keys(values, keys):
    values, keys = np.array(values, dtype=np.int64), np.sort(np.array(keys, dtype=np.int64))
    assert np.array_equal(in_sorted(values, keys), np.isin(values, keys))


@given(ids=st.lists(st.integers(0, 5000), max_size=40), largest=st.integers(0, 6000))
def test_marked_ids_mark_exactly_the_ids_and_reach_largest(ids, largest):
    marked = marked_ids(np.array(ids, dtype=np.int64), largest)
    assert len(marked) == max([largest, *ids]) + 1
    assert np.flatnonzero(marked).tolist() == sorted(set(ids))


def test_in_sorted_with_no_keys_finds_nothing():
    assert in_sorted(np.array([1, 2], dtype=np.int64), np.zeros(0, np.int64)).tolist() == [False, False]


@settings(max_examples=examples(60), deadline=None)
@given(data=evidence_sets(), scope=st.sets(st.integers(1, N_ENTITIES), min_size=1, max_size=4))
def test_scoring_a_scope_gives_the_full_scores_of_the_pairs_touching_it(data, scope):
    evidence = data[0]
    full = closeness_scores(evidence, ScoringParameters(), AS_OF).as_dict()
    scoped = closeness_scores(evidence, ScoringParameters(), AS_OF, only_entities=scope).as_dict()
    assert scoped == {pair: values for pair, values in full.items() if set(pair) & scope}


def _terms_one_by_one(relationships, params, ref_day, width):
    """The relationship rule of docs/scoring.md, one relationship at a time (the oracle)."""
    out = {}
    for rel in relationships:
        start = rel.start_date.toordinal() if rel.start_date else None
        if rel.source == rel.target or (start is not None and start > ref_day):
            continue
        if rel.type in ONE_OFF_TYPES:
            age = ref_day - start if start is not None else 0
        elif rel.end_date is None or rel.end_date.toordinal() >= ref_day:
            age = 0
        else:
            age = ref_day - rel.end_date.toordinal()
        t = 0.5 ** (age / params.half_life_days)
        weight = min(params.relationship_type_weights.get(rel.type, 0.0), 0.999)
        formal = weight > 0 and rel.type not in MONEY_TYPES
        money = rel.type in MONEY_TYPES and bool(rel.amount)
        if not (formal or money or rel.analyst_score is not None):
            continue
        key = min(rel.source, rel.target) * width + max(rel.source, rel.target)
        pair = out.setdefault(key, {"formal_log": 0.0, "formal_fresh": 0.0, "money": 0.0, "money_fresh": 0.0, "analyst": 0.0, "ids": []})
        pair["formal_log"] += math.log1p(-weight * t) if formal else 0.0
        pair["formal_fresh"] = max(pair["formal_fresh"], t if formal else 0.0)
        pair["money"] += rel.amount * t if money else 0.0
        pair["money_fresh"] = max(pair["money_fresh"], t if money else 0.0)
        pair["analyst"] = max(pair["analyst"], rel.analyst_score * t if rel.analyst_score is not None else 0.0)
        pair["ids"].append(rel.id)
    return out


@settings(max_examples=examples(80), deadline=None)
@given(rels=relationships(max_size=25), shift=st.integers(-4000, 4000))
def test_relationship_terms_follow_the_rule_relationship_by_relationship(rels, shift):
    params, ref_day, width = ScoringParameters(), AS_OF.toordinal() + shift, N_ENTITIES + 1
    terms = relationship_terms(RelationshipColumns.of(rels), params, ref_day, None, width)
    expected = _terms_one_by_one(rels, params, ref_day, width)
    assert terms.keys.tolist() == sorted(expected)
    ids_by_pair = terms.ids_by_pair(np.arange(len(terms.keys)))
    for i, key in enumerate(terms.keys.tolist()):
        assert terms.formal_log[i] == pytest.approx(expected[key]["formal_log"], rel=1e-12, abs=1e-15)
        assert terms.formal_fresh[i] == pytest.approx(expected[key]["formal_fresh"], rel=1e-12)
        assert terms.money[i] == pytest.approx(expected[key]["money"], rel=1e-12)
        assert terms.money_fresh[i] == pytest.approx(expected[key]["money_fresh"], rel=1e-12)
        assert terms.analyst[i] == pytest.approx(expected[key]["analyst"], rel=1e-12)
        assert ids_by_pair[i] == tuple(sorted(expected[key]["ids"]))


@settings(max_examples=examples(40), deadline=None)
@given(data=evidence_sets())
def test_the_pair_pages_interaction_from_its_meetings_is_the_engines(data):
    """What the pair page computes from the meetings it lists (`interaction_from_meetings`, capped
    by the latest) is the interaction the engine stored, pair by pair."""
    evidence = data[0]
    params = ScoringParameters()
    for (a, b), values in closeness_scores(evidence, params, AS_OF).as_dict().items():
        shared = shared_meetings_for_pair(evidence, params, AS_OF, a, b)
        days = dict(zip(evidence.meetings.meeting_id.tolist(), evidence.meetings.meeting_day.tolist()))
        latest = max((days[m] for m, _ in shared), default=None)
        uncapped, cap = interaction_from_meetings([w for _, w in shared], latest, params, AS_OF.toordinal())
        assert tenths_half_up(np.array([min(uncapped, cap) if shared else 0.0]))[0] / 10 == values["interaction"], (a, b)


@given(evidence_sets(), st.integers(0, 3000))
def test_a_meetings_explained_weight_is_its_weight_for_every_pair_present(data, days_later):
    """The meeting page's explanation (type x size x time) gives the weight the engine puts on the
    meeting for each of its pairs, as the pair page lists it."""
    from datetime import timedelta

    from scoring.engine.closeness import meeting_weight_explained

    data, _, _ = data
    params = ScoringParameters()
    as_of = AS_OF + timedelta(days=days_later)
    meetings = data.meetings
    for position, meeting_id in enumerate(meetings.meeting_id.tolist()):
        present = sorted(set(meetings.attendance_entity[meetings.attendance_meeting == position].tolist()))
        attendees = int((meetings.attendance_meeting == position).sum())
        explained = meeting_weight_explained(str(meetings.meeting_type[position]), int(meetings.meeting_day[position]), attendees, params, as_of.toordinal())
        assert math.isclose(explained["weight"], explained["type_weight"] * explained["size_factor"] * explained["time_factor"], rel_tol=1e-12)
        if len(present) >= 2 and explained["weight"] > 0:
            listed = dict(shared_meetings_for_pair(data, params, as_of, present[0], present[1]))
            assert math.isclose(listed[meeting_id], explained["weight"], rel_tol=1e-12)
