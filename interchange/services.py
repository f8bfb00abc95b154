"""Import of whole data sets (the interchange contract; the export is `interchange.export`).

`dataset_import` validates everything first and then upserts by external_id in one transaction,
writing only rows whose values changed."""
from __future__ import annotations

import gzip
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from audit.context import Actor, acting_as, current_actor
from audit.services import audit_events_bulk_write, created_changes
from core.bulk import BULK_LOAD_ROWS, bulk_insert, foreign_keys_checked_once, vacuum_analyze_tables
from core.integrity import refusal_of
from core.locks import job_lock
from core.memory import collector_paused
from core.dates import after_today_note
from core.repeats import Repeat, first_listed, more_like_the_one_above
from core.validation import AMOUNT_PLACES, RATING_PLACES, kept_to, may_be_thousands
from core.workers import WORKERS_UNREACHABLE
from engagement.checks import MeetingRow, meetings_given_again, repeated_meetings
from engagement.models import Attendance, Meeting
from engagement.selectors import meetings_to_compare_with_stored
from entities.checks import EntityRow, possible_twins_added
from entities.kinds import category_for_kind
from entities.models import Entity
from entities.selectors import merges_standing
from relationships.checks import PARENT, DisclosureRow, FactRow, OddTie, TieRow, early_disclosures, facts_given_again, odd_ties, repeated_facts
from relationships.models import Disclosure, Relationship
from relationships.selectors import DISCLOSURE_COUNTS, relationships_sharing_their_fact
from scoring.triggers import queue_recompute, with_organisations

from .format import ATTENDANCE, DISCLOSURES, ENTITIES, INPUT_FILE_NAMES, MEETINGS, RELATIONSHIPS, csv_text, files_of_zip, zip_of
from .models import DatasetImport, ImportedFiles, ImportRequest
from .reading import Problem, problems_by_column
from .validation import KnownIds, ParsedFile, validate_dataset

UPDATE_BATCH = 2000

logger = logging.getLogger(__name__)


@dataclass
class FileCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, FileCounts] = field(default_factory=dict)
    dry_run: bool = False
    # entities whose evidence changed, for the incremental recompute
    touched_entity_ids: set[int] = field(default_factory=set)
    # what was imported but deserves a look (not a fault): twins merged before, added again
    notes: list[Problem] = field(default_factory=list)
    # the record of the import, when it wrote
    recorded: DatasetImport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def known_ids() -> KnownIds:
    return KnownIds(
        entities=set(Entity.objects.values_list("external_id", flat=True)),
        relationships=set(Relationship.objects.values_list("external_id", flat=True)),
        meetings=set(Meeting.objects.values_list("external_id", flat=True)),
        entity_parents={ext: parent or "" for ext, parent in Entity.objects.values_list("external_id", "parent__external_id")},
        entity_ids_named=_stored_entity_ids_named,
    )


def _stored_entity_ids_named(names: set[str]) -> dict[str, list[str]]:
    """The ids of the stored entities with each of `names` (lower case) as their name, case aside."""
    found: dict[str, list[str]] = defaultdict(list)
    names = {name for name in names if "\x00" not in name}  # no stored name holds one, and PostgreSQL takes none in a query
    if names:
        named = Entity.objects.annotate(lower_name=Lower("name")).filter(lower_name__in=sorted(names)).order_by("external_id")
        for name, external_id in named.values_list("lower_name", "external_id"):
            found[name].append(external_id)
    return found


