"""Reading CSV bytes into rows with their line numbers, or problems naming file, line and column."""
import csv
import io
import unicodedata
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from interchange.reading import MAX_CELL_CHARACTERS, Problem, problems_by_column, read_csv


def test_blank_rows_are_skipped_and_lines_keep_their_numbers():
    data = b"external_id,name,kind\n\n,,\n  , \t ,\n,Ann,person\np-1,Bob,person\n"
    table, problems = read_csv("entities.csv", data)
    assert problems == []
    assert table.header == ["external_id", "name", "kind"]
    # an empty line, one of empty cells and one of spaces are blank; a row whose first cell alone is empty is not
    assert table.rows == [(5, ["", "Ann", "person"]), (6, ["p-1", "Bob", "person"])]


def test_a_cell_too_long_and_a_row_of_the_wrong_width_are_problems_at_their_line_and_column():
    long_cell = "x" * (MAX_CELL_CHARACTERS + 1)
    data = f"external_id,name,kind\np-1,{long_cell},person\np-2,Bob\n".encode()
    _, problems = read_csv("entities.csv", data)
    assert [(p.file, p.line, p.column) for p in problems] == [("entities.csv", 2, "name"), ("entities.csv", 3, "-")]
    assert "longer than" in problems[0].message and "2 cells but the header has 3" in problems[1].message


cells = st.lists(st.sampled_from(["a", " ", "\t", "", "b,", '"']), max_size=3).map("".join)


@given(st.lists(st.lists(cells, min_size=1, max_size=4), max_size=8))
def test_exactly_the_rows_with_a_non_blank_cell_are_kept(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["a", "b", "c", "d"])
    writer.writerows(rows)
    table, _ = read_csv("attendance.csv", buffer.getvalue().encode())
    expected = [row for row in rows if any(cell.strip() for cell in row)]
    assert [cells for _, cells in table.rows] == expected


def test_a_data_set_moved_in_time_moves_every_date_and_nothing_else(lakeside_dir):
    from interchange.reading import files_from_directory, files_moved_by

    files = files_from_directory(lakeside_dir / "data")
    moved = files_moved_by(files, 365)

    assert files_moved_by(files, 0) is files
    assert moved["entities.csv"] == files["entities.csv"] and moved["attendance.csv"] == files["attendance.csv"]
    for name, columns in (("relationships.csv", ("start_date", "end_date")), ("meetings.csv", ("date",)), ("disclosures.csv", ("disclosed_on",))):
        before = list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"))))
        after = list(csv.DictReader(io.StringIO(moved[name].decode("utf-8"))))
        assert len(after) == len(before) > 0
        for old, new in zip(before, after):
            for column, value in old.items():
                if column in columns and value:
                    assert date.fromisoformat(new[column]) - date.fromisoformat(value) == timedelta(days=365)
                else:
                    assert new[column] == value, (name, column)


def test_problems_are_counted_by_file_and_column_in_the_order_they_first_appear():
    problems = [Problem("attendance.csv", line, "entity", "unknown entity") for line in range(2, 6)]
    problems[2:2] = [Problem("attendance.csv", 9, "role", "unknown role"), Problem("entities.csv", 3, "kind", "unknown kind")]

    assert problems_by_column(problems) == [("attendance.csv", "entity", 4), ("attendance.csv", "role", 1), ("entities.csv", "kind", 1)]


_HEADER_TEXT = st.text(st.characters(min_codepoint=1, max_codepoint=0x2FFF, exclude_characters="\n\r"), min_size=2, max_size=60)


@given(header=_HEADER_TEXT, rows=st.text(max_size=200))
def test_a_utf8_file_is_never_taken_for_utf16_and_an_ascii_header_in_utf16_always_is(header, rows):
    as_utf8 = (header + "\n" + rows).encode("utf-8", errors="surrogatepass")
    table, problems = read_csv("entities.csv", as_utf8)
    assert not any("UTF-16" in p.message for p in problems)

    ascii_header = header.encode("ascii", errors="ignore").decode() or "external_id"
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        if len(ascii_header) >= 2:
            table, problems = read_csv("entities.csv", (ascii_header + "\n" + rows).encode(encoding, errors="surrogatepass"))
            assert table is None and [(p.line, p.message[:35]) for p in problems] == [(1, "the file is UTF-16 text, not UTF-8:")]


@given(st.text())
def test_a_problem_is_one_printable_line_whatever_it_quotes(text):
    problem = Problem("entities.csv", 2, text, f"'{text}' is not a kind")

    printed = str(problem)
    assert len(printed.splitlines()) == 1 and "\x00" not in printed
    assert not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in problem.column + problem.message)
    assert printed.startswith("entities.csv:2: ")
    if text.isprintable():  # what can be read as it is, is shown as it is
        assert problem.column == text
