"""The ten closeness properties of ../shared/spec/scoring.md, as property tests on the pure engine."""
from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import EntityRecord, Evidence, MeetingTable, RelationshipRecord, ScoringParameters, band_for_score, closeness_scores
from scoring.engine.closeness import tenths_half_up

from tests.examples import examples
from tests.scoring.strategies import AS_OF, build, evidence_sets, meetings, relationships, ten_years_before

PARAMS = ScoringParameters()
PROPERTY_SETTINGS = settings(max_examples=examples(40), deadline=None)


def scores(evidence, as_of=AS_OF, params=PARAMS) -> dict:
    return closeness_scores(evidence, params, as_of).as_dict()


# 1. Bounded ----------------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(evidence_sets())
def test_every_score_and_component_is_within_0_and_10(data):
    evidence, _, _ = data
    for values in scores(evidence).values():
        for name in ("score", "formal", "interaction", "financial", "analyst"):
            assert 0 <= values[name] <= 10
        assert values["score"] > 0  # pairs that round to zero are not kept


def test_bands_follow_the_thresholds():
    assert [band_for_score(s) for s in (0, 3.9, 4.0, 7.9, 8.0, 10)] == [
        "distant", "distant", "working", "working", "close", "close",
    ]


# 2. Symmetric --------------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(evidence_sets())
def test_reversing_every_relationship_and_reordering_attendance_changes_no_score(data):
    evidence, meeting_rows, attendance = data
    reversed_rels = [r._replace(source=r.target, target=r.source) for r in evidence.relationships
                     if r.type in ("partners_with", "family", "personal")] + [
                     r for r in evidence.relationships if r.type not in ("partners_with", "family", "personal")]
    mirrored = build(reversed_rels, meeting_rows, list(reversed(attendance)))

    result = closeness_scores(evidence, PARAMS, AS_OF)

    assert scores(mirrored) == result.as_dict()
    assert all(a < b for a, b in zip(result.entity_a, result.entity_b))


# 3. Monotone ---------------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(evidence_sets(), relationships(first_id=1000, max_size=5), meetings(first_id=1000, max_size=4))
def test_adding_evidence_never_lowers_any_score(data, extra_rels, extra_meetings):
    evidence, meeting_rows, attendance = data
    before = scores(evidence)

    after = scores(build(evidence.relationships + extra_rels, meeting_rows + extra_meetings[0], attendance + extra_meetings[1]))

    for pair, values in before.items():
        assert after[pair]["score"] >= values["score"], pair


# 4. Decays -----------------------------------------------------------------------------------
def _shift(evidence_rows, days):
    rels, meeting_rows, attendance = evidence_rows
    back = timedelta(days=days)
    moved = [r._replace(start_date=r.start_date - back if r.start_date else None,
                     end_date=r.end_date - back if r.end_date else None) for r in rels]
    return build(moved, [(m, d - back, t) for m, d, t in meeting_rows], attendance)


@PROPERTY_SETTINGS
@given(evidence_sets(), st.integers(1, 3000))
def test_the_same_evidence_dated_earlier_scores_no_higher(data, days):
    evidence, meeting_rows, attendance = data
    before = scores(evidence)

    after = scores(_shift((evidence.relationships, meeting_rows, attendance), days))

    for pair, values in after.items():
        assert values["score"] <= before.get(pair, {"score": 0})["score"], pair


@PROPERTY_SETTINGS
@given(evidence_sets())
def test_ten_year_old_ended_evidence_is_distant(data):
    evidence, meeting_rows, attendance = data
    ancient = build(*ten_years_before(evidence.relationships, meeting_rows), attendance)

    for values in scores(ancient).values():
        assert band_for_score(values["score"]) == "distant"


def test_a_large_grant_that_ended_ten_years_ago_leaves_the_pair_distant():
    # money is unbounded: 30 million at a time factor of 0.001 is still 30,000 (financial 8.2)
    ended = AS_OF - timedelta(days=3653)
    for amount in (30e6, 5e9, 9e13):
        rels = [RelationshipRecord(1, 1, 2, "funds", ended - timedelta(days=3000), ended, amount),
                RelationshipRecord(2, 2, 1, "contributes_to", ended, None, amount)]
        result = scores(Evidence([EntityRecord(1, "government_body"), EntityRecord(2, "police_department")], rels))
        assert band_for_score(result[(1, 2)]["score"]) == "distant", amount


