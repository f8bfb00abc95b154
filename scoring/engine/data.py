"""Plain data the engine works on. The loader (scoring/load.py) builds these from the database;
tests build them by hand. Entity, relationship and meeting ids are opaque integers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np


@dataclass(frozen=True)
class EntityRecord:
    id: int
    kind: str
    parent_id: int | None = None
    external_id: str = ""
    name: str = ""


class RelationshipRecord(NamedTuple):
    """One relationship. A named tuple rather than a frozen dataclass: a full recompute builds a
    hundred thousand of them, and a frozen dataclass took 0.3 s to (a named tuple 0.04 s)."""

    id: int
    source: int
    target: int
    type: str
    start_date: date | None = None
    end_date: date | None = None
    amount: float | None = None
    analyst_score: float | None = None
    external_id: str = ""


@dataclass
class MeetingTable:
    """Meetings as parallel arrays, and attendance as (meeting position, entity id) rows.

    `attendance_meeting[i]` is an index into the meeting arrays, `attendance_entity[i]` an entity id.
    Arrays keep a million attendance rows in a few megabytes and let the engine vectorise.
    """

    meeting_id: np.ndarray  # int64
    meeting_day: np.ndarray  # int64, date.toordinal()
    meeting_type: np.ndarray  # object/str array of meeting type codes
    attendance_meeting: np.ndarray  # int64 positions into the meeting arrays
    attendance_entity: np.ndarray  # int64 entity ids

    @classmethod
    def empty(cls) -> MeetingTable:
        return cls(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, dtype=object),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
        )

    @classmethod
    def from_rows(cls, meetings: list[tuple[int, date, str]], attendance: list[tuple[int, int]]) -> MeetingTable:
        """Build from (meeting_id, date, type) and (meeting_id, entity_id) tuples (tests, small data)."""
        if not meetings:
            return cls.empty()
        position = {m[0]: i for i, m in enumerate(meetings)}
        return cls(
            np.array([m[0] for m in meetings], np.int64),
            np.array([m[1].toordinal() for m in meetings], np.int64),
            np.array([m[2] for m in meetings], dtype=object),
            np.array([position[a[0]] for a in attendance], np.int64),
            np.array([a[1] for a in attendance], np.int64),
        )

    def __len__(self) -> int:
        return len(self.meeting_id)


@dataclass
class Evidence:
    entities: list[EntityRecord]
    relationships: list[RelationshipRecord]
    meetings: MeetingTable = field(default_factory=MeetingTable.empty)


@dataclass
class PairScores:
    """Scores of unordered pairs (a < b by id), one decimal, with components and relationship evidence."""

    entity_a: np.ndarray
    entity_b: np.ndarray
    score: np.ndarray
    formal: np.ndarray
    interaction: np.ndarray
    financial: np.ndarray
    analyst: np.ndarray
    # relationship ids behind each pair's formal, financial and analyst components
    relationship_ids: dict[tuple[int, int], tuple[int, ...]]

    def __len__(self) -> int:
        return len(self.entity_a)

    def as_dict(self) -> dict[tuple[int, int], dict]:
        """Pair -> {score, formal, interaction, financial, analyst}: convenient for tests and small data."""
        out = {}
        for i in range(len(self)):
            key = (int(self.entity_a[i]), int(self.entity_b[i]))
            out[key] = {
                "score": float(self.score[i]),
                "formal": float(self.formal[i]),
                "interaction": float(self.interaction[i]),
                "financial": float(self.financial[i]),
                "analyst": float(self.analyst[i]),
            }
        return out

    def score_of(self, a: int, b: int) -> float:
        key = (min(a, b), max(a, b))
        return self.as_dict().get(key, {"score": 0.0})["score"]