def dataset_import(*, files: dict[str, bytes], dry_run: bool = False, recorded: Iterable[str] | None = None,
                   recorded_zip: bytes | None = None) -> ImportResult:
    """Validate all files, then (unless `dry_run` or invalid) upsert everything in one transaction,
    recording the import with the counts of the files named in `recorded` (default: all given), and
    those files zipped (`recorded_zip` when the caller has them zipped already)."""
    unexpected = sorted(set(files) - set(INPUT_FILE_NAMES))
    problems = [Problem(name, 1, "-", f"unexpected file (expected: {', '.join(INPUT_FILE_NAMES)})") for name in unexpected]
    files = {name: data for name, data in files.items() if name in INPUT_FILE_NAMES}
    try:
        # the collector paused: the rows read, checked and planned (millions of lists, tuples and
        # dicts, alive until the end) were rescanned at every burst: a third of a dry run, a sixth
        # of an import into an empty database, at a million attendance rows
        with collector_paused(), transaction.atomic():
            # one import at a time: two at once both planned to create the same new rows, and the
            # second failed on the unique external_id. Waiting here, the second reads what the first
            # committed and finds those rows unchanged
            job_lock("import_dataset")
            known = known_ids()
            parsed, more = validate_dataset(files, known)
            result = ImportResult(problems=problems + more, dry_run=dry_run)
            if not result.ok:
                return result
            merged_again = _merged_twins_added(parsed.get(ENTITIES.name), known.entities)
            result.notes = (merged_again + _possible_twins(parsed.get(ENTITIES.name), known.entities, {note.line for note in merged_again})
                            + _odd_parents(parsed) + _odd_relationships(parsed)
                            + _repeated_relationships(parsed) + _repeated_meetings(parsed) + _early_disclosures(parsed)
                            + _dated_after_today(parsed, timezone.localdate()) + _amounts_that_may_be_thousands(parsed) + _numbers_rounded(parsed))
            result.counts = _upsert_all(parsed, result.touched_entity_ids)
            result.notes += _relationships_already_stored(parsed) + _meetings_already_stored(parsed)
            if dry_run:
                transaction.set_rollback(True)
            else:
                result.recorded = _import_recorded(result.counts, {name: files[name] for name in (files if recorded is None else recorded)},
                                                   recorded_zip, result.notes)
    except IntegrityError as exc:
        # a row stored (on a page, by the API) with an id this import adds, or one it refers to
        # deleted, after the import read what was stored: rolled back whole, and said, not a traceback
        return ImportResult(problems=[_stored_meanwhile(exc, files)], dry_run=dry_run)
    if not dry_run:
        vacuum_analyze_tables(Entity, Relationship, Meeting, Attendance, Disclosure)
    return result


def _stored_meanwhile(exc: IntegrityError, files: dict[str, bytes]) -> Problem:
    """The problem of an import that met a change made while it ran (a row stored with an id it
    adds, one it refers to deleted): the file of the table involved (PostgreSQL names it; else the
    first file given) and the key, as the database gives it."""
    refusal = refusal_of(exc)
    tables = {model._meta.db_table: fmt.name for model, fmt in ((Entity, ENTITIES), (Relationship, RELATIONSHIPS), (Meeting, MEETINGS),
                                                              (Attendance, ATTENDANCE), (Disclosure, DISCLOSURES))}
    name = tables.get(refusal.table) or next(iter(files), ENTITIES.name)
    return Problem(name, 1, "-", f"the stored data changed while the import ran ({refusal.detail}): someone saved or deleted a row "
                                 "it touches; nothing was imported: import again")


def _merged_twins_added(entity_file: ParsedFile | None, known_entities: set[str]) -> list[Problem]:
    """A note for each new entity whose id is that of a twin merged into another entity (say, an
    old export imported again): it becomes an entity of its own again, and the rows that name it
    go back to it."""
    if entity_file is None or not merges_standing().exists():
        return []
    new = {row.values["external_id"]: row.line for row in entity_file.rows if row.values["external_id"] not in known_entities}
    merged = {m.duplicate_external_id: m for m in merges_standing().filter(duplicate_external_id__in=list(new)).order_by("merged_at")}
    notes = []
    for ext, m in sorted(merged.items(), key=lambda item: new[item[0]]):
        merge_page = f"{reverse('entity_merge', args=[ext])}?into={m.keep.external_id}"
        notes.append(Problem(ENTITIES.name, new[ext], "external_id",
                             f"note: {ext} was merged into {m.keep.external_id} on {m.merged_at:%Y-%m-%d}; this import adds it again "
                             f"as an entity of its own, with the rows that name it (if it is the same one, merge it again: {merge_page})",
                             link=merge_page))
    return notes


def _possible_twins(entity_file: ParsedFile | None, known_entities: set[str], noted: set[int]) -> list[Problem]:
    """A note for each new entity of the kind and name (`entities.checks`) of another, stored or of
    the file, with the link to merge it into that one; not on the lines `noted` already (a merged
    twin added again)."""
    if entity_file is None:
        return []
    given = [EntityRow(row.line, row.values["external_id"], row.values["name"], row.values["kind"])
             for row in entity_file.rows if row.values["external_id"] not in known_entities and row.line not in noted]
    if not given:
        return []
    renamed = {row.values["external_id"]: row.values for row in entity_file.rows if row.values["external_id"] in known_entities}
    stored = [EntityRow(0, ext, renamed[ext]["name"], renamed[ext]["kind"]) if ext in renamed else EntityRow(0, ext, name, kind)
              for ext, name, kind in Entity.objects.filter(kind__in={row.kind for row in given}).order_by("external_id")
              .values_list("external_id", "name", "kind").iterator(chunk_size=5000)]
    notes = []
    for twin in possible_twins_added(stored, given):
        merge_page = f"{reverse('entity_merge', args=[twin.external_id])}?into={twin.first_external_id}"
        notes.append(Problem(ENTITIES.name, twin.at, "name", f"note: {twin.message}, after this line" if twin.more else
                             f"note: {twin.message}; if it is one, merge it once imported: {merge_page}", link="" if twin.more else merge_page))
    return notes


