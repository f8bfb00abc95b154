"""Export of whole data sets (the interchange contract): the five data files, closeness.csv and
flags.csv, every one sorted so that two exports of the same data are byte-identical.

Each file is written as it is made, in chunks of text: the whole data set as strings (and
closeness.csv's millions of pairs with it) took 1.5 GB, most of the benchmark's memory."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import numpy as np

from conflicts.models import Flag
from conflicts.selectors import flag_rows
from core.bulk import one_snapshot, read_fixed_width
from engagement.models import Attendance, Meeting
from entities.models import Entity
from relationships.models import Disclosure, Relationship
from scoring.engine.parameters import band_for_score
from scoring.models import PairScore
from scoring.services import current_snapshot
from scoring.weak_pairs import current_weak_pairs

from .format import ATTENDANCE, CLOSENESS_COLUMNS, DISCLOSURES, ENTITIES, FLAG_COLUMNS, MEETINGS, RELATIONSHIPS, FileFormat, csv_text


_CHUNK_ROWS = 100_000


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _csv_chunks(rows: list, all_text: bool = False) -> Iterator[tuple[int, str]]:
    """(number of rows, their CSV text) for each chunk of `rows`, every value through `_cell`
    unless the rows are `all_text` already (a million attendance rows: 1.5 s saved)."""
    for start in range(0, len(rows), _CHUNK_ROWS):
        chunk = rows[start : start + _CHUNK_ROWS]
        yield len(chunk), csv_text(chunk if all_text else ([_cell(v) for v in row] for row in chunk))


@dataclass
class _ExportFile:
    name: str
    columns: tuple[str, ...]
    chunks: Callable[[], Iterator[tuple[int, str]]]  # made only when the file is written


def _current_pairs_columns() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every current pair, rows and weak pairs: (entity a, entity b, (n, 5) tenths: score, formal,
    interaction, financial, analyst), as compact arrays."""
    components = ("score_tenths", "formal_tenths", "interaction_tenths", "financial_tenths", "analyst_tenths")
    table = PairScore._meta.db_table
    a, b, *tenths = read_fixed_width(
        f"SELECT entity_a_id, entity_b_id, {', '.join(components)} FROM {table}",
        ["int8", "int8"] + ["int2"] * len(components),
    )
    weak = current_weak_pairs()  # under 1.0 on meetings alone: no other component
    weak_tenths = np.zeros((len(weak), len(components)), np.int16)
    weak_tenths[:, 0], weak_tenths[:, 2] = weak.score, weak.interaction
    return (
        np.concatenate([a, weak.a]),
        np.concatenate([b, weak.b]),
        np.concatenate([np.stack(tenths, axis=1).reshape(len(a), len(components)), weak_tenths]),
    )


def _closeness_chunks(snapshot, ext: dict[int, str]) -> Iterator[tuple[int, str]]:
    """closeness.csv's lines, sorted by the pair's external ids, a chunk at a time. The pairs are
    sorted as arrays of the entities' ranks by external id, and each line is put together from
    texts made once (the entities' CSV fields, the tenths, the bands): millions of pairs through
    the csv module value by value took 25 s."""
    if snapshot is None:
        return
    by_external_id = sorted(ext, key=ext.get)
    rank = np.full(max(ext, default=0) + 1, -1, np.int64)
    rank[by_external_id] = np.arange(len(by_external_id))
    a, b, tenths = _current_pairs_columns()
    # an entity deleted since the last recompute (its queued recompute drops its pairs) has no rank
    in_range = (a < len(rank)) & (b < len(rank))
    a, b, tenths = a[in_range], b[in_range], tenths[in_range]
    first, second = rank[a], rank[b]
    del a, b
    known = (first >= 0) & (second >= 0)
    first, second, tenths = first[known], second[known], tenths[known]
    low, high = np.minimum(first, second), np.maximum(first, second)
    del first, second
    order = np.argsort(low * len(by_external_id) + high)
    fields = csv_text([ext[pk]] for pk in by_external_id).split("\n")  # each id as a CSV field
    tenths_text = [f"{v // 10}.{v % 10}" for v in range(101)]
    score_band = [f"{tenths_text[v]},{band_for_score(v / 10)},{snapshot.as_of.isoformat()}" for v in range(101)]
    for start in range(0, len(order), _CHUNK_ROWS):
        chunk = order[start : start + _CHUNK_ROWS]
        columns = [low[chunk].tolist(), high[chunk].tolist()] + [tenths[chunk, c].tolist() for c in range(tenths.shape[1])]
        text = "".join([
            f"{fields[x]},{fields[y]},{score_band[score]},{tenths_text[formal]},{tenths_text[interaction]},"
            f"{tenths_text[financial]},{tenths_text[analyst]}\n"
            for x, y, score, formal, interaction, financial, analyst in zip(*columns)
        ])
        yield len(chunk), text


def _columns_in_use(fmt: FileFormat, model) -> tuple[str, ...]:
    """`fmt`'s columns, less each extension column that no row of `model` fills (a data set in the
    contract's columns is exported in exactly those); the model's field has the column's name."""
    unused = {c for c in fmt.extensions if not model.objects.exclude(**{c: ""}).exists()}
    return tuple(c for c in fmt.columns if c not in unused)


