"""Whether a set of scoring parameters keeps the published properties that depend on the weights
(shared/spec/scoring.md: 4, 5 and 7). The others hold for any weights in 0..1 by the formulas'
shape; these hold for the defaults but an administrator's weights can break them (a component
weight of 0.9 lets formal ties alone make a pair close).

Each check scores a small scenario with the engine itself, so it follows any change to the
formulas. Pure: parameters in, problems out; the scenarios' dates are fixed, not today's.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from .closeness import closeness_scores
from .data import EntityRecord, Evidence, MeetingTable, RelationshipRecord
from .parameters import CLOSE_THRESHOLD, WORKING_THRESHOLD, ScoringParameters

_AS_OF = date(2000, 1, 1)
_PAIR = [EntityRecord(1, "oversight_body"), EntityRecord(2, "police_department")]
# how many ties or meetings stand for "as many as you like": enough to saturate any weight > 0.01
_MANY = 5000
# the audience of a "large" forum (property 5)
_LARGE_AUDIENCE = 50
_FORMAL_TYPES = ("oversees", "budget_authority", "appoints", "endorses", "represents", "member_of", "leads",
                 "employed_by", "advises", "lobbies", "partners_with", "family", "personal")


class ParameterProblem(NamedTuple):
    field: str | None  # the setting to change (form field name), or None for the weights together
    message: str


def _pair_score(params: ScoringParameters, relationships=(), meetings=(), attendance=None, entities=_PAIR) -> float:
    """The score of the pair (1, 2) in a scenario, 0.0 when it does not score."""
    if attendance is None:
        attendance = [(m, e) for m, _, _ in meetings for e in (1, 2)]
    scores = closeness_scores(Evidence(list(entities), list(relationships), MeetingTable.from_rows(list(meetings), attendance)), params, _AS_OF)
    return scores.as_dict().get((1, 2), {"score": 0.0})["score"]


def _formal_ties_alone(params: ScoringParameters) -> float:
    """As many ties as you like, of every type, nothing else, each at its strongest: dated on the
    reference date, so a one-off tie (an endorsement) has not begun to decay. Only the strongest
    type, a month old, let through an endorsement and a partnership of equal weight: max() took the
    endorsement, which had decayed, while the partnership alone made the pair close."""
    ties = [RelationshipRecord(i, 1, 2, _FORMAL_TYPES[i % len(_FORMAL_TYPES)], _AS_OF) for i in range(1, _MANY + 1)]
    return _pair_score(params, ties)


def _meetings_alone(params: ScoringParameters) -> float:
    """As many meetings of two of the strongest type as you like, this month (public forums are
    meetings: if no meetings make a pair close, no forums do)."""
    strongest = max(params.meeting_type_weights, key=lambda t: params.meeting_type_weights[t])
    return _pair_score(params, meetings=[(m, _AS_OF - timedelta(days=m % 28), strongest) for m in range(_MANY)])


def _reachable(params: ScoringParameters) -> float:
    """A current oversight mandate, 10,000 a year of money flowing, and a private meeting of two
    each month over the past year."""
    relationships = [
        RelationshipRecord(1, 1, 2, "oversees", _AS_OF - timedelta(days=3 * 365)),
        RelationshipRecord(2, 2, 1, "funds", _AS_OF - timedelta(days=365), None, 10_000.0),
    ]
    meetings = [(m, _AS_OF - timedelta(days=30 * m + 15), "private_meeting") for m in range(12)]
    return _pair_score(params, relationships, meetings)


def _ten_years_old(params: ScoringParameters) -> float:
    """Every kind of evidence there is, at its strongest, all of it ended or dated ten years
    before: every tie type, a hundred billion in money, the analysts' 10, a year of weekly
    private meetings."""
    ended = _AS_OF - timedelta(days=3653)
    started = ended - timedelta(days=3000)
    relationships = [RelationshipRecord(i, 1, 2, t, started, ended, None, 10.0) for i, t in enumerate(_FORMAL_TYPES, start=1)]
    relationships += [
        RelationshipRecord(100, 2, 1, "funds", started, ended, 1e11),
        RelationshipRecord(101, 2, 1, "contributes_to", ended, None, 1e11),
    ]
    meetings = [(m, ended - timedelta(days=7 * m), "private_meeting") for m in range(52)]
    return _pair_score(params, relationships, meetings)


def _private_and_forums(params: ScoringParameters, private_type: str) -> tuple[float, float]:
    """The pair's score after 30 monthly meetings of two of `private_type`, and after 30 monthly
    community forums of `_LARGE_AUDIENCE`."""
    rows = [(m, _AS_OF - timedelta(days=30 * m), private_type) for m in range(30)]
    private = _pair_score(params, meetings=rows)
    forums = [(m, day, "community_forum") for m, day, _ in rows]
    audience = [EntityRecord(i, "person") for i in range(1, _LARGE_AUDIENCE + 1)]
    public = _pair_score(params, meetings=forums, entities=audience,
                         attendance=[(m, e) for m, _, _ in forums for e in range(1, _LARGE_AUDIENCE + 1)])
    return private, public


def parameter_problems(params: ScoringParameters) -> list[ParameterProblem]:
    """What these parameters would break, each with the setting to change; empty when they keep
    properties 4, 5 and 7."""
    problems = []
    formal_alone = _formal_ties_alone(params)
    if formal_alone >= CLOSE_THRESHOLD:
        problems.append(ParameterProblem("component_formal", (
            f"With this weight formal ties alone could make a pair close (score {formal_alone:.1f}); "
            "keep it below 0.795 (property 7: a formal tie alone is never close).")))
    meetings_alone = _meetings_alone(params)
    if meetings_alone >= CLOSE_THRESHOLD:
        problems.append(ParameterProblem("component_interaction", (
            f"With this weight meetings alone, public forums among them, could make a pair close (score {meetings_alone:.1f}); "
            "keep it below 0.795 (property 7: public forums alone are never close).")))
    reachable = _reachable(params)
    if reachable < CLOSE_THRESHOLD:
        problems.append(ParameterProblem(None, (
            f"With these weights a current oversight mandate, money flowing and monthly private meetings over the past year "
            f"score only {reachable:.1f}, short of close (property 7): raise the formal, interaction or financial weight, "
            "the weight of oversees or of private meetings.")))
    ancient = _ten_years_old(params)
    if ancient >= WORKING_THRESHOLD:
        problems.append(ParameterProblem("half_life_days", (
            f"With this half-life, evidence that ended ten years ago could still score {ancient:.1f}; "
            "shorten it (property 4: such a pair is distant).")))
    for private_type in ("private_meeting", "focus_group"):
        private, public = _private_and_forums(params, private_type)
        if private <= public:
            problems.append(ParameterProblem(f"meeting_{private_type}", (
                f"Thirty of these meetings of two score {private:.1f}, no more than thirty community forums of "
                f"{_LARGE_AUDIENCE} ({public:.1f}); raise this weight (property 5: private meetings weigh more than "
                "large public forums).")))
    return problems