def _odd_parents(parsed: dict[str, ParsedFile]) -> list[Problem]:
    """Notes on the parent units that read oddly (a person's, or a person as one:
    `relationships.checks`), judged on the kinds the entities will have."""
    entities = parsed.get(ENTITIES.name)
    with_parent = [row for row in entities.rows if row.values.get("parent")] if entities is not None else []
    if not with_parent:
        return []
    rows = (TieRow(row.line, row.values["external_id"], row.values["parent"], PARENT) for row in with_parent)
    return _odd_notes(ENTITIES.name, rows, _kinds(parsed, {row.values["parent"] for row in with_parent}))


def _odd_relationships(parsed: dict[str, ParsedFile]) -> list[Problem]:
    """Notes on the relationships that read oddly (`relationships.checks`), judged on the kinds the
    entities will have."""
    relationships = parsed.get(RELATIONSHIPS.name)
    if relationships is None or not relationships.rows:
        return []
    named = {row.values[side] for row in relationships.rows for side in ("source", "target")}
    # undated only when the file says so: without the column, a stored row keeps its date
    dates_given = "start_date" in relationships.columns
    rows = (TieRow(row.line, row.values["source"], row.values["target"], row.values["type"], row.values.get("end_date") is not None,
                   row.values.get("amount") is not None, dates_given and row.values.get("start_date") is None) for row in relationships.rows)
    return _odd_notes(RELATIONSHIPS.name, rows, _kinds(parsed, named))


def _repeated_relationships(parsed: dict[str, ParsedFile]) -> list[Problem]:
    """Notes on the relationships of the file that give the same fact as an earlier line
    (`relationships.checks.repeated_facts`)."""
    relationships = parsed.get(RELATIONSHIPS.name)
    if relationships is None:
        return []
    rows = (FactRow(row.line, row.values["external_id"], row.values["source"], row.values["target"], row.values["type"],
                    row.values.get("start_date"), row.values.get("end_date"), row.values.get("amount")) for row in relationships.rows)
    return _repeat_notes(RELATIONSHIPS.name, repeated_facts(rows))


def _relationships_already_stored(parsed: dict[str, ParsedFile]) -> list[Problem]:
    """Notes on the relationships of the file that give the same fact as one already in the tracker
    under another id (a second extract of the same campaign-finance records, its ids renumbered):
    judged once the file's rows are written, on the stored rows."""
    relationships = parsed.get(RELATIONSHIPS.name)
    if relationships is None or not relationships.rows:
        return []
    line_of = {row.values["external_id"]: row.line for row in relationships.rows}
    sharing = relationships_sharing_their_fact()
    given = sorted((row._replace(at=line_of[row.external_id]) for row in sharing if row.external_id in line_of), key=lambda row: row.at)
    return _repeat_notes(RELATIONSHIPS.name, facts_given_again((row for row in sharing if row.external_id not in line_of), given), stored=True)


def _meetings_already_stored(parsed: dict[str, ParsedFile]) -> list[Problem]:
    """Notes on the meetings of the file that have the day, type and attendees of one already in the
    tracker under another id (the same minutes from a second source): judged once the file's rows
    are written, on the stored attendance."""
    meetings = parsed.get(MEETINGS.name)
    if meetings is None or not meetings.rows:
        return []
    line_of = {row.values["external_id"]: row.line for row in meetings.rows}
    stored, given = meetings_to_compare_with_stored({row.values["external_id"]: row.values["date"] for row in meetings.rows})
    found = meetings_given_again(stored, sorted((row._replace(at=line_of[row.external_id]) for row in given), key=lambda row: row.at))
    return _repeat_notes(MEETINGS.name, found, stored=True)


def _repeated_meetings(parsed: dict[str, ParsedFile]) -> list[Problem]:
    """Notes on the meetings of the file that have the day, type and attendees (as attendance.csv
    lists them) of an earlier line (`engagement.checks.repeated_meetings`)."""
    meetings, attendance = parsed.get(MEETINGS.name), parsed.get(ATTENDANCE.name)
    if meetings is None or attendance is None:
        return []
    attendees: dict[str, set[str]] = defaultdict(set)
    for row in attendance.rows:
        attendees[row.values["meeting"]].add(row.values["entity"])
    rows = (MeetingRow(row.line, row.values["external_id"], row.values["date"], row.values["type"],
                        frozenset(attendees.get(row.values["external_id"], ()))) for row in meetings.rows)
    return _repeat_notes(MEETINGS.name, repeated_meetings(rows))


