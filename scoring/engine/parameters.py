"""Scoring parameters: the administrator's settings as plain data, with documented defaults."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

CLOSE_THRESHOLD = 8.0
CLOSE_TENTHS = round(CLOSE_THRESHOLD * 10)  # the same line, as stored (scores in tenths)
WORKING_THRESHOLD = 4.0
WORKING_TENTHS = round(WORKING_THRESHOLD * 10)
# Pages list current pairs from this score up (the partial indexes cover them); weaker pairs stay
# stored, exported and reachable by their pair page.
LISTED_TENTHS = 10


def band_for_score(score: float) -> str:
    if score >= CLOSE_THRESHOLD:
        return "close"
    if score >= WORKING_THRESHOLD:
        return "working"
    return "distant"


CLOSE_BAND = 2


def band_numbers(tenths):
    """The band of a score in tenths, or of each in an array, as a number: 0 distant, 1 working,
    CLOSE_BAND close (the bands of band_for_score). `* 1` so that numpy adds the two tests as
    numbers, not as booleans."""
    return (tenths >= WORKING_TENTHS) * 1 + (tenths >= CLOSE_TENTHS)


def _default_relationship_weights() -> dict[str, float]:
    # How strongly one current tie of this type binds two entities (0..1). Money types count in the
    # financial component instead, so they carry no formal weight.
    return {
        "oversees": 0.8,
        "budget_authority": 0.7,
        "appoints": 0.6,
        "funds": 0.0,
        "contributes_to": 0.0,
        "endorses": 0.5,
        "represents": 0.7,
        "member_of": 0.7,
        "leads": 0.9,
        "employed_by": 0.6,
        "advises": 0.5,
        "lobbies": 0.4,
        "partners_with": 0.6,
        "family": 0.9,
        "personal": 0.7,
    }


def _default_meeting_weights() -> dict[str, float]:
    # What one shared meeting of this type says about two attendees, before the size discount.
    return {
        "private_meeting": 1.0,
        "focus_group": 0.8,
        "advisory_board": 0.6,
        "community_policing": 0.5,
        "council_hearing": 0.3,
        "community_forum": 0.3,
    }


# The four components of every score, in the order pages and exports list them.
COMPONENTS = ("formal", "interaction", "financial", "analyst")


def _default_component_weights() -> dict[str, float]:
    # The most each component can contribute on its own (score = 10 x weight when it saturates).
    # Every weight stays below 0.8, so no single component makes a pair `close`.
    return {"formal": 0.6, "interaction": 0.75, "financial": 0.6, "analyst": 0.4}


@dataclass(frozen=True)
class ScoringParameters:
    half_life_days: float = 365.0
    component_weights: dict[str, float] = field(default_factory=_default_component_weights)
    relationship_type_weights: dict[str, float] = field(default_factory=_default_relationship_weights)
    meeting_type_weights: dict[str, float] = field(default_factory=_default_meeting_weights)
    # Meeting-equivalents at which the interaction component reaches 63% of its range.
    interaction_saturation: float = 3.0
    # Meetings up to this many attendees count in full; larger ones are discounted by size.
    small_meeting_size: int = 4
    # Money at which the financial component reaches 29% of its range (it grows with sqrt of money).
    money_scale: float = 1000.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ScoringParameters:
        defaults = cls()
        return cls(
            half_life_days=float(data.get("half_life_days", defaults.half_life_days)),
            component_weights={**defaults.component_weights, **data.get("component_weights", {})},
            relationship_type_weights={
                **defaults.relationship_type_weights,
                **data.get("relationship_type_weights", {}),
            },
            meeting_type_weights={**defaults.meeting_type_weights, **data.get("meeting_type_weights", {})},
            interaction_saturation=float(data.get("interaction_saturation", defaults.interaction_saturation)),
            small_meeting_size=int(data.get("small_meeting_size", defaults.small_meeting_size)),
            money_scale=float(data.get("money_scale", defaults.money_scale)),
        )
