"""Valid data sets in the interchange format, for property tests (hypothesis): `data_sets()` draws
the rows of the five files, `files_of(rows)` writes them as CSV files the way people's tools do;
`data_set_emptied()` clears the database between examples (they share one test transaction)."""
import csv
import io
from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from engagement.models import Attendance, Meeting
from engagement.types import AttendanceRole, MeetingType
from entities.kinds import Kind
from entities.models import Entity
from interchange.format import INPUT_FILES
from relationships.models import Disclosure, Relationship
from relationships.types import MONEY_TYPES, RelationshipType

ID = st.text(alphabet="abcXYZ019-_.", min_size=1, max_size=12)
# any character PostgreSQL stores (not NUL, not a lone surrogate)
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=24)
NAME = TEXT.filter(lambda s: s.strip())
DATES = st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31))
ONE_OFF = {"contributes_to", "endorses"}


def _optional(strategy):
    return st.one_of(st.just(""), strategy)


@st.composite
def amounts(draw) -> str:
    value = Decimal(draw(st.integers(1, 10**11))).scaleb(-draw(st.integers(0, 2)))
    return draw(st.sampled_from([str(value), f"{value:,}"]))  # "1,234.5" is read as money too


@st.composite
def data_sets(draw) -> dict[str, list[dict]]:
    entity_ids = draw(st.lists(ID, min_size=2, max_size=7, unique=True))
    entities = [{
        "external_id": ext, "name": draw(NAME), "kind": draw(st.sampled_from(Kind.values)),
        "jurisdiction": draw(_optional(TEXT)), "parent": draw(st.sampled_from(["", *entity_ids[:i]])),  # no cycles
        "description": draw(TEXT), "website": draw(_optional(TEXT)),
    } for i, ext in enumerate(entity_ids)]
    relationships = []
    for ext in draw(st.lists(ID, max_size=6, unique=True)):
        source, target = draw(st.lists(st.sampled_from(entity_ids), min_size=2, max_size=2, unique=True))
        kind = draw(st.sampled_from(RelationshipType.values))
        start = draw(st.one_of(st.none(), DATES))
        end = None if kind in ONE_OFF else draw(st.one_of(st.none(), DATES.filter(lambda d: start is None or d >= start)))
        relationships.append({
            "external_id": ext, "source": source, "target": target, "type": kind,
            "start_date": start.isoformat() if start else "", "end_date": end.isoformat() if end else "",
            "amount": draw(amounts()) if kind in MONEY_TYPES else "",
            "analyst_score": draw(_optional(st.integers(0, 100).map(lambda t: str(Decimal(t).scaleb(-1))))),
            "source_url": draw(_optional(TEXT)), "notes": draw(TEXT),
        })
    meeting_ids = draw(st.lists(ID, max_size=4, unique=True))
    meetings = [{
        "external_id": ext, "date": draw(DATES).isoformat(), "type": draw(st.sampled_from(MeetingType.values)),
        "title": draw(NAME), "location": draw(TEXT), "neighborhood": draw(TEXT), "summary": draw(TEXT),
    } for ext in meeting_ids]
    attendance = [{"meeting": meeting, "entity": entity, "role": draw(st.sampled_from(["", *AttendanceRole.values]))}
                  for meeting in meeting_ids for entity in draw(st.lists(st.sampled_from(entity_ids), unique=True, max_size=4))]
    disclosures = [{
        "external_id": ext, "discloser": draw(st.sampled_from(entity_ids)), "relationship": draw(st.sampled_from(relationships))["external_id"],
        "disclosed_on": draw(DATES).isoformat(), "statement": draw(TEXT),
    } for ext in (draw(st.lists(ID, max_size=3, unique=True)) if relationships else [])]
    return {"entities.csv": entities, "relationships.csv": relationships, "meetings.csv": meetings,
            "attendance.csv": attendance, "disclosures.csv": disclosures}


@st.composite
def files_of(draw, data: dict[str, list[dict]]) -> dict[str, bytes]:
    """The data set as CSV files, each in a column order of its own, leaving out optional columns
    that are empty in every row, with or without a byte-order mark, either line ending."""
    files = {}
    for fmt in INPUT_FILES:
        rows = data[fmt.name]
        if not rows and fmt.name != "entities.csv" and draw(st.booleans()):
            continue  # only entities.csv is required
        optional = [c for c in fmt.optional if any(row[c] for row in rows) or draw(st.booleans())]
        columns = draw(st.permutations([*fmt.required, *optional]))
        out = io.StringIO()
        # Python's writer quotes a cell holding "\r" only where "\r" is in its line ending: with
        # "\n" alone, every cell is quoted (a bare "\r" in a cell would be a malformed file)
        ending = draw(st.sampled_from(["\r\n", "\n"]))
        writer = csv.writer(out, lineterminator=ending, quoting=csv.QUOTE_MINIMAL if ending == "\r\n" else csv.QUOTE_ALL)
        writer.writerow(columns)
        writer.writerows([row[c] for c in columns] for row in rows)
        files[fmt.name] = out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))
    return files


def data_set_emptied() -> None:
    for model in (Disclosure, Attendance, Meeting, Relationship):
        model.objects.all().delete()
    Entity.objects.update(parent=None)
    Entity.objects.all().delete()