# 5. Private beats public ---------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(st.integers(1, 30), st.sampled_from(["private_meeting", "focus_group"]), st.integers(50, 400))
def test_k_private_meetings_outweigh_k_large_forums(k, private_type, audience):
    ents = [EntityRecord(i, "person") for i in range(1, audience + 3)]
    private_rows = [(m, AS_OF - timedelta(days=30 * m), private_type) for m in range(k)]
    private = Evidence(ents, [], MeetingTable.from_rows(private_rows, [(m, e) for m in range(k) for e in (1, 2)]))
    forum_rows = [(m, AS_OF - timedelta(days=30 * m), "community_forum") for m in range(k)]
    crowd = [(m, e) for m in range(k) for e in range(1, audience + 1)]
    forum = Evidence(ents, [], MeetingTable.from_rows(forum_rows, crowd))

    assert scores(private)[(1, 2)]["score"] > scores(forum).get((1, 2), {"score": 0})["score"]


# 6. Roll-up ----------------------------------------------------------------------------------
def _chief_and_chair(affiliation_end=None):
    ents = [EntityRecord(1, "police_department"), EntityRecord(2, "oversight_body"), EntityRecord(3, "person"), EntityRecord(4, "person")]
    rels = [
        RelationshipRecord(1, 3, 1, "leads", date(2020, 1, 1), affiliation_end),
        RelationshipRecord(2, 4, 2, "member_of", date(2020, 1, 1)),
    ]
    rows = [(m, AS_OF - timedelta(days=14 * m + 1), "private_meeting") for m in range(20)]
    return Evidence(ents, rels, MeetingTable.from_rows(rows, [(m, e) for m in range(20) for e in (3, 4)]))


def test_a_meeting_of_chief_and_chair_counts_toward_department_and_board():
    result = scores(_chief_and_chair())

    assert result[(1, 2)]["interaction"] > 5
    assert result[(1, 2)]["score"] == result[(3, 4)]["score"]


def test_roll_up_uses_who_led_what_on_the_meeting_date():
    ended_before_meetings = _chief_and_chair(affiliation_end=AS_OF - timedelta(days=400))

    assert (1, 2) not in scores(ended_before_meetings)


# 7. Reachable, not trivial -------------------------------------------------------------------
FORMAL_TYPES = ["oversees", "budget_authority", "appoints", "partners_with", "represents", "advises", "lobbies", "member_of", "leads", "employed_by", "endorses", "family", "personal"]


@PROPERTY_SETTINGS
@given(st.lists(st.sampled_from(FORMAL_TYPES), min_size=1, max_size=8), st.one_of(st.none(), st.integers(0, 10)))
def test_formal_ties_alone_never_make_a_pair_close(types, analyst):
    rels = [RelationshipRecord(i, 1, 2, t, date(2020, 1, 1), None, None, analyst) for i, t in enumerate(types)]

    result = scores(Evidence([EntityRecord(1, "oversight_body"), EntityRecord(2, "police_department")], rels))

    assert band_for_score(result.get((1, 2), {"score": 0})["score"]) != "close"


@PROPERTY_SETTINGS
@given(st.sampled_from(["oversees", "partners_with", "budget_authority", "advises"]),
       st.integers(1000, 1_000_000), st.integers(11, 14), st.integers(0, 20))
def test_formal_tie_money_and_monthly_private_meetings_make_a_pair_close(formal_type, amount, n_meetings, offset):
    rels = [
        RelationshipRecord(1, 1, 2, formal_type, date(2019, 1, 1)),
        RelationshipRecord(2, 2, 1, "funds", date(2024, 1, 1), None, float(amount)),
    ]
    rows = [(m, AS_OF - timedelta(days=offset + 30 * m), "private_meeting") for m in range(n_meetings)]
    evidence = Evidence([EntityRecord(1, "oversight_body"), EntityRecord(2, "police_department")], rels,
                        MeetingTable.from_rows(rows, [(m, e) for m in range(n_meetings) for e in (1, 2)]))

    assert band_for_score(scores(evidence)[(1, 2)]["score"]) == "close"