# what an event dated after today is: the file, its date column, and what the date means there
_EVENTS_DATED = {MEETINGS.name: ("date", "counts toward closeness"), DISCLOSURES.name: ("disclosed_on", DISCLOSURE_COUNTS)}


def _dated_after_today(parsed: dict[str, ParsedFile], today) -> list[Problem]:
    """Notes on the meetings and disclosures dated after today: they count only from that day (a
    recompute as of today ignores them), most likely a mistyped year."""
    notes = []
    for name, (column, counts) in _EVENTS_DATED.items():
        file = parsed.get(name)
        if file is not None:
            after = [row for row in file.rows if row.values.get(column) is not None and row.values[column] > today]
            notes += _listed_notes(name, column, after, lambda row: after_today_note(row.values["external_id"], row.values[column], today, counts),
                                   name.removesuffix("s.csv"))
    return notes


def _amounts_that_may_be_thousands(parsed: dict[str, ParsedFile]) -> list[Problem]:
    """Notes on the amounts written with a point between groups of three digits ("1.500"): read as
    one and a half, fifteen hundred where a spreadsheet separates thousands with a point."""
    relationships = parsed.get(RELATIONSHIPS.name)
    if relationships is None or "amount" not in relationships.columns:
        return []
    def said(row) -> str:
        amount = row.values["amount"]
        whole = str(amount).replace(".", "")
        return f"'{amount}' is read as {amount.normalize():f}; where a point separates thousands it is {int(whole):,}: if so, write {whole.lstrip('+')}"

    rows = [row for row in relationships.rows if row.values.get("amount") is not None and may_be_thousands(row.values["amount"])]
    return _listed_notes(RELATIONSHIPS.name, "amount", rows, said, "amount")


# why a number given with more decimals than its column keeps is rounded (`kept_to`)
_KEPT_AS = {"amount": (AMOUNT_PLACES, "amount", "an amount is kept to the cent"),
            "analyst_score": (RATING_PLACES, "rating", "an analyst's rating holds one decimal")}


def _numbers_rounded(parsed: dict[str, ParsedFile]) -> list[Problem]:
    """Notes on the amounts and ratings given with more decimals than are kept: kept rounded (`kept_to`)."""
    relationships = parsed.get(RELATIONSHIPS.name)
    if relationships is None:
        return []
    notes = []
    for column, (places, noun, why) in _KEPT_AS.items():
        if column not in relationships.columns:
            continue
        rows = [row for row in relationships.rows
                if row.values.get(column) is not None and kept_to(row.values[column], places) != row.values[column]]
        notes += _listed_notes(RELATIONSHIPS.name, column, rows, lambda row, column=column, places=places, why=why: (
            f"'{row.values[column]}' is kept as {kept_to(row.values[column], places)}: {why}"), noun)
    return notes


def _listed_notes(file: str, column: str, rows: list, said, noun: str) -> list[Problem]:
    """A note on each of the first rows a check found (`said(row)`), then one line with how many more."""
    listed, more = first_listed(rows)
    notes = [Problem(file, row.line, column, f"note: {said(row)}") for row in listed]
    if more:
        notes.append(Problem(file, listed[-1].line, column, f"note: {more_like_the_one_above(more, noun, noun + 's')}, after this line"))
    return notes


def _early_disclosures(parsed: dict[str, ParsedFile]) -> list[Problem]:
    """Notes on the disclosures dated before the relationship they disclose began (as the file
    gives it, else as stored: `relationships.checks.early_disclosures`)."""
    disclosures = parsed.get(DISCLOSURES.name)
    if disclosures is None or not disclosures.rows:
        return []
    relationships = parsed.get(RELATIONSHIPS.name)
    start_of = {}
    if relationships is not None and "start_date" in relationships.columns:
        start_of = {row.values["external_id"]: row.values.get("start_date") for row in relationships.rows}
    stored = {row.values["relationship"] for row in disclosures.rows} - start_of.keys()
    if stored:
        start_of |= dict(Relationship.objects.filter(external_id__in=sorted(stored)).values_list("external_id", "start_date"))
    rows = (DisclosureRow(row.line, row.values["external_id"], row.values["relationship"], row.values["disclosed_on"],
                          start_of.get(row.values["relationship"])) for row in disclosures.rows)
    return _notes_of(DISCLOSURES.name, early_disclosures(rows))


def _repeat_notes(file: str, repeats: list[Repeat], stored: bool = False) -> list[Problem]:
    """Each repeat as a note on its line, naming the line it repeats, or (`stored`) the stored row."""
    def where(repeat: Repeat) -> str:
        if repeat.more:
            return ", after this line"
        return f" ({repeat.first_external_id} is already in the tracker)" if stored else f" (line {repeat.first_at})"

    return [Problem(file, repeat.at, "external_id", f"note: {repeat.message}{where(repeat)}") for repeat in repeats]


