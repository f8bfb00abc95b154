"""Plain data the engine works on. The loader (scoring/load.py) builds these from the database;
tests build them by hand. Entity, relationship and meeting ids are opaque integers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import NamedTuple

import numpy as np


class EntityRecord(NamedTuple):
    """One entity. A named tuple, as RelationshipRecord: a recompute builds one per entity (a frozen
    dataclass costs several times as much to make)."""

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


# the day numbers (date.toordinal()) of an undated start and end: before and after any date
NO_START = -(10**9)
NO_END = 10**9


@dataclass
class RelationshipColumns:
    """The relationships as arrays, built once per scoring: the relationship terms, the roll-up
    and the key width all read them (a list comprehension over the records in each cost 0.3 s at
    100,000 relationships). Days are date.toordinal(); undated starts and ends are sentinels."""

    id: np.ndarray  # int64
    source: np.ndarray  # int64
    target: np.ndarray  # int64
    type_code: np.ndarray  # int64: each relationship's type, as an index into type_names
    type_names: tuple[str, ...]
    start_day: np.ndarray  # int64, NO_START when undated
    end_day: np.ndarray  # int64, NO_END when undated (in force)
    amount: np.ndarray  # float, 0 when none
    rating: np.ndarray  # float, -1 when none

    @classmethod
    def of(cls, relationships: list[RelationshipRecord]) -> RelationshipColumns:
        n = len(relationships)

        def column(field: str, dtype, missing=None) -> np.ndarray:
            values = map(attrgetter(field), relationships)
            if missing is not None:
                values = (missing if v is None else v for v in values)
            return np.fromiter(values, dtype, n)

        def days(field: str, undated: int) -> np.ndarray:
            return np.fromiter((undated if d is None else d.toordinal() for d in map(attrgetter(field), relationships)), np.int64, n)

        code_of: dict[str, int] = {}
        type_code = np.fromiter((code_of.setdefault(r.type, len(code_of)) for r in relationships), np.int64, n)
        return cls(
            id=column("id", np.int64),
            source=column("source", np.int64),
            target=column("target", np.int64),
            type_code=type_code,
            type_names=tuple(code_of),
            start_day=days("start_date", NO_START),
            end_day=days("end_date", NO_END),
            amount=column("amount", float, 0.0),
            rating=column("analyst_score", float, -1.0),
        )

    def by_type(self, value_of, dtype, where=slice(None)) -> np.ndarray:
        """`value_of(type)` for each relationship (of those `where` selects): computed once a type."""
        return np.array([value_of(name) for name in self.type_names], dtype=dtype).reshape(-1)[self.type_code[where]]

    def of_types(self, types: frozenset[str]) -> np.ndarray:
        """Which relationships are of one of `types`."""
        return self.by_type(lambda name: name in types, bool)


@dataclass
class Evidence:
    entities: list[EntityRecord]
    # The records (what the rules read); the loader of an incremental recompute reads the columns
    # alone and leaves this empty.
    relationships: list[RelationshipRecord]
    meetings: MeetingTable = field(default_factory=MeetingTable.empty)
    # The relationships as arrays, when the loader read them so (a hundred thousand records turned
    # into arrays cost 0.1-0.25 s of a recompute); built from `relationships` otherwise.
    relationship_columns: RelationshipColumns | None = None

    def relationship_table(self) -> RelationshipColumns:
        if self.relationship_columns is not None:
            return self.relationship_columns
        return RelationshipColumns.of(self.relationships)


@dataclass
class PairScores:
    """Scores of unordered pairs (a < b by id), sorted by (a, b), in tenths (one decimal as an
    integer), with components and relationship evidence.

    Millions of pairs have meetings only: their formal, financial and analyst components are 0, so
    those three are kept just for the pairs with relationship evidence (`relationship_positions`),
    and scores stay in int16 tenths (the form they are stored in); dense float arrays of 6.66M
    pairs cost the engine a second in allocation alone. The float properties are for tests and
    small data."""

    entity_a: np.ndarray  # int64
    entity_b: np.ndarray  # int64
    score_tenths: np.ndarray  # int16
    interaction_tenths: np.ndarray  # int16
    relationship_positions: np.ndarray  # int64, ascending: the pairs with relationship evidence
    relationship_tenths: np.ndarray  # int16 (n, 3): their formal, financial and analyst components
    relationship_evidence: list[tuple[int, ...]]  # their relationship ids, ascending

    @classmethod
    def empty(cls) -> PairScores:
        none, tenths = np.zeros(0, np.int64), np.zeros(0, np.int16)
        return cls(none, none, tenths, tenths, none, np.zeros((0, 3), np.int16), [])

    def __len__(self) -> int:
        return len(self.entity_a)

    def _relationship_component(self, column: int) -> np.ndarray:
        out = np.zeros(len(self))
        out[self.relationship_positions] = self.relationship_tenths[:, column] / 10.0
        return out

    @property
    def score(self) -> np.ndarray:
        return self.score_tenths / 10.0

    @property
    def interaction(self) -> np.ndarray:
        return self.interaction_tenths / 10.0

    @property
    def formal(self) -> np.ndarray:
        return self._relationship_component(0)

    @property
    def financial(self) -> np.ndarray:
        return self._relationship_component(1)

    @property
    def analyst(self) -> np.ndarray:
        return self._relationship_component(2)

    @property
    def relationship_ids(self) -> dict[tuple[int, int], tuple[int, ...]]:
        """(a, b) -> the relationship ids behind its formal, financial and analyst components."""
        positions = self.relationship_positions
        pairs = zip(self.entity_a[positions].tolist(), self.entity_b[positions].tolist())
        return dict(zip(pairs, self.relationship_evidence))

    def as_dict(self) -> dict[tuple[int, int], dict]:
        """Pair -> {score, formal, interaction, financial, analyst}: convenient for tests and small data."""
        columns = {
            "score": self.score, "formal": self.formal, "interaction": self.interaction,
            "financial": self.financial, "analyst": self.analyst,
        }
        out = {}
        for i in range(len(self)):
            key = (int(self.entity_a[i]), int(self.entity_b[i]))
            out[key] = {name: float(values[i]) for name, values in columns.items()}
        return out

    def score_of(self, a: int, b: int) -> float:
        key = (min(a, b), max(a, b))
        return self.as_dict().get(key, {"score": 0.0})["score"]
