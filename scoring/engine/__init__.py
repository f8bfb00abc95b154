"""Pure closeness computation: plain data in, scores out. No ORM, no clock, no settings lookups."""
from .closeness import closeness_scores, in_sorted, shared_meetings_for_pair
from .data import Evidence, EntityRecord, MeetingTable, PairScores, RelationshipRecord
from .parameters import ScoringParameters, band_for_score

__all__ = [
    "Evidence",
    "EntityRecord",
    "MeetingTable",
    "PairScores",
    "RelationshipRecord",
    "ScoringParameters",
    "band_for_score",
    "closeness_scores",
    "in_sorted",
    "shared_meetings_for_pair",
]