def _kinds(parsed: dict[str, ParsedFile], named: set[str]) -> dict[str, str]:
    """The kind of each entity of entities.csv, and of each `named` one not in it as in the tracker."""
    entities = parsed.get(ENTITIES.name)
    kind_of = {row.values["external_id"]: row.values["kind"] for row in entities.rows} if entities is not None else {}
    stored = named - kind_of.keys()
    return kind_of | (dict(Entity.objects.filter(external_id__in=list(stored)).values_list("external_id", "kind")) if stored else {})


def _odd_notes(file: str, rows, kind_of: dict[str, str]) -> list[Problem]:
    return _notes_of(file, odd_ties(rows, kind_of))


def _notes_of(file: str, found: list[OddTie]) -> list[Problem]:
    """What a check of `relationships.checks` found, as notes on their lines (the last one, of how
    many more, after its line)."""
    return [Problem(file, odd.at, odd.column, f"note: {odd.message}{', after this line' if odd.more else ''}") for odd in found]


def imported_files_kept() -> int:
    """How many of the latest imports keep their files (`IMPORTED_FILES_KEPT`; a negative setting
    keeps none, as 0 does)."""
    return max(settings.IMPORTED_FILES_KEPT, 0)


def _import_recorded(counts: dict[str, FileCounts], files: dict[str, bytes], zipped: bytes | None = None,
                     notes: list[Problem] = ()) -> DatasetImport:
    """The import's record: the counts and digests of `files`, its notes, and the files themselves,
    zipped (the latest `IMPORTED_FILES_KEPT` imports keep theirs)."""
    actor = current_actor()
    given = {name: files[name] for name in sorted(files) if name in counts}
    run = DatasetImport.objects.create(
        imported_by_id=actor.user_id, actor=actor.label, via=actor.via,
        counts={name: vars(counts[name]) for name in given},
        files={name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)} for name, data in given.items()},
        notes=[asdict(note) for note in notes],
    )
    kept = imported_files_kept()
    if kept > 0:
        ImportedFiles.objects.create(dataset_import=run, archive=zipped if zipped is not None else zip_of(given))
    ImportedFiles.objects.exclude(dataset_import__in=DatasetImport.objects.order_by("-imported_at", "-id")[:kept]).delete()
    return run


# --- uploads on the data sets page, run by a worker ----------------------------------------------

PROBLEMS_SHOWN = 200  # on the page; every problem is in the CSV to download
IMPORT_REQUESTS_KEPT_DAYS = 30


def import_requested(*, files: dict[str, bytes], dry_run: bool, actor: Actor) -> ImportRequest:
    """Record an upload (its files as given) for a worker to check and import; the caller queues
    `import_request_run` for it once committed. Requests older than IMPORT_REQUESTS_KEPT_DAYS go."""
    ImportRequest.objects.filter(requested_at__lt=timezone.now() - timedelta(days=IMPORT_REQUESTS_KEPT_DAYS)).delete()
    return ImportRequest.objects.create(
        requested_by_id=actor.user_id, actor=actor.label, via=actor.via, dry_run=dry_run, file_names=sorted(files), archive=zip_of(files),
    )


def import_request_unsent(request_id: int) -> None:
    """An upload no worker will run (its task could not be queued): failed, saying why, for its page."""
    ImportRequest.objects.filter(pk=request_id, status=ImportRequest.Status.QUEUED).update(
        status=ImportRequest.Status.DONE, outcome=ImportRequest.Outcome.FAILED, error=f"not checked, as {WORKERS_UNREACHABLE}",
        finished_at=timezone.now(), archive=None)


def import_request_run(request_id: int) -> ImportRequest | None:
    """Check and import a recorded upload as the data sets page does (entities.csv may be left out
    there: the rows then refer to entities already in the tracker), storing its report for the
    page and queueing the recompute of what it changed. Run again (a worker that died redelivers
    it), it starts over: the import is one transaction, so a run cut short wrote nothing. None when
    the request is gone."""
    request = ImportRequest.objects.filter(pk=request_id).first()
    if request is None or request.finished:
        return request
    request.status, request.started_at = ImportRequest.Status.RUNNING, timezone.now()
    request.save(update_fields=["status", "started_at"])
    archive = bytes(request.archive)
    files = files_of_zip(archive)
    try:
        with acting_as(Actor(request.requested_by_id, request.actor, request.via)):
            result = dataset_import(files={ENTITIES.name: ",".join(ENTITIES.required).encode() + b"\n", **files},
                                    dry_run=request.dry_run, recorded=files, recorded_zip=archive)
    except Exception as exc:  # noqa: BLE001 - recorded for the page, which says it failed; nothing was written
        logger.exception("import request %s failed", request_id)
        request.outcome, request.error = ImportRequest.Outcome.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        _report_stored(request, result, files)
        if result.ok and not request.dry_run:
            queue_recompute(result.touched_entity_ids)
    request.status, request.finished_at, request.archive = ImportRequest.Status.DONE, timezone.now(), None
    request.save()
    return request