@PROPERTY_SETTINGS
@given(st.integers(1, 200), st.integers(2, 300))
def test_public_forums_alone_never_make_a_pair_close(n_forums, audience):
    ents = [EntityRecord(i, "person") for i in range(1, audience + 1)]
    rows = [(m, AS_OF - timedelta(days=7 * m), "community_forum") for m in range(n_forums)]
    evidence = Evidence(ents, [], MeetingTable.from_rows(rows, [(m, e) for m in range(n_forums) for e in range(1, audience + 1)]))

    assert band_for_score(scores(evidence).get((1, 2), {"score": 0})["score"]) != "close"


# 8. As-of ------------------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(evidence_sets(), relationships(first_id=1000, max_size=5), meetings(first_id=1000, max_size=4), st.integers(1, 2000))
def test_evidence_dated_after_the_reference_date_is_ignored(data, later_rels, later_meetings, days):
    evidence, meeting_rows, attendance = data
    as_of = AS_OF - timedelta(days=days)
    base_rels = [r for r in evidence.relationships if r.start_date is None or r.start_date <= as_of]
    base_rows = [m for m in meeting_rows if m[1] <= as_of]
    base_ids = {m[0] for m in base_rows}
    base = build(base_rels, base_rows, [a for a in attendance if a[0] in base_ids])
    future = timedelta(days=days + 1)
    later = [r._replace(start_date=as_of + timedelta(days=1 + i), end_date=None) for i, r in enumerate(later_rels)]
    later_rows = [(m, as_of + future, t) for m, _, t in later_meetings[0]]
    with_future = build(base_rels + later, base_rows + later_rows, [a for a in attendance if a[0] in base_ids] + later_meetings[1])

    assert scores(with_future, as_of) == scores(base, as_of)


# 9. Explained and deterministic --------------------------------------------------------------
@PROPERTY_SETTINGS
@given(evidence_sets(), st.randoms(use_true_random=False))
def test_same_data_in_any_order_gives_the_same_scores(data, rnd):
    evidence, meeting_rows, attendance = data
    rels = list(evidence.relationships)
    rows = list(meeting_rows)
    att = list(attendance)
    rnd.shuffle(rels), rnd.shuffle(rows), rnd.shuffle(att)

    assert scores(build(rels, rows, att)) == scores(evidence)


@PROPERTY_SETTINGS
@given(evidence_sets())
def test_each_pair_keeps_its_evidence(data):
    evidence, _, _ = data
    result = closeness_scores(evidence, PARAMS, AS_OF)
    by_id = {r.id: r for r in evidence.relationships}
    for (a, b), ids in result.relationship_ids.items():
        for rid in ids:
            assert {by_id[rid].source, by_id[rid].target} == {a, b}
    for i in range(len(result)):
        key = (int(result.entity_a[i]), int(result.entity_b[i]))
        if result.formal[i] > 0 or result.financial[i] > 0 or result.analyst[i] > 0:
            assert result.relationship_ids.get(key)


@PROPERTY_SETTINGS
@given(st.lists(st.floats(0, 10), min_size=4, max_size=4), st.integers(0, 3), st.floats(0, 10))
def test_the_score_never_decreases_when_a_component_rises(components, which, rise):
    w = PARAMS.component_weights
    names = ["formal", "interaction", "financial", "analyst"]

    def combine(values):
        remaining = np.prod([1 - w[n] * v / 10 for n, v in zip(names, values)])
        return int(tenths_half_up(np.array([10 * (1 - remaining)]))[0])

    higher = list(components)
    higher[which] = min(10.0, higher[which] + rise)
    assert combine(higher) >= combine(components)


# 10. Configurable ----------------------------------------------------------------------------
def test_a_longer_half_life_keeps_old_evidence_closer():
    evidence = _chief_and_chair()
    old = Evidence(evidence.entities, evidence.relationships, MeetingTable(
        evidence.meetings.meeting_id, evidence.meetings.meeting_day - 1500, evidence.meetings.meeting_type,
        evidence.meetings.attendance_meeting, evidence.meetings.attendance_entity))

    short = scores(old, params=ScoringParameters(half_life_days=180))[(3, 4)]["score"]
    long = scores(old, params=ScoringParameters(half_life_days=1500))[(3, 4)]["score"]

    assert long > short


def test_parameters_survive_a_round_trip_through_a_dict():
    params = ScoringParameters(half_life_days=200, component_weights={"formal": 0.3, "interaction": 0.7, "financial": 0.5, "analyst": 0.2})

    assert ScoringParameters.from_dict(params.to_dict()) == params
