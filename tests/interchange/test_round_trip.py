"""The interchange contract's round trip, for any valid data set (hypothesis): generated files
import without a problem, every value stored as given (cells are trimmed), and export, import
into an empty database and export again give the same files, byte for byte. Cells hold any text:
commas, quotes, line breaks of every kind, formulas, right-to-left marks; files come in any column
order, with or without the optional columns, a byte-order mark and either line ending."""
import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.models import Attendance, Meeting
from engagement.types import AttendanceRole, MeetingType
from entities.kinds import Kind
from entities.models import Entity
from interchange.export import dataset_export
from interchange.format import INPUT_FILES
from interchange.reading import files_from_directory
from interchange.services import dataset_import
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


def _empty_data_set() -> None:
    for model in (Disclosure, Attendance, Meeting, Relationship):
        model.objects.all().delete()
    Entity.objects.update(parent=None)
    Entity.objects.all().delete()


def _export(directory) -> dict[str, bytes]:
    dataset_export(directory)
    return {fmt.name: (directory / fmt.name).read_bytes() for fmt in INPUT_FILES}


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_data_set_imports_as_given_and_round_trips_byte_for_byte(data, tmp_path_factory):
    data_set = data.draw(data_sets())
    files = data.draw(files_of(data_set))
    _empty_data_set()

    result = dataset_import(files=files)

    assert result.ok, [str(p) for p in result.problems]
    stored = {e.external_id: e for e in Entity.objects.select_related("parent")}
    for row in data_set["entities.csv"]:
        entity = stored[row["external_id"]]
        assert (entity.name, entity.kind, entity.description, entity.parent.external_id if entity.parent else "") == (
            row["name"].strip(), row["kind"], row["description"].strip(), row["parent"])
    for row in data_set["relationships.csv"]:
        tie = Relationship.objects.get(external_id=row["external_id"])
        assert (tie.notes, tie.amount, tie.analyst_score) == (
            row["notes"].strip(), Decimal(row["amount"].replace(",", "")) if row["amount"] else None,
            Decimal(row["analyst_score"]) if row["analyst_score"] else None)
    assert Attendance.objects.count() == len(data_set["attendance.csv"])

    first = _export(tmp_path_factory.mktemp("first"))
    _empty_data_set()
    again = dataset_import(files=files_from_directory(tmp_path_factory.mktemp("unused")) | first)
    assert again.ok, [str(p) for p in again.problems]
    second = _export(tmp_path_factory.mktemp("second"))

    assert second == first


def _exported_results(directory) -> tuple[list[dict], list[dict]]:
    dataset_export(directory)
    read = lambda name: list(csv.DictReader(io.StringIO((directory / name).read_text(encoding="utf-8"), newline="")))  # noqa: E731
    return read("closeness.csv"), read("flags.csv")


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), as_of=DATES)
def test_any_valid_data_set_recomputes_to_well_formed_results_that_survive_a_round_trip(data, as_of, tmp_path_factory):
    """closeness.csv and flags.csv of any data set, as of any date, are as the contract shapes them,
    and a round trip of the data set gives the same ones."""
    from django.core.management import call_command

    _empty_data_set()
    assert dataset_import(files=data.draw(files_of(data.draw(data_sets())))).ok
    call_command("recompute", "--as-of", as_of.isoformat(), stdout=io.StringIO())
    closeness, flags = _exported_results(tmp_path_factory.mktemp("first"))

    entity_ids = set(Entity.objects.values_list("external_id", flat=True))
    for pair in closeness:
        score = Decimal(pair["score"])
        assert pair["entity_a"] < pair["entity_b"] and {pair["entity_a"], pair["entity_b"]} <= entity_ids
        assert Decimal("0.1") <= score <= 10 and score == score.quantize(Decimal("0.1")) and pair["as_of"] == as_of.isoformat()
        assert pair["band"] == ("close" if score >= 8 else "working" if score >= 4 else "distant")
    for flag in flags:
        assert flag["severity"] in ("low", "medium", "high") and flag["status"] == "open" and flag["disclosed"] in ("yes", "no")
        assert {flag["subject"], flag["counterpart"]} <= entity_ids and flag["evidence"]

    first = _export(tmp_path_factory.mktemp("data"))
    _empty_data_set()
    assert dataset_import(files=first).ok
    call_command("recompute", "--as-of", as_of.isoformat(), stdout=io.StringIO())
    assert _exported_results(tmp_path_factory.mktemp("second")) == (closeness, flags)