def _report_stored(request: ImportRequest, result: ImportResult, files: dict[str, bytes]) -> None:
    request.counts = {name: vars(n) for name, n in result.counts.items() if name in files}
    request.notes = [asdict(note) for note in result.notes]
    request.problem_count = len(result.problems)
    request.problems_shown = [asdict(p) for p in result.problems[:PROBLEMS_SHOWN]]
    request.problems_by_column = [list(group) for group in problems_by_column(result.problems)]
    if result.problems:
        rows = [["file", "line", "column", "message"], *([p.file, str(p.line), p.column, p.message] for p in result.problems)]
        request.problems_csv = gzip.compress(csv_text(rows).encode(), compresslevel=1)
    request.dataset_import = result.recorded
    request.outcome = (ImportRequest.Outcome.REFUSED if result.problems else
                       ImportRequest.Outcome.CHECKED if request.dry_run else ImportRequest.Outcome.IMPORTED)


# --- upsert -----------------------------------------------------------------------------------


@dataclass
class _Changes:
    new_rows: list[dict] = field(default_factory=list)
    changed: list[tuple[int, dict]] = field(default_factory=list)  # (row id, {field: new value})


def _plan(parsed: ParsedFile | None, key_of, existing: dict, to_fields, counts: FileCounts) -> _Changes:
    """Compare the file's rows with what is stored (`existing`: key -> (id, {field: value}));
    only the columns the file has are compared, so a file without a column leaves it alone."""
    changes = _Changes()
    if parsed is None:
        return changes
    for row in parsed.rows:
        fields = to_fields(row.values)
        current = existing.get(key_of(row.values))
        if current is None:
            changes.new_rows.append(fields)
            continue
        row_id, stored = current
        if fields == stored:  # the common case of a re-import, compared in C (same columns, same values)
            counts.unchanged += 1
            continue
        diff = {name: value for name, value in fields.items() if stored.get(name) != value}
        if diff:
            changes.changed.append((row_id, diff))
        else:
            counts.unchanged += 1
    counts.created += len(changes.new_rows)
    counts.updated += len(changes.changed)
    return changes


def _apply(model, changes: _Changes, now) -> None:
    """Insert the new rows in bulk (COPY on PostgreSQL) and update changed rows, grouped by the
    fields that changed; `updated_at` moves only for rows that really changed."""
    timestamps = any(f.name == "updated_at" for f in model._meta.fields)
    if changes.new_rows:
        columns = sorted({c for r in changes.new_rows for c in r})
        extra = ["created_at", "updated_at"] if timestamps else []
        # a load into an empty table (a first import) checks its references once, after the rows
        loading = len(changes.new_rows) >= BULK_LOAD_ROWS and not model.objects.exists()
        with foreign_keys_checked_once(model, enabled=loading):
            bulk_insert(model, columns + extra, (tuple(r.get(c) for c in columns) + (now,) * len(extra) for r in changes.new_rows))
    by_fields: dict[tuple, list] = {}
    for row_id, diff in changes.changed:
        by_fields.setdefault(tuple(sorted(diff)), []).append(model(pk=row_id, **diff))
    for names, objects in by_fields.items():
        if timestamps:
            for obj in objects:
                obj.updated_at = now
        model.objects.bulk_update(objects, list(names) + (["updated_at"] if timestamps else []), batch_size=UPDATE_BATCH)


def _audit_events(object_type: str, changes: _Changes, old_by_id: dict, key_of_new, key_of_id, readable):
    """Audit events for one file's creates and updates (the importer sends no signals). `readable`
    turns stored ids into external ids, so the trail names what a person would."""
    for row in changes.new_rows:
        fields = readable(row)
        yield ("create", object_type, key_of_new(row), created_changes(fields), "")
    for row_id, diff in changes.changed:
        old, new = readable(old_by_id[row_id]), readable(diff)
        yield ("update", object_type, key_of_id(row_id), {k: [old.get(k), v] for k, v in new.items()}, "")


