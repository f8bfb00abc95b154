"""Valid data sets in the interchange format, for property tests (hypothesis): `data_sets()` draws
the rows of the five files, `data_sets_changed(rows)` a later version of them (rows redrawn under
their keys, rows added), `files_of(rows)` writes them as CSV files the way people's tools do;
`data_set_emptied()` clears the database between examples (they share one test transaction)."""
import csv
import io
from datetime import date
from decimal import Decimal

from django.db import connection
from hypothesis import strategies as st

from core.bulk import is_postgres
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
_RECENT = st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31))
# mostly recent, where facts overlap; now and then any day of the calendar or one at either end (any
# ISO date imports: a typo'd 0001-01-03 once failed every recompute)
DATES = st.one_of(_RECENT, _RECENT, _RECENT, st.dates(), st.sampled_from([date.min, date(1, 1, 2), date(9999, 12, 30), date.max]))
ONE_OFF = {"contributes_to", "endorses"}


def _optional(strategy):
    return st.one_of(st.just(""), strategy)


@st.composite
def amounts(draw) -> str:
    value = Decimal(draw(st.integers(1, 10**11))).scaleb(-draw(st.integers(0, 2)))
    return draw(st.sampled_from([str(value), f"{value:,}"]))  # "1,234.5" is read as money too


def entity_row(draw, ext: str, earlier: list[str]) -> dict:
    return {"external_id": ext, "name": draw(NAME), "kind": draw(st.sampled_from(Kind.values)),
            "jurisdiction": draw(_optional(TEXT)), "parent": draw(st.sampled_from(["", *earlier])),  # no cycles
            "description": draw(TEXT), "website": draw(_optional(TEXT))}


def relationship_row(draw, ext: str, entity_ids: list[str]) -> dict:
    source, target = draw(st.lists(st.sampled_from(entity_ids), min_size=2, max_size=2, unique=True))
    kind = draw(st.sampled_from(RelationshipType.values))
    start = draw(st.one_of(st.none(), DATES))
    end = None if kind in ONE_OFF else draw(st.one_of(st.none(), DATES))
    if start and end and end < start:
        start, end = end, start
    return {"external_id": ext, "source": source, "target": target, "type": kind,
            "start_date": start.isoformat() if start else "", "end_date": end.isoformat() if end else "",
            "amount": draw(amounts()) if kind in MONEY_TYPES else "",
            "analyst_score": draw(_optional(st.integers(0, 100).map(lambda t: str(Decimal(t).scaleb(-1))))),
            "source_url": draw(_optional(TEXT)), "notes": draw(TEXT)}


def meeting_row(draw, ext: str) -> dict:
    return {"external_id": ext, "date": draw(DATES).isoformat(), "type": draw(st.sampled_from(MeetingType.values)),
            "title": draw(NAME), "location": draw(TEXT), "neighborhood": draw(TEXT), "summary": draw(TEXT),
            "source_url": draw(_optional(TEXT))}


def attendance_row(draw, meeting: str, entity: str) -> dict:
    return {"meeting": meeting, "entity": entity, "role": draw(st.sampled_from(["", *AttendanceRole.values]))}


def disclosure_row(draw, ext: str, entity_ids: list[str], relationship_ids: list[str]) -> dict:
    return {"external_id": ext, "discloser": draw(st.sampled_from(entity_ids)), "relationship": draw(st.sampled_from(relationship_ids)),
            "disclosed_on": draw(DATES).isoformat(), "statement": draw(TEXT), "source_url": draw(_optional(TEXT))}


@st.composite
def data_sets(draw) -> dict[str, list[dict]]:
    entity_ids = draw(st.lists(ID, min_size=2, max_size=7, unique=True))
    relationship_ids = draw(st.lists(ID, max_size=6, unique=True))
    meeting_ids = draw(st.lists(ID, max_size=4, unique=True))
    return {
        "entities.csv": [entity_row(draw, ext, entity_ids[:i]) for i, ext in enumerate(entity_ids)],
        "relationships.csv": [relationship_row(draw, ext, entity_ids) for ext in relationship_ids],
        "meetings.csv": [meeting_row(draw, ext) for ext in meeting_ids],
        "attendance.csv": [attendance_row(draw, meeting, entity) for meeting in meeting_ids
                           for entity in draw(st.lists(st.sampled_from(entity_ids), unique=True, max_size=4))],
        "disclosures.csv": [disclosure_row(draw, ext, entity_ids, relationship_ids)
                            for ext in (draw(st.lists(ID, max_size=3, unique=True)) if relationship_ids else [])],
    }


