"""Validates a whole data set before anything is written, collecting every problem.

Typed parsing (dates, numbers) and cross-file references live here; the contract's per-row rules
come from core.validation, the single place they are written.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from core.dates import parse_iso_date
from core.formatting import count_text
from core.validation import (
    AMOUNT_PLACES,
    FieldProblem,
    attendance_problems,
    bare_id,
    entity_problems,
    external_id_problems,
    meeting_problems,
    name_meant,
    parent_cycle_problems,
    parent_problems,
    refused_character,
    parse_decimal,
    relationship_problems,
    text_problems,
)

from .format import ATTENDANCE, DISCLOSURES, ENTITIES, INPUT_FILES, MEETINGS, RELATIONSHIPS, FileFormat
from .reading import CsvTable, Problem, RowWidthProblem, read_csv


@dataclass(slots=True)
class Row:
    line: int
    values: dict  # typed values of the columns present in the file


@dataclass
class ParsedFile:
    format: FileFormat
    columns: set[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class KnownIds:
    """External ids already in the database, so a delta import may refer to them."""

    entities: set[str] = field(default_factory=set)
    relationships: set[str] = field(default_factory=set)
    meetings: set[str] = field(default_factory=set)
    entity_parents: dict[str, str] = field(default_factory=dict)
    # the ids of the stored entities with each of the names given (case aside), asked only when a
    # reference names no known entity: a name written where an id belongs is then told so
    entity_ids_named: Callable[[set[str]], dict[str, list[str]]] = lambda names: {}


_DATE_COLUMNS = {"start_date", "end_date", "date", "disclosed_on"}
# the decimals beyond which a number that may be written with thousands points is refused (`parse_decimal`)
_DECIMAL_PLACES = {"amount": AMOUNT_PLACES, "analyst_score": None}


_OTHER_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _other_separator(header: list[str], fmt: FileFormat) -> str:
    """How the cells are separated, when a header read as one cell is the file's columns joined by
    something other than a comma (a spreadsheet saving "CSV" with semicolons, as it does where the
    comma is the decimal mark); else ""."""
    if len(header) != 1:
        return ""
    for separator, name in _OTHER_SEPARATORS.items():
        if separator in header[0] and set(fmt.required) <= {c.strip() for c in header[0].split(separator)}:
            return name
    return ""


# column names other data sets use, and the contract's name for each (or names, the first the file lacks)
_COLUMNS_WRITTEN_OTHERWISE = {
    "id": "external_id", "ext_id": "external_id", "source_id": "source", "target_id": "target", "from": "source", "to": "target",
    "entity_id": "entity", "meeting_id": "meeting", "relationship_id": "relationship", "discloser_id": "discloser",
    "start": "start_date", "end": "end_date", "started": "start_date", "ended": "end_date", "meeting_date": "date",
    "disclosure_date": "disclosed_on", "date_disclosed": "disclosed_on", "url": ("source_url", "website"), "source url": "source_url",
    "relationship_type": "type", "meeting_type": "type", "entity_kind": "kind", "parent_id": "parent", "web": "website",
    "homepage": "website", "site": "website", "minutes": "source_url", "minutes_url": "source_url", "agenda_url": "source_url",
    "link": ("source_url", "website"), "source": "source_url",
}


def _column_meant(column: str, not_given: list[str]) -> str:
    """The contract's column most likely meant by an unknown `column`, among those the file does not
    give: its name as other data sets write it (`source_id`), or a close spelling (`descripton`)."""
    written = column.strip().lower().replace("-", "_")
    meant = _COLUMNS_WRITTEN_OTHERWISE.get(written) or _COLUMNS_WRITTEN_OTHERWISE.get(written.replace("_", " ")) or ()
    for candidate in (meant,) if isinstance(meant, str) else meant:  # "url": a relationship's source, an entity's website
        if candidate in not_given:
            return candidate
    return name_meant(written, not_given)


class _FileValidator:
    def __init__(self, table: CsvTable, fmt: FileFormat, problems: list[Problem]):
        self.table, self.fmt, self.problems = table, fmt, problems
        self.index = {}
        separator = _other_separator(table.header, fmt)
        if separator:
            # one problem, not an unknown column and every required one missing
            problems.append(Problem(fmt.name, 1, "-", f"the cells are separated by {separator}, not commas: save the file "
                                                      "as CSV with commas (in a spreadsheet: \"CSV UTF-8 (comma delimited)\")"))
            self.parsed = ParsedFile(fmt, set())
            return
        misspelt = set()  # columns named but for case ("Name"): said once, as such, not missing too
        for position, column in enumerate(table.header):
            if column not in fmt.columns and column.lower() in fmt.columns:
                misspelt.add(column.lower())
                problems.append(Problem(fmt.name, 1, column, f"unknown column '{column}': column names are lower case ('{column.lower()}')"))
            elif column not in fmt.columns:
                meant = _column_meant(column, [c for c in fmt.columns if c not in table.header])
                hint = f"; did you mean '{meant}'?" if meant else ""
                if meant:
                    misspelt.add(meant)
                problems.append(Problem(fmt.name, 1, column or "-", f"unknown column '{column}' (expected: {', '.join(fmt.columns)}){hint}"))
            elif column in self.index:
                problems.append(Problem(fmt.name, 1, column, "the column appears twice"))
            else:
                self.index[column] = position
        for column in fmt.required:
            if column not in self.index and column not in misspelt:
                problems.append(Problem(fmt.name, 1, column, "required column is missing"))
        self.parsed = ParsedFile(fmt, set(self.index))

    def report(self, line: int, items: list[FieldProblem]) -> None:
        for item in items:
            self.problems.append(Problem(self.fmt.name, line, item.field, item.message))

    def _cell_plan(self) -> list[tuple]:
        """Per column present: (column, position, required, parser or None for free text, the value
        of an empty cell), worked out once rather than for each of a million rows."""
        plan = []
        for column, position in self.index.items():
            if column in _DATE_COLUMNS:
                parser = parse_iso_date
            elif column in _DECIMAL_PLACES:
                parser = partial(parse_decimal, places=_DECIMAL_PLACES[column])
            else:
                parser = None
            empty = None if parser is not None else ""
            plan.append((column, position, column in self.fmt.required, parser, empty))
        return plan

    def rows(self):
        """Yield (line, typed values) with cells parsed; parse problems are reported on the way."""
        plan = self._cell_plan()
        parsed_rows = self.parsed.rows
        for line, cells in self.table.rows:
            values = {}
            n_cells = len(cells)
            for column, position, required, parser, empty in plan:
                cell = cells[position].strip() if position < n_cells else ""
                if not cell:
                    if required:
                        self.report(line, [FieldProblem(column, "is required")])
                        values[column] = _MISSING
                    else:
                        values[column] = empty
                elif parser is None:
                    values[column] = cell
                    problems = text_problems(column, cell)
                    if problems:
                        self.report(line, problems)
                else:
                    try:
                        values[column] = parser(cell)
                    except ValueError as exc:
                        self.report(line, [FieldProblem(column, str(exc))])
                        values[column] = _INVALID
            row = Row(line, values)
            parsed_rows.append(row)
            yield row


_INVALID = object()  # a cell that failed to parse: reported once, skipped by later rules
_MISSING = object()  # a required cell left empty: reported once, skipped by later rules


def _ok(*values) -> bool:
    # a plain loop: all() over a generator cost a second at a million attendance rows (three calls each)
    for v in values:
        if v is None or v is _INVALID or v is _MISSING:
            return False
    return True


def _plain(values: dict, column: str):
    """The value for a domain rule: None where the cell is absent, empty, missing or invalid."""
    value = values.get(column)
    return value if _ok(value) else None


def _report_rule(validator: "_FileValidator", row: Row, items: list[FieldProblem]) -> None:
    """Report a domain rule's problems, except on cells already reported (missing or invalid)."""
    fmt = validator.fmt
    fresh = []
    for item in items:
        value = row.values.get(item.field)
        if value is _INVALID or value is _MISSING:
            continue
        if item.field not in row.values and item.field in fmt.required:
            continue  # the whole column is missing: reported once on the header
        fresh.append(item)
    validator.report(row.line, fresh)