def _attendance_events(changes: _Changes, old_by_id: dict, meeting_ext: dict, entity_ext: dict):
    """The import's attendance changes as one event per meeting and action, keyed by the meeting:
    `{entity: [old role, new role]}` (old role empty for a new attendee). An event per row cost a
    large import half a minute (a million attendance rows) for a trail no one reads row by row;
    a meeting's page shows these with the per-row events of the web, API and admin."""
    by_action: dict[str, dict[str, dict]] = {"create": {}, "update": {}}
    for row in changes.new_rows:
        meeting = by_action["create"].setdefault(meeting_ext[row["meeting_id"]], {})
        meeting[entity_ext[row["entity_id"]]] = [None, row["role"]]
    for row_id, diff in changes.changed:  # the key is (meeting, entity): only the role can change
        old = old_by_id[row_id]
        meeting = by_action["update"].setdefault(meeting_ext[old["meeting_id"]], {})
        meeting[entity_ext[old["entity_id"]]] = [old["role"], diff["role"]]
    for action, meetings in by_action.items():
        for meeting, roles in sorted(meetings.items()):
            yield (action, "engagement.attendance", meeting, dict(sorted(roles.items())), meeting)


def _readable(id_maps: dict[str, dict]):
    """Rename `<name>_id` / `<name>__external_id` fields to `<name>` with external ids."""
    def convert(fields: dict) -> dict:
        out = {}
        for name, value in fields.items():
            if name.endswith("__external_id"):
                out[name[: -len("__external_id")]] = value
            elif name in id_maps:
                out[name[:-3]] = id_maps[name].get(value, value)
            elif name != "category":
                out[name] = value
        return out
    return convert


def _present(values: dict, columns: Iterable[str]) -> dict:
    """The file's columns that map one to one onto model fields."""
    return {column: values[column] for column in columns if column in values}


def _stored(queryset, key: str, names: tuple[str, ...]) -> dict:
    """key -> (id, {name: value}) for every stored row."""
    rows = queryset.order_by().values_list("id", *names).iterator(chunk_size=50000)  # a dict: no ORDER BY
    out = {}
    for row in rows:
        values = dict(zip(names, row[1:]))
        out[values[key]] = (row[0], values)
    return out


ENTITY_COLUMNS = ("external_id", "name", "kind", "jurisdiction", "description", "website")
RELATIONSHIP_COLUMNS = ("external_id", "type", "start_date", "end_date", "source_url", "notes")
MEETING_COLUMNS = MEETINGS.columns  # every one a field of the same name
DISCLOSURE_COLUMNS = ("external_id", "disclosed_on", "statement", "source_url")


