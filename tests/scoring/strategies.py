"""Hypothesis strategies: random evidence sets for the pure closeness engine."""
from datetime import date, timedelta

from hypothesis import strategies as st

from entities.kinds import Kind
from relationships.types import MONEY_TYPES, ONE_OFF_TYPES, RelationshipType
from engagement.types import MeetingType
from scoring.engine import EntityRecord, Evidence, MeetingTable, RelationshipRecord

AS_OF = date(2026, 6, 30)
EARLIEST = date(2010, 1, 1)
N_ENTITIES = 12


def dates(upto: date = AS_OF):
    return st.integers(0, (upto - EARLIEST).days).map(lambda d: EARLIEST + timedelta(days=d))


@st.composite
def relationships(draw, first_id: int = 1, max_size: int = 15):
    n = draw(st.integers(0, max_size))
    out = []
    for i in range(n):
        source = draw(st.integers(1, N_ENTITIES))
        target = draw(st.integers(1, N_ENTITIES).filter(lambda t, source=source: t != source))
        rel_type = draw(st.sampled_from(RelationshipType.values))
        start = draw(st.one_of(st.none(), dates()))
        end = None
        if rel_type not in ONE_OFF_TYPES and draw(st.booleans()):
            end = draw(dates()) if start is None else start + timedelta(days=draw(st.integers(0, 3000)))
        # up to what the amount column holds (16 digits): a city's budget for its police is billions
        amount = float(draw(st.one_of(st.integers(1, 2_000_000), st.integers(1, 10**14)))) if rel_type in MONEY_TYPES else None
        analyst = draw(st.one_of(st.none(), st.integers(0, 10).map(float)))
        out.append(RelationshipRecord(first_id + i, source, target, rel_type, start, end, amount, analyst))
    return out


@st.composite
def meetings(draw, first_id: int = 1, max_size: int = 10):
    n = draw(st.integers(0, max_size))
    rows, attendance = [], []
    for i in range(n):
        mid = first_id + i
        rows.append((mid, draw(dates()), draw(st.sampled_from(MeetingType.values))))
        people = draw(st.sets(st.integers(1, N_ENTITIES), min_size=1, max_size=6))
        attendance += [(mid, e) for e in sorted(people)]
    return rows, attendance


def entities():
    kinds = [Kind.POLICE_DEPARTMENT, Kind.OVERSIGHT_BODY, Kind.GOVERNMENT_BODY, Kind.POLICE_UNION] + [Kind.PERSON] * 8
    return [EntityRecord(i + 1, kinds[i].value) for i in range(N_ENTITIES)]


@st.composite
def evidence_sets(draw):
    rels = draw(relationships())
    meeting_rows, attendance = draw(meetings())
    return Evidence(entities(), rels, MeetingTable.from_rows(meeting_rows, attendance)), meeting_rows, attendance


def build(rels, meeting_rows, attendance) -> Evidence:
    return Evidence(entities(), rels, MeetingTable.from_rows(meeting_rows, attendance))


def ten_years_before(rels, meeting_rows):
    """The same evidence, all of it ten years (3,653 days) or more before AS_OF: every relationship
    ended then (after starting earlier), every one-off event and meeting dated then or earlier."""
    old = AS_OF - timedelta(days=3653)

    def aged(r):
        start = min(r.start_date or old, old)
        if r.type in ONE_OFF_TYPES:
            return r._replace(start_date=start, end_date=None)
        return r._replace(start_date=start - timedelta(days=400), end_date=old)

    return [aged(r) for r in rels], [(m, min(d, old), t) for m, d, t in meeting_rows]