def _unique_ids(validator: _FileValidator, rows: list[Row], key: str = "external_id") -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        value = row.values.get(key)
        if not _ok(value):
            continue
        validator.report(row.line, external_id_problems(value, key))
        if value in first_line:
            validator.report(row.line, [FieldProblem(key, f"duplicate external_id '{value}' (first on line {first_line[value]})")])
        else:
            first_line[value] = row.line


def _likeness(external_id: str) -> str:
    """An id as it reads to a person: without case, and without the characters no id may hold (an
    invisible space pasted with it)."""
    return bare_id(external_id).lower()


def _check_references(validator: _FileValidator, rows: list[Row], column: str, known: set[str], what: str,
                      ids_named: Callable[[set[str]], dict[str, list[str]]] | None = None) -> None:
    """Report each row whose `column` names an id in neither the files nor the database; `ids_named`,
    for references to entities, finds the ids of the entities with a name (a name written where the
    id belongs). One call a column (one a row cost a second at a million attendance rows); the
    membership test first, as nearly every value is known."""
    unknown = [(row, row.values.get(column)) for row in rows if row.values.get(column) not in known and _ok(row.values.get(column))]
    if not unknown:
        return
    by_likeness = {_likeness(known_id): known_id for known_id in sorted(known, reverse=True)}
    meant = {value: by_likeness.get(_likeness(value)) for _, value in unknown}
    # names looked up for the first thousand unknown values at most: a file written wholly with names is told by then
    named = ids_named(set(sorted(value.lower() for value, id_meant in meant.items() if id_meant is None)[:1000])) if ids_named else {}
    for row, value in unknown:
        message = f"unknown {what} '{value}' (not in the files nor in the database)"
        if meant[value] is not None:  # "LK-PD" or "lk-pd" with a zero-width space for "lk-pd": ids are compared as written
            refused = refused_character(value)
            message += f"; did you mean '{meant[value]}'? (" + (f"this one holds {refused})" if refused else "ids are case-sensitive)")
        elif named.get(value.lower()):
            ids = named[value.lower()]
            message += (f"; that is the name of '{ids[0]}': give its external_id" if len(ids) == 1 else
                        f"; that is the name of {count_text(len(ids), 'entity', 'entities')} ({', '.join(repr(i) for i in ids[:5])}"
                        f"{', …' if len(ids) > 5 else ''}): give the external_id of the one meant")
        validator.report(row.line, [FieldProblem(column, message)])