def _export_files() -> list[_ExportFile]:
    """Every file of the contract, sorted for byte-identical repeat exports; each made when written."""
    ext = dict(Entity.objects.order_by().values_list("id", "external_id"))

    def entities():
        rows = Entity.objects.order_by().values_list("external_id", "name", "kind", "jurisdiction", "parent_id", "description", "website")
        return _csv_chunks(sorted(((e, n, k, j, ext.get(p) if p else None, d, w) for e, n, k, j, p, d, w in rows), key=lambda r: r[0]))

    def relationships():
        rows = Relationship.objects.order_by().values_list(  # sorted here: no ORDER BY
            "external_id", "source_id", "target_id", "type", "start_date", "end_date", "amount", "analyst_score", "source_url", "notes"
        ).iterator(chunk_size=20000)
        return _csv_chunks(sorted(((e, ext[s], ext[t], *rest) for e, s, t, *rest in rows), key=lambda r: r[0]))

    meeting_columns = _columns_in_use(MEETINGS, Meeting)

    def meetings():
        rows = Meeting.objects.order_by().values_list(*meeting_columns).iterator(chunk_size=20000)
        return _csv_chunks(sorted(rows, key=lambda r: r[0]))

    def attendance():
        meeting_ext = {pk: e for e, pk in Meeting.objects.values_list("external_id", "id")}
        # order_by(): the default ordering joins meetings and entities to sort a million rows
        rows = Attendance.objects.order_by().values_list("meeting_id", "entity_id", "role").iterator(chunk_size=100000)
        return _csv_chunks(sorted((meeting_ext[m], ext[e], role) for m, e, role in rows), all_text=True)

    disclosure_columns = _columns_in_use(DISCLOSURES, Disclosure)

    def disclosures():
        rel_ext = dict(Relationship.objects.values_list("id", "external_id"))
        # after the three ids, each column is the model field of its name
        fields = [c for c in disclosure_columns if c not in ("external_id", "discloser", "relationship")]
        rows = Disclosure.objects.order_by().values_list("external_id", "discloser_id", "relationship_id", *fields)
        return _csv_chunks(sorted(((e, ext[d], rel_ext[r], *rest) for e, d, r, *rest in rows), key=lambda r: r[0]))

    def flags():
        return _csv_chunks(sorted(flag_rows(Flag.objects.filter(holds=True)), key=lambda r: (r[0], r[3], r[4])))

    return [
        _ExportFile(ENTITIES.name, ENTITIES.columns, entities),
        _ExportFile(RELATIONSHIPS.name, RELATIONSHIPS.columns, relationships),
        _ExportFile(MEETINGS.name, meeting_columns, meetings),
        _ExportFile(ATTENDANCE.name, ATTENDANCE.columns, attendance),
        _ExportFile(DISCLOSURES.name, disclosure_columns, disclosures),
        _ExportFile("closeness.csv", CLOSENESS_COLUMNS, lambda: _closeness_chunks(current_snapshot(), ext)),
        _ExportFile("flags.csv", FLAG_COLUMNS, flags),
    ]


def _export_steps(open_text: Callable[[str], TextIO], counts: dict[str, int]) -> Iterator[None]:
    """Write every file to the stream `open_text(name)` gives, pausing (yielding) after each chunk
    so that a download can send what is written so far; `counts` gets the data rows per file. All
    files are read from one snapshot of the database, so they agree with each other even while an
    import or a recompute commits during the export."""
    with one_snapshot():
        for file in _export_files():
            with open_text(file.name) as stream:
                stream.write(csv_text([file.columns]))
                counts[file.name] = 0
                for n_rows, text in file.chunks():
                    stream.write(text)
                    counts[file.name] += n_rows
                    yield


def _export_to(open_text: Callable[[str], TextIO]) -> dict[str, int]:
    """Write every file at once (`_export_steps` without pauses); returns the data rows per file."""
    counts: dict[str, int] = {}
    for _ in _export_steps(open_text, counts):
        pass
    return counts


def dataset_export(directory: Path) -> dict[str, int]:
    """Write every file to `directory`; returns the number of data rows per file. The files are
    written under temporary names and take their own once all are complete: an export that fails
    leaves the directory as it was."""
    directory.mkdir(parents=True, exist_ok=True)
    partial: dict[str, Path] = {}

    def open_text(name: str) -> TextIO:
        partial[name] = directory / f".{name}.partial"
        return partial[name].open("w", encoding="utf-8", newline="")

    try:
        counts = _export_to(open_text)
    except BaseException:
        for path in partial.values():
            path.unlink(missing_ok=True)
        raise
    for name, path in partial.items():
        path.replace(directory / name)
    return counts


def dataset_export_files() -> dict[str, str]:
    """Every file as text (small data sets: tests)."""
    files: dict[str, io.StringIO] = {}

    @contextmanager
    def kept(name: str):
        files[name] = io.StringIO()
        yield files[name]

    _export_to(kept)
    return {name: out.getvalue() for name, out in files.items()}


class _Sent(io.RawIOBase):
    """A write-only stream that keeps what is written until it is taken (sent to the client)."""

    def __init__(self):
        super().__init__()
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def dataset_export_zip() -> Iterator[bytes]:
    """Every file in one zip (the download), as bytes to send while it is being made: each file is
    compressed as it is written and the zip is streamed (sizes after each file's data, as zip
    allows), so the download starts at once and no whole file or zip is held in memory."""
    sent = _Sent()
    with zipfile.ZipFile(sent, "w", zipfile.ZIP_DEFLATED) as archive:

        def entry(name: str):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed time: identical zips
            info.compress_type = zipfile.ZIP_DEFLATED
            return io.TextIOWrapper(archive.open(info, "w", force_zip64=True), encoding="utf-8", newline="")

        for _ in _export_steps(entry, {}):
            if data := sent.take():
                yield data
    yield sent.take()  # the rest of the last file and the zip's central directory
