"""import_dataset / export_dataset against the interchange contract."""
import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from engagement.models import Attendance, Meeting
from entities.models import Entity
from interchange.reading import files_from_directory
from interchange.services import dataset_import
from relationships.models import Disclosure, Relationship
from tests.imports import data_set, import_notes
from tests.interchange.strategies import data_set_emptied

MODELS = (Entity, Relationship, Meeting, Attendance, Disclosure)


def run_import(directory: Path, *args) -> tuple[int, str]:
    """The command's exit status and what it printed on standard output."""
    return run_import_noted(directory, *args)[:2]


def run_import_noted(directory: Path, *args) -> tuple[int, str, str]:
    """The exit status, standard output and standard error (where the notes go)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_dataset", str(directory), *args, stdout=out, stderr=err)
        return 0, out.getvalue(), err.getvalue()
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()


def row_counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in MODELS)


def edit_line(path: Path, line: int, old: str, new: str) -> None:
    """Replace `old` by `new` on one line; with `old` empty, append `new` as a new last line."""
    lines = path.read_text().splitlines(keepends=True)
    if not old:
        path.write_text("".join(lines) + new + "\n")
        assert line == len(lines) + 1
        return
    assert old in lines[line - 1], f"{old!r} not on line {line} of {path.name}"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines))


@pytest.mark.django_db
def test_broken_lakeside_reports_every_planted_fault_and_writes_nothing(lakeside_dir):
    code, output = run_import(lakeside_dir / "broken")

    assert code == 1
    reported = set(re.findall(r"^(\S+\.csv):(\d+): (\w+):", output, re.M))
    with open(lakeside_dir / "expected" / "broken-errors.csv") as fh:
        for row in csv.DictReader(fh):
            columns = set(row["column"].split("|"))
            assert any(f == row["file"] and int(n) == int(row["line"]) and c in columns for f, n, c in reported), row
    assert len(reported) == 9
    assert row_counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_good_lakeside_imports_with_counts_per_file(lakeside_dir):
    code, output = run_import(lakeside_dir / "data")

    assert code == 0
    assert "entities.csv: 191 created, 0 updated, 0 unchanged" in output
    assert "attendance.csv: 2725 created" in output
    assert row_counts() == (191, 55, 140, 2725, 3)
    assert Entity.objects.get(external_id="lk-pd-east").parent.external_id == "lk-pd"
    assert Entity.objects.get(external_id="lk-so").category == "law_enforcement"


@pytest.mark.django_db
def test_each_import_that_writes_is_recorded_with_who_and_what_each_file_did(lakeside_dir):
    from interchange.models import DatasetImport

    assert run_import(lakeside_dir / "broken")[0] == 1  # refused: nothing written, nothing recorded
    run_import(lakeside_dir / "data", "--dry-run")  # checked only: likewise
    assert not DatasetImport.objects.exists()

    run_import(lakeside_dir / "data")
    run_import(lakeside_dir / "data")  # the same files again: every row unchanged
    again, first = DatasetImport.objects.all()  # newest first
    assert first.via == "command" and first.actor.startswith("import_dataset command (") and first.imported_by is None
    assert first.counts["entities.csv"] == {"created": 191, "updated": 0, "unchanged": 0}
    assert first.counts["attendance.csv"]["created"] == 2725
    assert sorted(first.counts) == sorted(p.name for p in (lakeside_dir / "data").iterdir())
    assert again.counts["entities.csv"] == {"created": 0, "updated": 0, "unchanged": 191}


@pytest.mark.django_db
def test_an_import_keeps_its_files_as_given_and_their_digests(lakeside_dir, tmp_path):
    import hashlib
    import zipfile

    from interchange.models import DatasetImport

    given = {p.name: p.read_bytes() for p in (lakeside_dir / "data").iterdir()}
    run_import(lakeside_dir / "data")

    run = DatasetImport.objects.get()
    assert run.files == {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)} for name, data in given.items()}
    with zipfile.ZipFile(io.BytesIO(bytes(run.kept_files.archive))) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == given


@pytest.mark.django_db
def test_an_import_keeps_what_it_noted_with_its_record(tmp_path):
    from interchange.models import DatasetImport

    clean = data_set(tmp_path / "clean", entities="external_id,name,kind\np-1,Ann Lee,person\n")
    assert import_notes(clean) == [] and DatasetImport.objects.get().notes == []
    twins = data_set(tmp_path / "twins", entities="external_id,name,kind\np-2,Ann  Lee,person\npd,Lakeside PD,police_department\n")
    printed = import_notes(twins)

    run = DatasetImport.objects.first()  # the newest: the notes it printed, kept as the data sets page lists them
    assert len(printed) == len(run.notes) == 1
    (note,) = run.notes
    assert (note["file"], note["line"], note["column"]) == ("entities.csv", 2, "name") and note["message"] in printed[0]
    assert note["link"] and "p-1" in note["message"]


@pytest.mark.django_db
def test_only_the_latest_imports_keep_their_files_and_every_import_its_digests(lakeside_dir, settings):
    from interchange.models import DatasetImport, ImportedFiles

    settings.IMPORTED_FILES_KEPT = 2
    for _ in range(3):
        run_import(lakeside_dir / "data")
    newest, middle, oldest = DatasetImport.objects.with_files_kept()
    assert (newest.files_kept, middle.files_kept, oldest.files_kept) == (True, True, False)
    assert oldest.files == newest.files and len(oldest.files) == 5

    settings.IMPORTED_FILES_KEPT = 0  # none kept: the next import drops the ones still kept
    run_import(lakeside_dir / "data")
    assert not ImportedFiles.objects.exists() and DatasetImport.objects.count() == 4
    settings.IMPORTED_FILES_KEPT = -1  # a slip in the setting keeps none, and the import goes through
    assert run_import(lakeside_dir / "data")[0] == 0 and not ImportedFiles.objects.exists()


@pytest.mark.django_db
def test_a_first_import_loaded_with_its_keys_checked_once_stores_the_same(lakeside_dir, tmp_path, monkeypatch):
    """Loads into empty tables drop and re-add their foreign keys (core.bulk.foreign_keys_checked_once):
    forced here for every file, the data and the keys come out as in an ordinary import."""
    import interchange.services as services
    from core.bulk import is_postgres
    from interchange.export import dataset_export

    if not is_postgres():
        pytest.skip("foreign keys are dropped and re-added on PostgreSQL only")
    run_import(lakeside_dir / "data")
    dataset_export(tmp_path / "ordinary")
    keys = _all_foreign_keys()
    data_set_emptied()
    assert row_counts() == (0, 0, 0, 0, 0)

    monkeypatch.setattr(services, "BULK_LOAD_ROWS", 1)
    code, output = run_import(lakeside_dir / "data")

    assert code == 0 and row_counts() == (191, 55, 140, 2725, 3)
    assert _all_foreign_keys() == keys
    dataset_export(tmp_path / "loaded")
    for name in ("entities.csv", "relationships.csv", "meetings.csv", "attendance.csv", "disclosures.csv"):
        assert (tmp_path / "loaded" / name).read_bytes() == (tmp_path / "ordinary" / name).read_bytes(), name


def _all_foreign_keys() -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2")
        return cursor.fetchall()


@pytest.mark.django_db
def test_dry_run_validates_but_writes_nothing(lakeside_dir):
    code, output = run_import(lakeside_dir / "data", "--dry-run")

    assert code == 0
    assert "Dry run" in output
    assert row_counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_reimporting_the_same_files_changes_nothing(lakeside, lakeside_dir):
    before = {e.external_id: e.updated_at for e in Entity.objects.all()}

    code, output = run_import(lakeside_dir / "data")

    assert code == 0
    assert "entities.csv: 0 created, 0 updated, 191 unchanged" in output
    assert "relationships.csv: 0 created, 0 updated, 55 unchanged" in output
    assert "attendance.csv: 0 created, 0 updated, 2725 unchanged" in output
    assert {e.external_id: e.updated_at for e in Entity.objects.all()} == before


@pytest.mark.django_db
def test_one_changed_cell_changes_exactly_that_row(lakeside, copy_of_lakeside):
    edit_line(copy_of_lakeside / "relationships.csv", 34, "180000", "190000")
    before = dict(Relationship.objects.values_list("external_id", "updated_at"))

    code, output = run_import(copy_of_lakeside)

    assert code == 0
    assert "relationships.csv: 0 created, 1 updated, 54 unchanged" in output
    after = dict(Relationship.objects.values_list("external_id", "updated_at"))
    assert [k for k in after if after[k] != before[k]] == ["f-01"]
    assert Relationship.objects.get(external_id="f-01").amount == 190000


@pytest.mark.django_db
def test_changing_a_parent_is_an_update(lakeside, copy_of_lakeside):
    edit_line(copy_of_lakeside / "entities.csv", 3, "lk-pd,,", ",,")

    code, output = run_import(copy_of_lakeside)

    assert code == 0
    assert "entities.csv: 0 created, 1 updated, 190 unchanged" in output
    assert Entity.objects.get(external_id="lk-pd-east").parent is None


@pytest.mark.django_db
def test_delta_import_may_refer_to_rows_already_in_the_database(lakeside, tmp_path):
    (tmp_path / "entities.csv").write_text("external_id,name,kind\np-new,New Officer,person\n")
    (tmp_path / "relationships.csv").write_text(
        "external_id,source,target,type,start_date\nr-new,p-new,lk-pd,employed_by,2026-01-01\n"
    )
    (tmp_path / "attendance.csv").write_text("meeting,entity,role\nm-biz-01,p-new,attendee\n")
    (tmp_path / "disclosures.csv").write_text(
        "external_id,discloser,relationship,disclosed_on\nd-new,p-chief,f-01,2026-01-02\n"
    )

    code, output = run_import(tmp_path)

    assert code == 0, output
    assert "entities.csv: 1 created, 0 updated, 0 unchanged" in output
    assert Relationship.objects.get(external_id="r-new").target.external_id == "lk-pd"
    assert Attendance.objects.filter(meeting__external_id="m-biz-01").count() == 3
    # the delta's missing columns leave stored values alone
    assert Entity.objects.get(external_id="lk-pd-east").parent.external_id == "lk-pd"


PLANTED_FAULTS = [
    # (file, line, old text, new text, expected "FILE:LINE: column")
    ("entities.csv", 2, "police_department", "police", "entities.csv:2: kind"),
    ("entities.csv", 3, "lk-pd,,", "lk-ghost,,", "entities.csv:3: parent"),
    ("entities.csv", 193, "", "bad id!,Somebody,person,,,,", "entities.csv:193: external_id"),
    ("entities.csv", 193, "", "lk-pd,Again,police_department,,,,", "entities.csv:193: external_id"),
    ("entities.csv", 2, "Lakeside Police Department", "", "entities.csv:2: name"),
    ("relationships.csv", 2, "2018-03-01", "2018-3-1", "relationships.csv:2: start_date"),
    ("relationships.csv", 5, "2016-01-01,", "2016-01-01,2015-12-31", "relationships.csv:5: end_date"),
    ("relationships.csv", 34, "180000", "", "relationships.csv:34: amount"),
    ("relationships.csv", 41, "6000", "abc", "relationships.csv:41: amount"),
    ("relationships.csv", 55, ",6,", ",10.5,", "relationships.csv:55: analyst_score"),
    ("relationships.csv", 2, "oversees", "watches", "relationships.csv:2: type"),
    ("relationships.csv", 2, "lk-ob,lk-pd", "lk-ob,lk-ob", "relationships.csv:2: target"),
    ("relationships.csv", 3, "lk-ig,", "lk-nobody,", "relationships.csv:3: source"),
    ("relationships.csv", 3, "s-02,", "s-01,", "relationships.csv:3: external_id"),
    ("meetings.csv", 2, "2025-07-02", "2025-13-02", "meetings.csv:2: date"),
    ("meetings.csv", 2, "private_meeting", "lunch", "meetings.csv:2: type"),
    ("attendance.csv", 2, "m-chair-chief-01", "m-missing", "attendance.csv:2: meeting"),
    ("attendance.csv", 2, "organizer", "host", "attendance.csv:2: role"),
    ("attendance.csv", 3, "p-chief", "p-chair", "attendance.csv:3: entity"),
    ("disclosures.csv", 2, "eo-c1", "eo-nobody", "disclosures.csv:2: discloser"),
    ("disclosures.csv", 2, "2024-06-01", "June 2024", "disclosures.csv:2: disclosed_on"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,line,old,new,expected", PLANTED_FAULTS, ids=[f[4] for f in PLANTED_FAULTS])
def test_each_planted_fault_is_reported_on_its_line_and_nothing_is_written(copy_of_lakeside, name, line, old, new, expected):
    edit_line(copy_of_lakeside / name, line, old, new)

    code, output = run_import(copy_of_lakeside)

    assert code == 1
    problems = [l for l in output.splitlines() if re.match(r"^\S+\.csv:\d+: ", l)]
    assert [p for p in problems if p.startswith(expected + ":")], output
    assert len(problems) == 1, problems
    assert row_counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_cycle_of_parents_is_reported(tmp_path):
    (tmp_path / "entities.csv").write_text(
        "external_id,name,kind,parent\na,A,police_department,b\nb,B,police_department,c\nc,C,police_department,a\nd,D,police_department,d\n"
    )

    code, output = run_import(tmp_path)

    assert code == 1
    assert "entities.csv:2: parent: the parents form a cycle: a -> b -> c -> a" in output
    assert "entities.csv:5: parent: an entity cannot be its own parent" in output


@pytest.mark.django_db
def test_unknown_and_missing_columns_are_reported_on_the_header(tmp_path):
    (tmp_path / "entities.csv").write_text("external_id,name,category\na,A,person\n")

    code, output = run_import(tmp_path)

    assert code == 1
    assert "entities.csv:1: category: unknown column 'category' (expected: external_id, name, kind, " in output
    assert "entities.csv:1: kind: required column is missing" in output


@pytest.mark.django_db
def test_a_column_named_as_other_data_sets_name_it_is_said_once_with_the_name_meant(tmp_path):
    data_set(tmp_path, entities="external_id,name,kinds,url\na,A,person,\nb,B,person,\n",
             relationships="id,source_id,target,type,start\nr-1,a,b,family,2020-01-01\n")

    code, output = run_import(tmp_path)

    assert code == 1 and [line.split(" (expected")[0] + " …" + line.split(")")[-1] for line in output.splitlines()[:-1]] == [
        "entities.csv:1: kinds: unknown column 'kinds' …; did you mean 'kind'?",
        "entities.csv:1: url: unknown column 'url' …; did you mean 'website'?",
        "relationships.csv:1: id: unknown column 'id' …; did you mean 'external_id'?",
        "relationships.csv:1: source_id: unknown column 'source_id' …; did you mean 'source'?",
        "relationships.csv:1: start: unknown column 'start' …; did you mean 'start_date'?",
    ]


@pytest.mark.django_db
def test_a_meetings_minutes_column_is_said_to_be_its_source_url(tmp_path):
    data_set(tmp_path, entities="external_id,name,kind\na,A,person\n",
             meetings="external_id,date,type,title,minutes_url\nm-1,2026-01-05,community_forum,Forum,https://x.example/m\n",
             disclosures="external_id,discloser,relationship,disclosed_on,link\n")

    code, output = run_import(tmp_path)

    assert code == 1 and [line.split(" (expected")[0] + " …" + line.split(")")[-1] for line in output.splitlines()[:-1]] == [
        "meetings.csv:1: minutes_url: unknown column 'minutes_url' …; did you mean 'source_url'?",
        "disclosures.csv:1: link: unknown column 'link' …; did you mean 'source_url'?",
    ]


@pytest.mark.django_db
def test_a_column_named_but_for_case_is_said_once_as_such(tmp_path):
    (tmp_path / "entities.csv").write_text("External_ID,name,Kind\na,A,person\n")

    code, output = run_import(tmp_path)

    assert code == 1 and output.splitlines() == [
        "entities.csv:1: External_ID: unknown column 'External_ID': column names are lower case ('external_id')",
        "entities.csv:1: Kind: unknown column 'Kind': column names are lower case ('kind')",
        "2 problems found; nothing was imported."]


@pytest.mark.django_db
def test_an_amount_written_with_a_point_between_groups_of_three_digits_imports_as_read_with_a_note(tmp_path):
    # from a spreadsheet where the point separates thousands, "1.500" is fifteen hundred
    data_set(tmp_path, entities="external_id,name,kind\nunion,Union,police_union\nmayor,Mayor,elected_official\n",
             relationships="external_id,source,target,type,start_date,amount\nc-1,union,mayor,contributes_to,2025-03-01,1.500\n"
                           "c-2,union,mayor,contributes_to,2025-04-01,1.50\n")

    assert import_notes(tmp_path) == [
        "relationships.csv:2: amount: note: '1.500' is read as 1.5; where a point separates thousands it is 1,500: if so, write 1500"]
    assert Relationship.objects.get(external_id="c-1").amount == Decimal("1.5")


# the contract sets no number of decimals: refused, a whole data set failed on one rating of 7.25
# or one amount of 1234.565; each is kept rounded half up, with a note naming its line
@pytest.mark.parametrize(("column", "cells", "notes", "kept"), [
    ("analyst_score", ["7.25", "9.96", "6.5"],
     ["relationships.csv:2: analyst_score: note: '7.25' is kept as 7.3: an analyst's rating holds one decimal",
      "relationships.csv:3: analyst_score: note: '9.96' is kept as 10.0: an analyst's rating holds one decimal"],
     ["7.3", "10.0", "6.5"]),
    ("amount", ["1234.565", "0.125", "250.50"],
     ["relationships.csv:2: amount: note: '1234.565' is kept as 1234.57: an amount is kept to the cent",
      "relationships.csv:3: amount: note: '0.125' is kept as 0.13: an amount is kept to the cent"],
     ["1234.57", "0.13", "250.50"]),
])
@pytest.mark.django_db
def test_a_number_with_more_decimals_than_kept_imports_rounded_half_up_with_a_note(tmp_path, column, cells, notes, kept):
    amount_and_rating = (lambda cell: f"100,{cell}") if column == "analyst_score" else (lambda cell: f"{cell},")
    data_set(tmp_path, entities="external_id,name,kind\nunion,Union,police_union\nmayor,Mayor,elected_official\n",
             relationships="external_id,source,target,type,start_date,amount,analyst_score\n" + "".join(
                 f"r-{i},union,mayor,contributes_to,2025-0{i}-01,{amount_and_rating(cell)}\n" for i, cell in enumerate(cells, start=1)))

    assert import_notes(tmp_path) == notes
    assert list(Relationship.objects.order_by("external_id").values_list(column, flat=True)) == [Decimal(k) for k in kept]
    again = dataset_import(files=files_from_directory(tmp_path))  # as kept: the same files again change nothing
    assert again.counts["relationships.csv"].unchanged == 3


@pytest.mark.django_db
def test_an_amount_kept_as_no_cent_or_that_may_be_thousands_is_refused(tmp_path):
    data_set(tmp_path, entities="external_id,name,kind\nunion,Union,police_union\nmayor,Mayor,elected_official\n",
             relationships="external_id,source,target,type,start_date,amount\nc-1,union,mayor,contributes_to,2025-03-01,0.004\n"
                           "c-2,union,mayor,contributes_to,2025-04-01,1.234\n")

    code, output = run_import(tmp_path)

    assert code == 1 and Relationship.objects.count() == 0
    assert "relationships.csv:2: amount: is less than half a cent (got 0.004): amounts are kept to the cent" in output
    assert "relationships.csv:3: amount: '1.234' may be 1,234, with a point between thousands: write 1234, or at most 2 decimals if it is 1.234" in output


@pytest.mark.django_db
def test_numbers_too_large_or_too_small_are_refused_by_name_not_crashed_on(tmp_path):
    # rounding works to 28 digits: thirty-two digits with decimals raised decimal.InvalidOperation
    data_set(tmp_path, entities="external_id,name,kind\nunion,Union,police_union\nmayor,Mayor,elected_official\n",
             relationships="external_id,source,target,type,start_date,amount,analyst_score\n"
                           "c-1,union,mayor,contributes_to,2025-03-01,99999999999999999999999999999.999,\n"
                           "c-2,union,mayor,contributes_to,2025-03-01,1e30,\n"
                           "c-3,union,mayor,contributes_to,2025-03-01,1e-1000000,\n"
                           "c-4,union,mayor,contributes_to,2025-03-01,5,1.5e999999999\n")

    code, output = run_import(tmp_path)

    assert code == 1 and Relationship.objects.count() == 0
    assert output.splitlines()[:4] == [
        "relationships.csv:2: amount: is implausibly large (99999999999999999999999999999.999)",
        "relationships.csv:3: amount: is implausibly large (1E+30)",
        "relationships.csv:4: amount: is less than half a cent (got 1E-1000000): amounts are kept to the cent",
        "relationships.csv:5: analyst_score: must be between 0 and 10 (got 1.5E+999999999)",
    ]


@pytest.mark.django_db
def test_a_long_report_ends_with_how_many_problems_each_column_has(tmp_path):
    # attendance written with names where the ids belong, and a role or two misspelt
    people = "".join(f"p-{i},Person {i},person\n" for i in range(30))
    attendance = "".join(f"m-1,Person {i},{'chair' if i < 2 else 'attendee'}\n" for i in range(30))
    data_set(tmp_path, entities="external_id,name,kind\n" + people, meetings="external_id,date,type,title\nm-1,2026-03-05,community_forum,Forum\n",
             attendance="meeting,entity,role\n" + attendance)

    code, output = run_import(tmp_path)

    assert code == 1 and output.splitlines()[-2:] == [
        "By column: attendance.csv entity: 30; attendance.csv role: 2", "32 problems found; nothing was imported."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload,message",
    [
        (b"external_id,name,kind\n\xff\xfe,bad,person\n", "entities.csv:2: -: the file is not UTF-8 text"),
        # as a spreadsheet writes "Unicode Text" or a Windows encoding: said as such, not as columns full of NULs
        ("external_id,name,kind\na,A,person\n".encode("utf-16"), "entities.csv:1: -: the file is UTF-16 text, not UTF-8: save it as UTF-8 CSV"),
        ("external_id,name,kind\na,A,person\n".encode("utf-16-le"), "entities.csv:1: -: the file is UTF-16 text, not UTF-8"),
        ("external_id,name,kind\na,A,person\n".encode("utf-16-be"), "entities.csv:1: -: the file is UTF-16 text, not UTF-8"),
        ("external_id,name,kind\na,Ren\u00e9e,person\n".encode("cp1252"),
         "entities.csv:2: -: the file is not UTF-8 text (byte 0xe9, '\u00e9' in the Windows encoding, cannot be decoded); save it as UTF-8 CSV"),
        (b"external_id,name,kind\n\"a,A,person\n", "entities.csv:2: -: the file is not valid CSV"),
        (b"external_id,name,kind\na,A\x00,person\n", "entities.csv:2: name: contains a NUL character"),
        (b"", "entities.csv:1: -: the file is empty"),
        (b"external_id,name,kind\na,A,person,extra\n", "entities.csv:2: -: the row has 4 cells but the header has 3"),
    ],
)
def test_a_file_that_is_not_utf8_csv_is_one_clear_message(tmp_path, payload, message):
    (tmp_path / "entities.csv").write_bytes(payload)

    code, output = run_import(tmp_path)

    assert code == 1
    assert message in output
    assert Entity.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "broken,problem",
    [
        ("latin-1", "entities.csv:2: -: the file is not UTF-8 text"),
        ("no id column", "entities.csv:1: external_id: required column is missing"),
    ],
)
def test_an_unreadable_entities_file_is_reported_once_not_in_every_reference_to_it(copy_of_lakeside, broken, problem):
    """The other files name its entities; whether they exist cannot be known, so they are not
    reported unknown (the lakeside set has thousands of such references)."""
    entities = copy_of_lakeside / "entities.csv"
    text = entities.read_text(encoding="utf-8")
    if broken == "latin-1":
        entities.write_bytes(text.replace("Lakeside Police Department", "Lakesidé Police Départment", 1).encode("latin-1"))
    else:
        entities.write_text(text.replace("external_id,", "external_ref,", 1), encoding="utf-8")

    code, output = run_import(copy_of_lakeside)

    assert code == 1
    assert problem in output
    assert "unknown entity" not in output and "unknown parent entity" not in output
    assert row_counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_reference_to_an_entity_in_no_file_is_still_reported(copy_of_lakeside):
    edit_line(copy_of_lakeside / "relationships.csv", 2, "lk-ob", "lk-nowhere")

    code, output = run_import(copy_of_lakeside)

    assert code == 1
    assert "relationships.csv:2: source: unknown entity 'lk-nowhere' (not in the files nor in the database)" in output


@pytest.mark.django_db
@pytest.mark.parametrize("written,why", [
    ("LK-PD", "ids are case-sensitive"),
    # pasted from a web page: 'lk-pd' and a zero-width space, which looks like 'lk-pd'
    ("lk-pd\u200b", "this one holds U+200B, zero width space, at character 6"),
])
def test_an_id_that_reads_as_a_known_one_is_unknown_and_the_problem_names_the_id_meant(copy_of_lakeside, written, why):
    edit_line(copy_of_lakeside / "attendance.csv", 107, "lk-pd", written)

    code, output = run_import(copy_of_lakeside)

    assert code == 1 and row_counts() == (0, 0, 0, 0, 0)
    assert (f"attendance.csv:107: entity: unknown entity '{written}' (not in the files nor in the database); "
            f"did you mean 'lk-pd'? ({why})") in output


@pytest.mark.django_db
def test_a_name_written_where_an_entity_id_belongs_is_unknown_and_the_problem_names_the_id(copy_of_lakeside, tmp_path):
    edit_line(copy_of_lakeside / "attendance.csv", 3, "p-chief", "chief morgan hill")

    code, output = run_import(copy_of_lakeside)

    assert code == 1 and row_counts() == (0, 0, 0, 0, 0)
    assert ("attendance.csv:3: entity: unknown entity 'chief morgan hill' (not in the files nor in the database); that is the name "
            "of 'p-chief': give its external_id") in output
    # and of an entity already in the tracker, in a file that adds only meetings
    import_notes(data_set(tmp_path / "entities-only", entities=(copy_of_lakeside / "entities.csv").read_text()))
    more = data_set(tmp_path / "more", entities="external_id,name,kind\nlk-pd-2,Lakeside Police Department,police_department\n",
                    relationships="external_id,source,target,type\nr-1,Chief Morgan Hill,lk-pd,leads\nr-2,lk-ob,Lakeside Police Department,oversees\n")

    code, output = run_import(more)

    assert code == 1
    assert ("relationships.csv:2: source: unknown entity 'Chief Morgan Hill' (not in the files nor in the database); that is the "
            "name of 'p-chief': give its external_id") in output
    assert ("relationships.csv:3: target: unknown entity 'Lakeside Police Department' (not in the files nor in the database); that "
            "is the name of 2 entities ('lk-pd', 'lk-pd-2'): give the external_id of the one meant") in output


@pytest.mark.django_db
def test_a_reference_holding_a_nul_character_is_reported_not_looked_up_by_name(copy_of_lakeside):
    # found by the fuzz: looking the value up as a stored entity's name sent the NUL to PostgreSQL
    edit_line(copy_of_lakeside / "attendance.csv", 3, "p-chief", "x\x00y")

    code, output = run_import(copy_of_lakeside)

    assert code == 1 and "attendance.csv:3: entity: unknown entity 'x\\x00y' (not in the files nor in the database)" in output


@pytest.mark.django_db
def test_cells_that_look_like_null_import_and_export_as_their_text(copy_of_lakeside, tmp_path):
    """COPY read an unquoted \\N as NULL: such a cell failed the whole import."""
    path = copy_of_lakeside / "entities.csv"
    rows = list(csv.reader(io.StringIO(path.read_text())))
    rows[1][1], rows[1][5], rows[2][5] = "\\N", "nan", "NULL"  # name, description
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    code, _ = run_import(copy_of_lakeside)
    assert code == 0
    assert Entity.objects.get(external_id=rows[1][0]).name == "\\N"
    assert Entity.objects.get(external_id=rows[1][0]).description == "nan"
    assert Entity.objects.get(external_id=rows[2][0]).description == "NULL"
    call_command("export_dataset", str(tmp_path / "out"), stdout=io.StringIO())
    exported = set((tmp_path / "out" / "entities.csv").read_text().splitlines())
    assert {"lk-pd,\\N,police_department,City of Lakeside,,nan,", "lk-pd-east,East District,police_department,City of Lakeside,lk-pd,NULL,"} <= exported


@pytest.mark.django_db(transaction=True)
def test_an_import_leaves_an_entitys_meetings_readable_from_the_index_alone(lakeside_dir):
    """The import vacuums what it loaded, so an entity's meetings come from the attendance index
    without reading the table (what an incremental recompute looks up first)."""
    from django.db import connection

    run_import(lakeside_dir / "data")
    entity = Attendance.objects.order_by().values_list("entity_id", flat=True).first()
    table = Attendance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = %s", [table])
        pages, all_visible = cursor.fetchone()
        try:
            cursor.execute("SET enable_seqscan = off")  # a table this small would be read whole
            cursor.execute("SET enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) SELECT meeting_id FROM {table} WHERE entity_id = %s", [entity])
            plan = cursor.fetchone()[0][0]["Plan"]
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_bitmapscan")

    assert pages > 0 and all_visible == pages
    assert (plan["Node Type"], plan["Index Name"], plan["Heap Fetches"]) == ("Index Only Scan", "attendance_entity_meeting", 0)


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_take_turns(lakeside_dir):
    """Two analysts importing the same new data set at the same moment: without a lock both planned
    to create every row and the second failed on a unique external_id (a server error)."""
    import threading

    from django.db import connection

    files = files_from_directory(lakeside_dir / "data")
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(dataset_import(files=files))
        except Exception as exc:  # noqa: BLE001 - the test reports what failed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(r.counts["entities.csv"].created for r in results) == [0, 191]
    assert sorted(r.counts["entities.csv"].unchanged for r in results) == [0, 191]
    assert Entity.objects.count() == 191


@pytest.mark.django_db
def test_importing_again_a_twin_merged_before_imports_it_with_a_note(lakeside, lakeside_dir, copy_of_lakeside):
    """An old export imported after a merge brings the twin back: imported (the files are valid),
    with a note naming its line, and the merge it undoes in effect."""
    from entities.services import entity_merge

    edit_line(copy_of_lakeside / "entities.csv", 193, "", "lk-pd-2,Lakeside Police Dept.,police_department,,,,")
    run_import(copy_of_lakeside)
    entity_merge(keep=Entity.objects.get(external_id="lk-pd"), duplicate=Entity.objects.get(external_id="lk-pd-2"))

    code, output, notes = run_import_noted(copy_of_lakeside)

    assert code == 0 and Entity.objects.filter(external_id="lk-pd-2").exists()
    assert "note:" not in output  # notes go to standard error: standard output keeps the counts alone
    assert re.search(r"^entities\.csv:193: external_id: note: lk-pd-2 was merged into lk-pd on \d{4}-\d\d-\d\d; "
                     r"this import adds it again as an entity of its own, with the rows that name it \(if it is the same one, "
                     r"merge it again: /entities/lk-pd-2/merge/\?into=lk-pd\)$", notes, re.M)
    assert "note:" not in run_import_noted(copy_of_lakeside)[2]  # once back, it is an entity like any other
    assert "note:" not in run_import_noted(lakeside_dir / "data")[2]


@pytest.mark.django_db
def test_a_csv_file_the_import_does_not_read_is_named_in_a_note(copy_of_lakeside, tmp_path):
    """A misspelt file name (disclosure.csv) would leave its rows out without a word: the import
    goes on (a folder may hold other files), with a note naming the file and the names it reads."""
    (copy_of_lakeside / "disclosures.csv").rename(copy_of_lakeside / "disclosure.csv")
    (copy_of_lakeside / "README.txt").write_text("not a data file")

    code, output, notes = run_import_noted(copy_of_lakeside, "--dry-run")

    assert code == 0 and "disclosures.csv" not in output  # imported without it
    assert notes.splitlines() == [
        "disclosure.csv:1: -: note: not one of the data set's files "
        "(entities.csv, relationships.csv, meetings.csv, attendance.csv, disclosures.csv): it was not read; did you mean disclosures.csv?"
    ]


@pytest.mark.django_db
def test_an_exports_own_files_are_read_back_without_a_note(tmp_path, lakeside_dir):
    run_import(lakeside_dir / "data")
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    call_command("export_dataset", str(tmp_path / "out"), stdout=io.StringIO())
    assert {"closeness.csv", "flags.csv"} <= {p.name for p in (tmp_path / "out").iterdir()}

    code, _, notes = run_import_noted(tmp_path / "out")

    assert code == 0 and notes == ""


@pytest.mark.django_db
def test_a_file_that_cannot_be_read_is_named_and_nothing_is_imported(copy_of_lakeside, monkeypatch):
    from django.core.management.base import CommandError

    unreadable = copy_of_lakeside / "meetings.csv"
    real_read_bytes = Path.read_bytes

    def read_bytes(path):
        if path == unreadable:  # as for a file without read permission (these tests may run as root)
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(CommandError, match=rf"^{unreadable}: cannot be read \(Permission denied\); nothing was imported$"):
        call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO(), stderr=io.StringIO())
    assert row_counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_folder_that_cannot_be_listed_is_named_and_nothing_is_imported(copy_of_lakeside, monkeypatch):
    from django.core.management.base import CommandError

    def iterdir(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Path, "iterdir", iterdir)
    with pytest.raises(CommandError, match=rf"^{copy_of_lakeside}: cannot be read \(Permission denied\); nothing was imported$"):
        call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO(), stderr=io.StringIO())
    assert row_counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("separator,called", [(";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")])
def test_a_file_saved_with_another_separator_is_one_problem_that_says_so(tmp_path, separator, called):
    # a spreadsheet where the comma is the decimal mark saves "CSV" with semicolons
    # commas in its cells split those rows into cells of their own: not a problem of each row, but of the file
    (tmp_path / "entities.csv").write_text(separator.join(["external_id", "name", "kind", "description"]) + "\n"
                                           + separator.join(["a", "A", "person", "Chair, review board"]) + "\n"
                                           + separator.join(["b", "B", "person", ""]) + "\n")

    code, output = run_import(tmp_path)

    assert code == 1 and row_counts() == (0, 0, 0, 0, 0)
    assert output.splitlines() == [
        f"entities.csv:1: -: the cells are separated by {called}, not commas: save the file as CSV with commas "
        "(in a spreadsheet: \"CSV UTF-8 (comma delimited)\")",
        "1 problem found; nothing was imported."]


@pytest.mark.django_db
def test_a_header_of_one_unknown_column_is_still_an_unknown_column(tmp_path):
    (tmp_path / "entities.csv").write_text("id;label\na;A\n")

    code, output = run_import(tmp_path)

    assert code == 1 and "entities.csv:1: id;label: unknown column 'id;label'" in output


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["$6000", "6000 €", "£6000.50"])
def test_an_amount_with_a_currency_sign_says_to_leave_the_sign_out(copy_of_lakeside, given):
    edit_line(copy_of_lakeside / "relationships.csv", 41, "6000", given)

    code, output = run_import(copy_of_lakeside)

    assert code == 1 and f"relationships.csv:41: amount: '{given}' is not a number: write the amount without its currency sign" in output


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["6000,50", "6.000,50", "6,5"])
def test_an_amount_with_a_decimal_comma_is_refused_not_read_as_a_thousands_separator(copy_of_lakeside, given):
    # "6000,50" was imported as 600,050 and "6,5" as 65, without a word (quoted, as a spreadsheet writes a cell with a comma)
    edit_line(copy_of_lakeside / "relationships.csv", 41, "6000", f'"{given}"')

    code, output = run_import(copy_of_lakeside)

    assert code == 1 and row_counts() == (0, 0, 0, 0, 0)
    assert f"relationships.csv:41: amount: '{given}' is not a number: write decimals with a point (1234.50), not a comma" in output


@pytest.mark.django_db
def test_an_amount_with_thousands_separators_is_read_as_written(copy_of_lakeside):
    edit_line(copy_of_lakeside / "relationships.csv", 41, "6000", '"6,000.50"')

    code, _ = run_import(copy_of_lakeside)

    assert code == 0
    assert Decimal("6000.50") in set(Relationship.objects.values_list("amount", flat=True))


@pytest.mark.django_db
def test_a_row_stored_while_an_import_ran_fails_it_whole_saying_so_not_with_a_traceback(lakeside_dir, monkeypatch):
    """An analyst records (on a page) a relationship under an id the import adds, after the import
    read what was stored and before it wrote: the database refuses the second, and the import
    says what changed instead of raising."""
    from interchange import services
    from tests.factories import RelationshipFactory

    real_stored = services._stored

    def stored_then_someone_records_s01(queryset, key, names):
        rows = real_stored(queryset, key, names)
        if queryset.model is Relationship:
            RelationshipFactory(external_id="s-01")  # after the import looked: not among `rows`
        return rows

    monkeypatch.setattr(services, "_stored", stored_then_someone_records_s01)
    before = (Entity.objects.count(), Relationship.objects.count())

    result = dataset_import(files=files_from_directory(lakeside_dir / "data"))

    assert not result.ok
    (problem,) = result.problems
    assert str(problem).startswith("relationships.csv:1: -: the stored data changed while the import ran (Key (external_id)=(s-01) already exists.)")
    assert "nothing was imported: import again" in problem.message
    assert (Entity.objects.count(), Relationship.objects.count()) == before  # the meantime's row went with the rollback too