def _upsert_all(parsed: dict[str, ParsedFile], touched_entities: set[int]) -> dict[str, FileCounts]:
    now = timezone.now()
    counts = {name: FileCounts() for name in parsed}

    # Entities. A parent may itself be new, so rows go in without parents and parents follow.
    entity_file = parsed.get(ENTITIES.name)
    stored = _stored(Entity.objects.all(), "external_id", (*ENTITY_COLUMNS, "category", "parent__external_id"))

    def entity_fields(values):
        fields = _present(values, ENTITY_COLUMNS)
        fields["category"] = category_for_kind(values["kind"])
        if "parent" in values:
            fields["parent__external_id"] = values["parent"] or None
        return fields

    changes = _plan(entity_file, lambda v: v["external_id"], stored, entity_fields, counts.get(ENTITIES.name, FileCounts()))
    ext_of = {row_id: ext for ext, (row_id, _) in stored.items()}
    by_id = {row_id: values for row_id, values in stored.values()}
    audit_events_bulk_write(_audit_events(
        "entities.entity", changes, by_id, lambda row: row["external_id"], ext_of.get, _readable({}),
    ))
    parents = {}  # external_id -> parent external_id, for rows whose parent is new or changed
    for row in changes.new_rows:
        parent = row.pop("parent__external_id", None)
        if parent:
            parents[row["external_id"]] = parent
    for row_id, diff in changes.changed:
        if "parent__external_id" in diff:
            parents[ext_of[row_id]] = diff.pop("parent__external_id")
    _apply(Entity, _Changes(changes.new_rows, [(row_id, diff) for row_id, diff in changes.changed if diff]), now)
    entity_id = dict(Entity.objects.order_by().values_list("external_id", "id"))
    Entity.objects.bulk_update(
        [Entity(pk=entity_id[ext], parent_id=entity_id[parent] if parent else None, updated_at=now) for ext, parent in parents.items()],
        ["parent_id", "updated_at"],
        batch_size=UPDATE_BATCH,
    )
    touched_entities.update(row_id for row_id, _ in changes.changed)

    # Relationships
    stored = _stored(Relationship.objects.all(), "external_id", (*RELATIONSHIP_COLUMNS, "source_id", "target_id", "amount", "analyst_score"))

    def relationship_fields(values):
        fields = _present(values, RELATIONSHIP_COLUMNS)
        fields["source_id"] = entity_id[values["source"]]
        fields["target_id"] = entity_id[values["target"]]
        for column, (places, _, _) in _KEPT_AS.items():
            if column in values:
                fields[column] = None if values[column] is None else kept_to(values[column], places)
        return fields

    changes = _plan(parsed.get(RELATIONSHIPS.name), lambda v: v["external_id"], stored, relationship_fields, counts.get(RELATIONSHIPS.name, FileCounts()))
    _apply(Relationship, changes, now)
    by_id = {row_id: values for row_id, values in stored.values()}
    entity_ext = {pk: ext for ext, pk in entity_id.items()}
    by_entity_id = _readable({"source_id": entity_ext, "target_id": entity_ext})
    audit_events_bulk_write(_audit_events(
        "relationships.relationship", changes, by_id, lambda row: row["external_id"], lambda pk: by_id[pk]["external_id"], by_entity_id,
    ))
    for row in changes.new_rows:
        touched_entities.update((row["source_id"], row["target_id"]))
    for row_id, diff in changes.changed:
        old = by_id[row_id]
        touched_entities.update((old["source_id"], old["target_id"], diff.get("source_id", old["source_id"]), diff.get("target_id", old["target_id"])))

    # Meetings
    stored = _stored(Meeting.objects.all(), "external_id", MEETING_COLUMNS)
    changes = _plan(parsed.get(MEETINGS.name), lambda v: v["external_id"], stored, lambda v: _present(v, MEETING_COLUMNS), counts.get(MEETINGS.name, FileCounts()))
    _apply(Meeting, changes, now)
    meetings_by_id = {row_id: values for row_id, values in stored.values()}
    audit_events_bulk_write(_audit_events(
        "engagement.meeting", changes, meetings_by_id, lambda row: row["external_id"], lambda pk: meetings_by_id[pk]["external_id"], _readable({}),
    ))
    changed_meetings = {row_id for row_id, _ in changes.changed}
    meeting_id = dict(Meeting.objects.order_by().values_list("external_id", "id"))

    # Attendance, keyed by (meeting, entity)
    attendance_file = parsed.get(ATTENDANCE.name)
    if attendance_file is not None:
        stored = {
            (m, e): (pk, {"meeting_id": m, "entity_id": e, "role": role})
            # order_by(): the model's default ordering joins meetings and entities to sort a
            # million rows (4 s of a re-import), for a dict
            for pk, m, e, role in Attendance.objects.order_by().values_list("id", "meeting_id", "entity_id", "role").iterator(chunk_size=100000)
        }

        def attendance_fields(values):
            fields = {"meeting_id": meeting_id[values["meeting"]], "entity_id": entity_id[values["entity"]]}
            if "role" in values:
                fields["role"] = values["role"] or "attendee"
            return fields

        changes = _plan(attendance_file, lambda v: (meeting_id[v["meeting"]], entity_id[v["entity"]]), stored, attendance_fields, counts[ATTENDANCE.name])
        for row in changes.new_rows:
            row.setdefault("role", "attendee")
        _apply(Attendance, changes, now)
        meeting_ext = {pk: ext for ext, pk in meeting_id.items()}
        attendance_by_id = {pk: values for pk, values in stored.values()}
        audit_events_bulk_write(_attendance_events(changes, attendance_by_id, meeting_ext, entity_ext))
        changed_meetings |= {row["meeting_id"] for row in changes.new_rows}
    if changed_meetings:
        # everyone at those meetings and the organisations they stand for there (the pair of two
        # organisations whose people met changes too)
        touched_entities.update(with_organisations(
            Attendance.objects.filter(meeting_id__in=changed_meetings).order_by().values_list("entity_id", flat=True)
        ))

    # Disclosures
    relationship_id = dict(Relationship.objects.values_list("external_id", "id"))
    stored = _stored(Disclosure.objects.all(), "external_id", (*DISCLOSURE_COLUMNS, "discloser_id", "relationship_id"))

    def disclosure_fields(values):
        fields = _present(values, DISCLOSURE_COLUMNS)
        fields["discloser_id"] = entity_id[values["discloser"]]
        fields["relationship_id"] = relationship_id[values["relationship"]]
        return fields

    changes = _plan(parsed.get(DISCLOSURES.name), lambda v: v["external_id"], stored, disclosure_fields, counts.get(DISCLOSURES.name, FileCounts()))
    _apply(Disclosure, changes, now)
    disclosures_by_id = {row_id: values for row_id, values in stored.values()}
    relationship_ext = {pk: ext for ext, pk in relationship_id.items()}
    audit_events_bulk_write(_audit_events(
        "relationships.disclosure", changes, disclosures_by_id, lambda row: row["external_id"],
        lambda pk: disclosures_by_id[pk]["external_id"], _readable({"discloser_id": entity_ext, "relationship_id": relationship_ext}),
    ))
    return counts
