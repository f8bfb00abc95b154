"""engine.guarantees: which scoring settings keep properties 4, 5 and 7, and that settings it lets
through do keep them on random evidence."""
from dataclasses import replace
from datetime import date

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engagement.types import MeetingType
from relationships.types import RelationshipType
from scoring.engine import RelationshipRecord, ScoringParameters, band_for_score, closeness_scores
from scoring.engine.guarantees import parameter_problems

from tests.examples import examples
from tests.scoring.strategies import AS_OF, build, dates, ten_years_before

DEFAULTS = ScoringParameters()


def with_weights(params=DEFAULTS, **changes) -> ScoringParameters:
    components = {k[len("component_"):]: v for k, v in changes.items() if k.startswith("component_")}
    meetings = {k[len("meeting_"):]: v for k, v in changes.items() if k.startswith("meeting_")}
    rest = {k: v for k, v in changes.items() if not k.startswith(("component_", "meeting_"))}
    return replace(params, component_weights={**params.component_weights, **components},
                   meeting_type_weights={**params.meeting_type_weights, **meetings}, **rest)


def fields(params) -> list:
    return [problem.field for problem in parameter_problems(params)]


def test_the_default_settings_keep_every_property():
    assert parameter_problems(DEFAULTS) == []


def test_a_formal_weight_that_lets_ties_alone_reach_close_is_named():
    assert fields(with_weights(component_formal=0.85)) == ["component_formal"]
    assert fields(with_weights(component_formal=0.79)) == []


def test_formal_ties_of_any_type_are_checked_not_only_the_first_of_the_strongest_weight():
    """Found by the property test below: an endorsement and a partnership weighing the same, the
    guard scored endorsements (one-off, decayed a month later) and let through a weight with which
    a partnership alone scored 8.1."""
    types = {**DEFAULTS.relationship_type_weights, "endorses": 1.0, "partners_with": 1.0}
    params = with_weights(component_formal=0.8125, relationship_type_weights=types)
    assert fields(params) == ["component_formal"]
    partnership = build([RelationshipRecord(1, 1, 2, "partners_with", date(2010, 1, 1))], [], [])
    assert closeness_scores(partnership, params, AS_OF).as_dict()[(1, 2)]["score"] >= 8.0  # what it guards against


def test_an_interaction_weight_that_lets_forums_alone_reach_close_is_named():
    assert fields(with_weights(component_interaction=0.9)) == ["component_interaction"]


def test_weights_too_low_for_the_reachable_scenario_are_refused_together():
    problems = parameter_problems(with_weights(component_formal=0.1, component_interaction=0.1, component_financial=0.1))
    assert [p.field for p in problems] == [None]
    assert "short of close" in problems[0].message


def test_a_half_life_that_keeps_ten_year_old_evidence_working_is_named():
    assert fields(with_weights(half_life_days=700)) == []
    assert fields(with_weights(half_life_days=3650)) == ["half_life_days"]


def test_private_meetings_weighing_no_more_than_large_forums_are_named():
    assert fields(with_weights(meeting_focus_group=0.0)) == ["meeting_focus_group"]
    assert "meeting_private_meeting" in fields(with_weights(meeting_private_meeting=0.01, meeting_community_forum=1.0))


weights = st.floats(0.0, 1.0)


@st.composite
def parameters(draw) -> ScoringParameters:
    """Settings around the region the guard lets through (fully random ones almost never are)."""
    relationship_weights = {t: draw(weights) for t in RelationshipType.values}
    relationship_weights["oversees"] = draw(st.floats(0.5, 1.0))
    meeting_weights = {t: draw(weights) for t in MeetingType.values}
    meeting_weights |= {"private_meeting": draw(st.floats(0.3, 1.0)), "focus_group": draw(st.floats(0.3, 1.0))}
    return ScoringParameters(
        half_life_days=draw(st.floats(100, 1000)),
        component_weights={"formal": draw(st.floats(0.4, 0.85)), "interaction": draw(st.floats(0.5, 0.85)),
                           "financial": draw(st.floats(0.2, 1.0)), "analyst": draw(st.floats(0.0, 0.8))},
        relationship_type_weights=relationship_weights,
        meeting_type_weights=meeting_weights,
    )


@st.composite
def one_pair_evidence(draw):
    """Dense evidence between entities 1 and 2 (the properties are about one pair's evidence):
    relationships of any type either way, money of any size, ratings, and meetings of two."""
    rels = []
    for i in range(draw(st.integers(0, 14))):
        rel_type = draw(st.sampled_from(RelationshipType.values))
        source, target = draw(st.sampled_from([(1, 2), (2, 1)]))
        amount = float(draw(st.integers(1, 10**14))) if rel_type in ("funds", "contributes_to") else None
        rating = draw(st.one_of(st.none(), st.integers(0, 10).map(float)))
        rels.append(RelationshipRecord(i + 1, source, target, rel_type, draw(dates()), None, amount, rating))
    meeting_rows = [(m, draw(dates()), draw(st.sampled_from(MeetingType.values))) for m in range(draw(st.integers(0, 60)))]
    return rels, meeting_rows, [(m, e) for m, _, _ in meeting_rows for e in (1, 2)]


# about half the settings drawn are refused (the guard at work): not a sign of a bad strategy
@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(parameters(), one_pair_evidence())
def test_settings_it_lets_through_keep_the_properties_on_one_pairs_evidence(params, data):
    assume(not parameter_problems(params))
    rels, meeting_rows, attendance = data
    # 4: all of it ended or dated ten years before: distant
    ancient = build(*ten_years_before(rels, meeting_rows), attendance)
    for values in closeness_scores(ancient, params, AS_OF).as_dict().values():
        assert band_for_score(values["score"]) == "distant"
    # 7: meetings alone, or ties without money or ratings alone, never close
    ties = [r._replace(analyst_score=None) for r in rels if r.type not in ("funds", "contributes_to")]
    for alone in (build([], meeting_rows, attendance), build(ties, [], [])):
        for values in closeness_scores(alone, params, AS_OF).as_dict().values():
            assert band_for_score(values["score"]) != "close"
