"""The files of the interchange contract (../shared/spec/interchange.md): their columns in export
order, and how their lines are written."""
import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from core.validation import name_meant


@dataclass(frozen=True)
class FileFormat:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    # optional columns beyond the contract (it allows extending, not breaking): read like the
    # others, and exported only when a row has a value there (interchange.export), so that a data
    # set in the contract's columns comes back out in exactly those
    extensions: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional + self.extensions

    @property
    def optional_columns(self) -> tuple[str, ...]:
        return self.optional + self.extensions


ENTITIES = FileFormat("entities.csv", ("external_id", "name", "kind"), ("jurisdiction", "parent", "description", "website"))
RELATIONSHIPS = FileFormat(
    "relationships.csv",
    ("external_id", "source", "target", "type"),
    ("start_date", "end_date", "amount", "analyst_score", "source_url", "notes"),
)
# source_url extends meetings.csv and disclosures.csv: provenance, as relationships.csv has it
MEETINGS = FileFormat("meetings.csv", ("external_id", "date", "type", "title"), ("location", "neighborhood", "summary"), ("source_url",))
ATTENDANCE = FileFormat("attendance.csv", ("meeting", "entity"), ("role",))
DISCLOSURES = FileFormat(
    "disclosures.csv", ("external_id", "discloser", "relationship", "disclosed_on"), ("statement",), ("source_url",)
)
# The date columns of each file (moving a data set in time moves these: interchange.reading.files_moved_by).
DATE_COLUMNS = {"relationships.csv": ("start_date", "end_date"), "meetings.csv": ("date",), "disclosures.csv": ("disclosed_on",)}
# In dependency order: a file only refers to files before it.
INPUT_FILES = (ENTITIES, RELATIONSHIPS, MEETINGS, ATTENDANCE, DISCLOSURES)
INPUT_FILE_NAMES = tuple(f.name for f in INPUT_FILES)
# What an export writes beside the input files and an import skips (computed, not data)
EXPORT_ONLY_FILE_NAMES = ("closeness.csv", "flags.csv")


def file_meant(name: str) -> str:
    """"; did you mean entities.csv?" for a file name near one of the data set's ("Entities.csv",
    "disclosure.csv": a spreadsheet's capital, a letter left out), else ""."""
    meant = name_meant(name, INPUT_FILE_NAMES)
    return f"; did you mean {meant}?" if meant else ""

CLOSENESS_COLUMNS = (
    "entity_a", "entity_b", "score", "band", "as_of", "formal", "interaction", "financial", "analyst",
)
FLAG_COLUMNS = (
    "rule", "severity", "status", "subject", "counterpart", "persons", "evidence", "disclosed", "explanation",
)


def csv_text(rows: Iterable[Iterable[str]]) -> str:
    """Rows of text cells as CSV lines ending in "\n", every cell read back as written. Python's
    writer quotes a cell holding a carriage return only where "\r" is in the line ending: such a
    cell, left bare, read back as a line break that split its row in two. Rows holding one are
    written with every cell quoted (rare: checked on the whole text at once)."""
    rows = rows if isinstance(rows, list) else list(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    text = out.getvalue()
    if "\r" not in text:
        return text
    out = io.StringIO()
    plain, quoted = csv.writer(out, lineterminator="\n"), csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        (quoted if any("\r" in str(cell) for cell in row) else plain).writerow(row)
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    """Files in one zip, each under its own name, byte for byte. Compressed at the fastest level:
    a data set of a million attendance rows (37 MB) zips to 8 MB in 0.2 s (level 6: 6.5 MB in 0.9 s)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def files_of_zip(data: bytes) -> dict[str, bytes]:
    """The files `zip_of` put in a zip, by name (the tracker's own archives: uploads are read by
    `interchange.uploads`, which checks what it is given)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