@st.composite
def data_sets_changed(draw, data: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """`data` with rows redrawn under their keys (every value of a row may change, references stay
    valid) and rows added, as a later version of the same data set."""
    entity_ids = [row["external_id"] for row in data["entities.csv"]]
    entity_ids += [ext for ext in draw(st.lists(ID, max_size=2, unique=True)) if ext not in entity_ids]
    relationship_ids = [row["external_id"] for row in data["relationships.csv"]]
    relationship_ids += [ext for ext in draw(st.lists(ID, max_size=2, unique=True)) if ext not in relationship_ids]
    meeting_ids = [row["external_id"] for row in data["meetings.csv"]]
    meeting_ids += [ext for ext in draw(st.lists(ID, max_size=2, unique=True)) if ext not in meeting_ids]
    old = {name: {(row["meeting"], row["entity"]) if name == "attendance.csv" else row["external_id"]: row for row in rows}
           for name, rows in data.items()}

    def kept_or(name, key, redraw):
        return old[name][key] if key in old[name] and not draw(st.booleans()) else redraw()

    attendance = {(row["meeting"], row["entity"]) for row in data["attendance.csv"]}
    attendance |= {(meeting, entity) for meeting in meeting_ids for entity in draw(st.lists(st.sampled_from(entity_ids), unique=True, max_size=2))}
    disclosure_ids = [row["external_id"] for row in data["disclosures.csv"]]
    disclosure_ids += [ext for ext in (draw(st.lists(ID, max_size=2, unique=True)) if relationship_ids else []) if ext not in disclosure_ids]
    return {
        "entities.csv": [kept_or("entities.csv", ext, lambda: entity_row(draw, ext, entity_ids[:i])) for i, ext in enumerate(entity_ids)],
        "relationships.csv": [kept_or("relationships.csv", ext, lambda: relationship_row(draw, ext, entity_ids)) for ext in relationship_ids],
        "meetings.csv": [kept_or("meetings.csv", ext, lambda: meeting_row(draw, ext)) for ext in meeting_ids],
        "attendance.csv": [kept_or("attendance.csv", key, lambda: attendance_row(draw, *key)) for key in sorted(attendance)],
        "disclosures.csv": [kept_or("disclosures.csv", ext, lambda: disclosure_row(draw, ext, entity_ids, relationship_ids)) for ext in disclosure_ids],
    }


@st.composite
def files_of(draw, data: dict[str, list[dict]], every_column: bool = False) -> dict[str, bytes]:
    """The data set as CSV files, each in a column order of its own, leaving out optional columns
    that are empty in every row (unless `every_column`: a column left out leaves stored values
    alone), with or without a byte-order mark, either line ending."""
    files = {}
    for fmt in INPUT_FILES:
        rows = data[fmt.name]
        if not rows and fmt.name != "entities.csv" and draw(st.booleans()):
            continue  # only entities.csv is required
        optional = [c for c in fmt.optional_columns if every_column or any(row[c] for row in rows) or draw(st.booleans())]
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
    """Empty the five data tables and every table that refers to them (scores, flags, follows...).
    On PostgreSQL at once: deleting through the ORM wrote an audit event a row, 40% of a round-trip
    example's time."""
    models = (Disclosure, Attendance, Meeting, Relationship, Entity)
    if not is_postgres():
        for model in models[:-1]:
            model.objects.all().delete()
        Entity.objects.update(parent=None)
        Entity.objects.all().delete()
        return
    with connection.cursor() as cursor:
        # TRUNCATE waits for no key check: run the ones pending in the test's transaction now, and
        # defer them again after, as Django's keys are (core.bulk does the same around a load)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(model._meta.db_table for model in models)} CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