class _EveryId:
    """The ids of a file that was given but whose ids cannot be read (not UTF-8, empty, no id
    column): any id may be in it, so no reference to it is reported unknown. Thousands of rows
    naming entities of an unreadable entities.csv were each reported "not in the files nor in the
    database", which was not so, and buried the one problem to fix."""

    def __contains__(self, item) -> bool:
        return True

    def __or__(self, other):
        return self

    __ror__ = __or__


def _ids_in(table: CsvTable | None, column: str = "external_id", given: bool = False) -> set[str] | _EveryId:
    """Every id a file declares, valid row or not, so one bad row does not cascade into others;
    every id at all when the file was `given` but its ids cannot be read (the file unreadable, or
    its id column missing: that problem is reported on its own)."""
    if table is None or column not in table.header:
        return _EveryId() if given else set()
    position = table.header.index(column)
    return {cells[position].strip() for _, cells in table.rows if position < len(cells) and cells[position].strip()}


def validate_dataset(files: dict[str, bytes], known: KnownIds) -> tuple[dict[str, ParsedFile], list[Problem]]:
    """Parse and check every file; returns the parsed files (meaningful only without problems)."""
    problems: list[Problem] = []
    tables: dict[str, CsvTable | None] = {}
    for fmt in INPUT_FILES:
        if fmt.name in files:
            table, read_problems = read_csv(fmt.name, files[fmt.name])
            tables[fmt.name] = table
            if table is not None and _other_separator(table.header, fmt):
                read_problems = [p for p in read_problems if not isinstance(p, RowWidthProblem)]
            problems += read_problems
    if ENTITIES.name not in files:
        problems.append(Problem(ENTITIES.name, 1, "-", "entities.csv is required"))

    entity_ids = known.entities | _ids_in(tables.get(ENTITIES.name), given=ENTITIES.name in files)
    relationship_ids = known.relationships | _ids_in(tables.get(RELATIONSHIPS.name), given=RELATIONSHIPS.name in files)
    meeting_ids = known.meetings | _ids_in(tables.get(MEETINGS.name), given=MEETINGS.name in files)
    parsed: dict[str, ParsedFile] = {}
    named_in_file: dict[str, set[str]] = defaultdict(set)  # entities.csv's names (case aside) -> ids

    def entity_ids_named(names: set[str]) -> dict[str, list[str]]:
        found = {name: set(named_in_file.get(name, ())) for name in names}
        for name, ids in known.entity_ids_named(names).items():
            found[name] |= set(ids)
        return {name: sorted(ids) for name, ids in found.items() if ids}

    table = tables.get(ENTITIES.name)
    if table is not None:
        v = _FileValidator(table, ENTITIES, problems)
        rows = list(v.rows())
        _unique_ids(v, rows)
        for row in rows:
            if _ok(row.values.get("external_id"), row.values.get("name")):
                named_in_file[row.values["name"].lower()].add(row.values["external_id"])
        parents = dict(known.entity_parents)
        for row in rows:
            values = row.values
            _report_rule(v, row, entity_problems(name=_plain(values, "name"), kind=_plain(values, "kind")))
            if values.get("parent"):
                _check_references(v, [row], "parent", entity_ids, "parent entity", entity_ids_named)
                v.report(row.line, parent_problems(external_id=values.get("external_id"), parent=values["parent"]))
            if _ok(values.get("external_id")) and "parent" in values:
                parents[values["external_id"]] = values.get("parent") or ""
        for row in rows:
            if _ok(row.values.get("external_id")):
                v.report(row.line, parent_cycle_problems(
                    external_id=row.values["external_id"], parent=row.values.get("parent"), parent_of=lambda e: parents.get(e) or None
                ))
        parsed[ENTITIES.name] = v.parsed

    table = tables.get(RELATIONSHIPS.name)
    if table is not None:
        v = _FileValidator(table, RELATIONSHIPS, problems)
        rows = list(v.rows())
        _unique_ids(v, rows)
        _check_references(v, rows, "source", entity_ids, "entity", entity_ids_named)
        _check_references(v, rows, "target", entity_ids, "entity", entity_ids_named)
        for row in rows:
            values = row.values
            _report_rule(
                v,
                row,
                relationship_problems(**{c: _plain(values, c) for c in (
                    "type", "source", "target", "start_date", "end_date", "amount", "analyst_score"
                )}),
            )
        parsed[RELATIONSHIPS.name] = v.parsed

    table = tables.get(MEETINGS.name)
    if table is not None:
        v = _FileValidator(table, MEETINGS, problems)
        rows = list(v.rows())
        _unique_ids(v, rows)
        for row in rows:
            _report_rule(v, row, meeting_problems(type=_plain(row.values, "type"), title=_plain(row.values, "title")))
        parsed[MEETINGS.name] = v.parsed

    table = tables.get(ATTENDANCE.name)
    if table is not None:
        v = _FileValidator(table, ATTENDANCE, problems)
        rows = list(v.rows())
        seen: dict[tuple[str, str], int] = {}
        _check_references(v, rows, "meeting", meeting_ids, "meeting")
        _check_references(v, rows, "entity", entity_ids, "entity", entity_ids_named)
        for row in rows:
            if row.values.get("role"):
                v.report(row.line, attendance_problems(role=row.values["role"]))
            key = (row.values.get("meeting"), row.values.get("entity"))
            if _ok(*key):
                if key in seen:
                    v.report(row.line, [FieldProblem("entity", f"'{key[1]}' is already listed at meeting '{key[0]}' (line {seen[key]})")])
                else:
                    seen[key] = row.line
        parsed[ATTENDANCE.name] = v.parsed

    table = tables.get(DISCLOSURES.name)
    if table is not None:
        v = _FileValidator(table, DISCLOSURES, problems)
        rows = list(v.rows())
        _unique_ids(v, rows)
        _check_references(v, rows, "discloser", entity_ids, "entity", entity_ids_named)
        _check_references(v, rows, "relationship", relationship_ids, "relationship")
        parsed[DISCLOSURES.name] = v.parsed

    order = {fmt.name: i for i, fmt in enumerate(INPUT_FILES)}
    problems.sort(key=lambda p: (order.get(p.file, 99), p.line))
    return parsed, problems
