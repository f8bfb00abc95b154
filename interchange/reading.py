"""Turns uploaded or on-disk bytes into CSV rows with their line numbers, or a clear problem."""
from __future__ import annotations

import codecs
import csv
import io
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .format import DATE_COLUMNS, EXPORT_ONLY_FILE_NAMES, INPUT_FILE_NAMES, csv_text, file_meant

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
MAX_CELL_CHARACTERS = 100_000


# A control character or line separator from a file (a NUL in a header name, a line break in a
# quoted cell) is shown escaped where a problem names or quotes it: the command's output stays one
# problem a line, and the upload page's report is stored as jsonb, which refuses a NUL.
_SHOWN_ESCAPED = ({code: f"\\x{code:02x}" for code in (*range(32), *range(127, 160))}
                  | {9: "\\t", 10: "\\n", 13: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"})


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    message: str
    link: str = ""  # a page where the problem is dealt with (the message names it for the command line)

    def __post_init__(self) -> None:
        for name in ("file", "column", "message"):
            object.__setattr__(self, name, getattr(self, name).translate(_SHOWN_ESCAPED))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


def problems_by_column(problems: list[Problem]) -> list[tuple[str, str, int]]:
    """How many problems each (file, column) has, in the order they first appear: where to look when
    a long list scrolls away (a file written wholly with names where the ids belong)."""
    counts: dict[tuple[str, str], int] = {}
    for problem in problems:
        counts[(problem.file, problem.column)] = counts.get((problem.file, problem.column), 0) + 1
    return [(file, column, count) for (file, column), count in counts.items()]


class RowWidthProblem(Problem):
    """A row with more or fewer cells than the header: set apart because a file whose cells are
    not separated by commas has it on every row with a comma in a cell, a consequence of the one
    problem to fix (interchange/validation.py says that one instead)."""


@dataclass
class CsvTable:
    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number where the record starts, cells)


SAVE_AS_UTF8 = 'save it as UTF-8 CSV (in a spreadsheet: "CSV UTF-8 (comma delimited)")'


def _looks_like_utf16(data: bytes) -> bool:
    """A UTF-16 file (a spreadsheet's "Unicode Text"): a byte-order mark, or without one a NUL beside
    each letter of its header (no column name holds one). Its ASCII decodes as UTF-8 all the same, a
    NUL between each two letters: every column unknown, its name full of NULs."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    end = data.find(b"\n")
    header = data[: end if 0 <= end < 400 else 400]
    return len(header) >= 4 and any(half.count(0) * 10 >= len(half) * 9 for half in (header[0::2], header[1::2]))


def read_csv(name: str, data: bytes) -> tuple[CsvTable | None, list[Problem]]:
    """Decode and parse one file. A file that is not UTF-8 or not CSV is one problem, never a crash."""
    if _looks_like_utf16(data):
        return None, [Problem(name, 1, "-", f"the file is UTF-16 text, not UTF-8: {SAVE_AS_UTF8}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        # the character the byte stands for in the encoding such files come in most (Windows', as
        # Latin-1 with more), so the analyst sees which one it is: "é", not 0xe9 alone
        meant = bytes([byte]).decode("cp1252", errors="ignore")
        seen = f", '{meant}' in the Windows encoding," if meant.isprintable() and meant else ""
        return None, [Problem(name, line, "-", f"the file is not UTF-8 text (byte 0x{byte:02x}{seen} cannot be decoded); {SAVE_AS_UTF8}")]
    if not text.strip():
        return None, [Problem(name, 1, "-", "the file is empty; a header row is required")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    start_line = 1
    try:
        for cells in reader:
            line = start_line
            start_line = reader.line_num + 1
            if header is None:
                header = [c.strip() for c in cells]
                continue
            # blank when every cell is: most rows are told by their first cell alone (a generator
            # over every cell of every row took a second at a million rows)
            if not (cells and cells[0].strip()) and not "".join(cells).strip():
                continue
            rows.append((line, cells))
    except csv.Error as exc:
        return None, [Problem(name, start_line, "-", f"the file is not valid CSV ({exc})")]
    header = header or []
    width = len(header)
    for line, cells in rows:
        if len(cells) != width:
            problems.append(RowWidthProblem(name, line, "-", f"the row has {len(cells)} cells but the header has {width}"))
        if cells and max(map(len, cells)) > MAX_CELL_CHARACTERS:  # the cells one by one only then
            for column, cell in zip(header, cells):
                if len(cell) > MAX_CELL_CHARACTERS:
                    problems.append(Problem(name, line, column, f"the cell is longer than {MAX_CELL_CHARACTERS} characters"))
    return CsvTable(name, header, rows), problems


def files_from_directory(directory: Path) -> dict[str, bytes]:
    """The contract's files present in a directory (only entities.csv is required)."""
    return {name: (directory / name).read_bytes() for name in INPUT_FILE_NAMES if (directory / name).is_file()}


def unread_csv_files(directory: Path) -> list[Problem]:
    """A note for each CSV file in the directory that the import does not read: neither one of the
    contract's files nor an export's computed ones. `relationship.csv` or `Meetings.csv` is most
    likely a misspelt name whose rows would otherwise be left out without a word. Not a problem:
    a folder may hold other files beside a data set."""
    expected = ", ".join(INPUT_FILE_NAMES)
    return [
        Problem(path.name, 1, "-", f"note: not one of the data set's files ({expected}): it was not read{file_meant(path.name)}")
        for path in sorted(directory.iterdir())
        if path.is_file() and path.suffix.lower() == ".csv" and path.name not in INPUT_FILE_NAMES + EXPORT_ONLY_FILE_NAMES
    ]


def files_moved_by(files: dict[str, bytes], days: int) -> dict[str, bytes]:
    """A valid data set's files with every date moved `days` later (earlier when negative): the
    demo, and tests of a worked example as of today, stay as recent whenever they are loaded."""
    if not days:
        return files
    moved = dict(files)
    for name, columns in DATE_COLUMNS.items():
        if name not in files:
            continue
        reader = csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"), newline=""))
        rows = list(reader)
        for row in rows:
            for column in columns:
                if row.get(column):
                    row[column] = (date.fromisoformat(row[column]) + timedelta(days=days)).isoformat()
        header = reader.fieldnames or []
        moved[name] = csv_text([header, *([row[c] for c in header] for row in rows)]).encode("utf-8")
    return moved
