"""Recompute: the one service behind the `recompute` command, the nightly task and the
incremental task queued when evidence changes."""
from __future__ import annotations

import itertools
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
from django.db import connection, models, transaction
from django.db.models import Count, Max, Sum
from django.db.models.functions import Length
from django.utils import timezone

from core.bulk import (
    analyze_if_changed, bulk_insert, copy_fixed_width, execute_for_ids, id_arrays, is_postgres, read_fixed_width, read_int_columns,
)
from core.formatting import count_text
from core.memory import collector_paused
from core.workers import WORKERS_UNREACHABLE
from entities.models import Entity
from relationships.models import Disclosure, Relationship
from relationships.types import OVERSIGHT_TYPES

from .engine import PairScores, ScoringParameters, closeness_scores, in_sorted
from .engine.compare import CloseShift, close_shift
from .engine.parameters import CLOSE_TENTHS, WORKING_TENTHS, band_numbers
from .load import load_evidence, load_relationships
from .models import (
    LISTED_TENTHS, BandCrossing, ClosenessSnapshot, OwedRecompute, PairScore, PairScoreHistory, RecomputeLock, ScoringSettings,
    SettingsChange, SettingsPreview, WeakPairBlock,
)
from .weak_pairs import (
    WEAK_PAIR, PackedWeakPairs, WeakPairs, current_weak_pairs, packed, read_packed_weak_pairs, weak_pairs_replace,
    weak_pairs_write,
)

logger = logging.getLogger(__name__)


def current_snapshot() -> ClosenessSnapshot | None:
    return ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.COMPLETE).order_by("-id").first()


def _acquire_recompute_lock() -> None:
    """Block until no other recompute holds the lock; released when the transaction ends."""
    RecomputeLock.objects.get_or_create(name="recompute")
    RecomputeLock.objects.select_for_update().get(name="recompute")


def _mixed(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: each 64-bit value to a well-spread one (uint64 arithmetic wraps)."""
    z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def relationship_digests(id_groups: list[tuple[int, ...]]) -> np.ndarray:
    """A stable 56-bit number per group of relationship ids (0 for an empty group), computed for
    all groups at once: the sum of the mixed ids (the ids of a pair are distinct), folded to 55
    bits with the 56th set so that evidence never digests to 0. One hash call per pair cost 0.4 s
    at 85,000 pairs."""
    sizes = np.fromiter((len(ids) for ids in id_groups), np.int64, len(id_groups))
    digests = np.zeros(len(id_groups), np.int64)
    if sizes.sum() == 0:
        return digests
    flat = np.fromiter(itertools.chain.from_iterable(id_groups), np.int64, int(sizes.sum()))
    groups = np.repeat(np.arange(len(id_groups)), sizes)
    sums = np.zeros(len(id_groups), np.uint64)
    np.add.at(sums, groups, _mixed(flat))
    folded = ((sums >> np.uint64(9)) | np.uint64(1 << 55)).astype(np.int64)
    return np.where(sizes > 0, folded, 0)


_TENTHS = ["score_tenths", "formal_tenths", "interaction_tenths", "financial_tenths", "analyst_tenths"]
_TENTH_BITS = 7  # a score or component in tenths is 0..100: five of them fit one 64-bit integer
_SCORE_MASK = (1 << _TENTH_BITS) - 1


def packed_tenths(tenths: np.ndarray) -> np.ndarray:
    """(n, 5) tenths (score first) as one int64 each, 7 bits apiece, the score in the lowest bits:
    the form the database hands back current rows in (`_current_rows`)."""
    packed = np.zeros(len(tenths), np.int64)
    for i in range(tenths.shape[1]):
        packed |= tenths[:, i].astype(np.int64) << (_TENTH_BITS * i)
    return packed


def pair_key_width() -> int:
    """One more than the largest entity id of any entity or current pair: a pair (a, b) is the one
    integer a * width + b, in the database's reads as in numpy."""
    largest_entity = Entity.objects.aggregate(largest=Max("id"))["largest"] or 0
    largest_paired = PairScore.objects.aggregate(largest=Max("entity_b"))["largest"] or 0
    return max(largest_entity, largest_paired) + 1


@dataclass
class CurrentRows:
    """The current pair rows, one array per column (a full recompute reads millions)."""

    id: np.ndarray  # int64
    key: np.ndarray  # int64: entity_a * width + entity_b
    tenths: np.ndarray  # int64: score and components, packed (packed_tenths)
    digest: np.ndarray  # int64
    valid_from: np.ndarray  # int64: the snapshot that set the row


def _current_rows(entity_scope: set[int] | None, width: int, raw_cursor=None) -> CurrentRows:
    """Read the current rows in five integer columns: the pair and the tenths packed by the database
    took half the time of nine columns (6.5 s for 6.5M rows), most of it COPY's per-value work."""
    table = PairScore._meta.db_table
    packed = " + ".join(f"CAST({name} AS BIGINT) * {1 << (_TENTH_BITS * i)}" for i, name in enumerate(_TENTHS))
    sql = f"SELECT id, entity_a_id * {int(width)} + entity_b_id, {packed}, relationship_digest, valid_from_id FROM {table}"
    if entity_scope is None:
        columns = read_fixed_width(sql, ["int8"] * 5, raw_cursor=raw_cursor)
    else:
        ids = sorted(entity_scope)
        marks = ", ".join(["%s"] * len(ids))
        sql += f" WHERE entity_a_id IN ({marks}) OR entity_b_id IN ({marks})"
        table_rows = read_int_columns(sql, ids + ids, n_columns=5)
        columns = [table_rows[:, i].copy() for i in range(5)]
    return CurrentRows(*columns)


_EMPTY_JSONB = b"\x01[]"  # jsonb's binary form: version 1, then the JSON text


def _insert_pairs(
    valid_from: np.ndarray, scores: PairScores, rows: np.ndarray, which: np.ndarray, tenths: np.ndarray, digest: np.ndarray,
    evidence_of: dict,
) -> None:
    """Insert the rows `which` (indexes into `rows`, the positions in `scores` of the pairs that have
    rows, and into their `valid_from` snapshots, `tenths` and `digest`). On PostgreSQL in two fixed-width binary COPYs
    built by numpy: the rows without relationship evidence (most), and those with it, each with
    its ids as a last, variable column; elsewhere through the ORM."""
    a, b = scores.entity_a[rows], scores.entity_b[rows]
    if not is_postgres():
        bulk_insert(
            PairScore,
            ["entity_a_id", "entity_b_id", *_TENTHS, "relationship_ids", "relationship_digest", "valid_from_id"],
            (
                (int(a[i]), int(b[i]), *tenths[i].tolist(), list(evidence_of.get(i, ())), int(digest[i]), int(valid_from[i]))
                for i in which.tolist()
            ),
        )
        return
    with_evidence = np.array(sorted(set(which.tolist()) & set(evidence_of)), dtype=np.int64)
    plain = np.setdiff1d(which, with_evidence, assume_unique=True)
    for part, ids in ((plain, None), (with_evidence, "relationship_ids")):
        if not len(part):
            continue
        columns = (
            [("entity_a_id", "int8", a[part]), ("entity_b_id", "int8", b[part])]
            + [(name, "int2", tenths[part, c]) for c, name in enumerate(_TENTHS)]
            + [("relationship_digest", "int8", digest[part]), ("valid_from_id", "int8", valid_from[part])]
        )
        if ids is None:
            copy_fixed_width(PairScore, [*columns, ("relationship_ids", "bytes", _EMPTY_JSONB)], len(part))
        else:
            # jsonb's binary form: version 1, then the JSON text (a list of ids)
            texts = [b"\x01[" + ",".join(map(str, evidence_of[i])).encode() + b"]" for i in part.tolist()]
            copy_fixed_width(PairScore, columns, len(part), variable=("relationship_ids", texts))


_PAIR_COLUMNS = (
    "entity_a_id, entity_b_id, score_tenths, formal_tenths, interaction_tenths, financial_tenths, "
    "analyst_tenths, relationship_ids, relationship_digest, valid_from_id"
)


def _retire_rows(row_ids: list[int], snapshot: ClosenessSnapshot, *, delete: bool = True) -> None:
    """Move the current rows `row_ids` (changed or gone as of `snapshot`) to the history, closed by
    `snapshot`: copied there by the database, and (with `delete`) deleted. On PostgreSQL one
    statement does both (DELETE ... RETURNING into the INSERT), finding each row once."""
    current, history = PairScore._meta.db_table, PairScoreHistory._meta.db_table
    if delete and is_postgres():
        with connection.cursor() as cursor:
            for array in id_arrays(row_ids):
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {current} WHERE id = ANY(%s::bigint[]) RETURNING {_PAIR_COLUMNS}) "
                    f"INSERT INTO {history} ({_PAIR_COLUMNS}, valid_to_id) SELECT {_PAIR_COLUMNS}, %s FROM moved",
                    [array, snapshot.pk],
                )
        return
    execute_for_ids(
        f"INSERT INTO {history} ({_PAIR_COLUMNS}, valid_to_id) SELECT {_PAIR_COLUMNS}, %s FROM {current} WHERE id",
        row_ids, [snapshot.pk],
    )
    if delete:
        execute_for_ids(f"DELETE FROM {current} WHERE id", row_ids)


# A full recompute that writes more than this share of the current rows anew empties the pair
# table and writes every row, then builds its indexes, instead of deleting the changed rows and
# maintaining the indexes row by row: a month later (460,000 of 480,000 rows changed) writing the
# rows took 6.2-8.0 s against 10.6-12.8 s here (the COPY 1.3-2.0 s and the index builds under 1 s,
# against a COPY into maintained indexes of 5.2-6.5 s). Nightly (~17% changed) is cheaper row by row.
REBUILD_SHARE = 0.25


@contextmanager
def _rewritten_whole(rebuild: bool):
    """With `rebuild`, empty the current pair table (TRUNCATE) and drop its indexes (its primary
    key's and its one-row-per-pair unique index too), and build them again once every row is in:
    maintaining the primary key alone made COPYing half a million rows 0.35-0.6 s slower than
    building it after (0.1 s). Inside the recompute's transaction, so a failure restores them and
    the rows. This locks the table until the commit: pages that read pairs in the meantime wait
    for it (seconds, on the recomputes that rewrite most pairs)."""
    if not rebuild:
        yield
        return
    table = PairScore._meta.db_table
    unique = [c for c in PairScore._meta.constraints if isinstance(c, models.UniqueConstraint)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
        constraints = connection.introspection.get_constraints(cursor, table)
        primary_key = next(name for name, about in constraints.items() if about["primary_key"])
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{primary_key}"')
    with connection.schema_editor(atomic=False) as editor:
        for index in PairScore._meta.indexes:
            editor.remove_index(PairScore, index)
        for constraint in unique:
            editor.remove_constraint(PairScore, constraint)
    yield
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{primary_key}" PRIMARY KEY ({PairScore._meta.pk.column})')
    with connection.schema_editor(atomic=False) as editor:
        for index in PairScore._meta.indexes:
            editor.add_index(PairScore, index)
        for constraint in unique:
            editor.add_constraint(PairScore, constraint)


def _stored_pairs(entity_scope: set[int] | None, width: int, raw_cursor=None) -> tuple[CurrentRows, PackedWeakPairs | WeakPairs]:
    """The current pair rows and weak pairs: all of them, the weak ones packed as stored (a full
    recompute), or those touching `entity_scope`."""
    if entity_scope is None:
        return _current_rows(None, width, raw_cursor), read_packed_weak_pairs(raw_cursor)
    return _current_rows(entity_scope, width), current_weak_pairs(np.array(sorted(entity_scope), dtype=np.int64))


def scores_with_stored_pairs(
    evidence, parameters, as_of: date, entity_scope: set[int] | None, width: int
) -> tuple[PairScores, CurrentRows, PackedWeakPairs | WeakPairs]:
    """Score, and read the stored pairs to compare with. For a full recompute on PostgreSQL the
    read (half a million rows and 40 MB of weak pairs, the database's work) runs on this
    transaction's connection in a helper thread while this one scores: the two took 9 s each, one
    after the other, on two idle cores. The engine touches no database, so the connection has one
    user."""
    if entity_scope is not None or not is_postgres():
        return closeness_scores(evidence, parameters, as_of, only_entities=entity_scope), *_stored_pairs(entity_scope, width)
    with connection.cursor() as cursor, ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(_stored_pairs, None, width, cursor.cursor)
        try:
            scores = closeness_scores(evidence, parameters, as_of)
        finally:
            reading.exception()  # wait for the read before anyone else uses the connection
        return scores, *reading.result()


class PairsWritten(NamedTuple):
    changed: int  # pairs whose score or evidence changed, appeared or vanished
    net: int  # change in the number of current pairs
    close_changed: bool  # whether any pair entered, left or moved within the `close` band
    rows_written: int  # pair rows inserted or retired (weak pairs are not rows)


def pair_scores_write(
    *, snapshot: ClosenessSnapshot, scores: PairScores, old: CurrentRows, old_weak: PackedWeakPairs | WeakPairs,
    entity_scope: set[int] | None, width: int,
) -> PairsWritten:
    """Store the new scores as of `snapshot` over the `old` current rows and `old_weak` pairs (all
    of them packed, or with `entity_scope` those touching it).

    Weak pairs (under 1.0, no relationship evidence) go to the packed blocks (weak_pairs); every
    other pair has a row: rows whose score or evidence changed or vanished move to the history
    and new ones are inserted. Unchanged pairs are not touched, so history grows with what
    changed. Vectorised: a full recompute compares millions of pairs."""
    positions = scores.relationship_positions
    weak = scores.score_tenths < LISTED_TENTHS
    weak[positions] = False  # a pair with relationship evidence has a row
    if entity_scope is None:
        new_weak = packed(scores.entity_a, scores.entity_b, scores.score_tenths, scores.interaction_tenths, weak)
        weak_changed, weak_net = weak_pairs_replace(snapshot=snapshot, old=old_weak, new=new_weak)
    else:
        new_weak = WeakPairs(scores.entity_a[weak], scores.entity_b[weak], scores.score_tenths[weak], scores.interaction_tenths[weak])
        scope = np.array(sorted(entity_scope), dtype=np.int64)
        weak_changed, weak_net = weak_pairs_write(snapshot=snapshot, old=old_weak, new=new_weak, scope=scope)

    # the pairs with rows: their positions in `scores`, keys, tenths and digests
    rows = np.flatnonzero(~weak)
    row_keys = scores.entity_a[rows] * width + scores.entity_b[rows]  # sorted: the engine returns pairs in order
    row_tenths = np.zeros((len(rows), len(_TENTHS)), np.int16)
    row_tenths[:, 0] = scores.score_tenths[rows]
    row_tenths[:, 2] = scores.interaction_tenths[rows]
    # formal, financial and analyst come from relationships alone: 0 for every other pair
    evidence_rows = np.searchsorted(rows, positions)
    row_tenths[evidence_rows[:, None], [1, 3, 4]] = scores.relationship_tenths
    row_digest = np.zeros(len(rows), np.int64)
    row_digest[evidence_rows] = relationship_digests(scores.relationship_evidence)
    evidence_of = dict(zip(evidence_rows.tolist(), scores.relationship_evidence))  # row -> relationship ids
    row_packed = packed_tenths(row_tenths)
    old_keys = old.key
    if len(old_keys):
        # each old row's place among the new pairs (sorted), rather than sorting the old rows
        kept = in_sorted(old_keys, row_keys)
        position = np.full(len(rows), -1, np.int64)  # the old row of each new pair; -1 when it is new
        position[np.searchsorted(row_keys, old_keys[kept])] = np.flatnonzero(kept)
        matched = position >= 0
        same = matched & (old.digest[position] == row_digest) & (old.tenths[position] == row_packed)
        appeared = int((~matched).sum())
        gone = ~kept
        vanished = old.id[gone]
        # a close pair's score is part of the closeness rules' flags (their explanation quotes it)
        before = np.zeros(len(rows), np.int64)  # each new row's score before (0: under 1.0, or none)
        before[matched] = old.tenths[position[matched]] & _SCORE_MASK
        was_close = before >= CLOSE_TENTHS
        is_close = row_tenths[:, 0] >= CLOSE_TENTHS
        gone_score = old.tenths[gone] & _SCORE_MASK
        close_changed = bool(np.any((was_close | is_close) & ~same) or np.any(gone_score >= CLOSE_TENTHS))
        to_close = np.concatenate([old.id[position[matched & ~same]], vanished])
        left = band_numbers(gone_score) > 0  # a working or close pair now under 1.0 or gone
        _record_crossings(
            snapshot, scores, rows, np.flatnonzero(band_numbers(before) != band_numbers(row_tenths[:, 0])), before, row_tenths[:, 0],
            gone_keys=old_keys[gone][left], gone_score=gone_score[left], width=width,
        )
    else:
        position = np.full(len(rows), -1, np.int64)
        same = np.zeros(len(rows), bool)
        appeared = len(rows)
        vanished = to_close = np.zeros(0, np.int64)
        close_changed = bool(np.any(row_tenths[:, 0] >= CLOSE_TENTHS))
        _record_crossings(
            snapshot, scores, rows, np.flatnonzero(band_numbers(row_tenths[:, 0]) > 0), np.zeros(len(rows), np.int64), row_tenths[:, 0],
            gone_keys=np.zeros(0, np.int64), gone_score=np.zeros(0, np.int64), width=width,
        )
    inserted = int((~same).sum())
    rebuild = entity_scope is None and is_postgres() and inserted > REBUILD_SHARE * len(rows)
    _retire_rows(to_close.tolist(), snapshot, delete=not rebuild)
    # each row's snapshot: the one that set an unchanged row, this one for the others
    valid_from = np.full(len(rows), snapshot.pk, np.int64)
    valid_from[same] = old.valid_from[position[same]]
    with _rewritten_whole(rebuild):
        # rewritten whole: every row (the table was emptied), else those that changed or are new
        _insert_pairs(valid_from, scores, rows, np.arange(len(rows)) if rebuild else np.flatnonzero(~same), row_tenths, row_digest, evidence_of)
    return PairsWritten(
        changed=inserted + len(vanished) + weak_changed,
        net=appeared - len(vanished) + weak_net,
        close_changed=close_changed,
        rows_written=inserted + len(to_close),
    )


def _record_crossings(
    snapshot: ClosenessSnapshot, scores: PairScores, rows: np.ndarray, crossed: np.ndarray, before: np.ndarray, after: np.ndarray,
    *, gone_keys: np.ndarray, gone_score: np.ndarray, width: int,
) -> None:
    """Store the pairs this recompute moved from one band to another: the new rows at `crossed`
    (positions among `rows`, with their scores `before` and `after`) and the working or close
    rows that are gone (a pair under 1.0 now, or with no score: after 0). A first recompute records
    every pair of 4.0 or more (70,000 at 20,000 entities): on PostgreSQL in one binary COPY built
    by numpy (as text, a row at a time, they took half a second of a from-empty recompute)."""
    pairs = rows[crossed]
    a = np.concatenate([scores.entity_a[pairs], gone_keys // width]).astype(np.int64)
    b = np.concatenate([scores.entity_b[pairs], gone_keys % width]).astype(np.int64)
    was = np.concatenate([before[crossed], gone_score]).astype(np.int16)
    now = np.concatenate([after[crossed], np.zeros(len(gone_keys))]).astype(np.int16)
    if is_postgres():
        copy_fixed_width(BandCrossing, [("entity_a_id", "int8", a), ("entity_b_id", "int8", b), ("before_tenths", "int2", was),
                                        ("after_tenths", "int2", now), ("snapshot_id", "int8", snapshot.pk)], len(a))
        return
    bulk_insert(BandCrossing, ["entity_a_id", "entity_b_id", "before_tenths", "after_tenths", "snapshot_id"],
                zip(a.tolist(), b.tolist(), was.tolist(), now.tolist(), itertools.repeat(snapshot.pk)))


def band_counts() -> tuple[int, int]:
    """The current pairs in the `close` and the `working` band: one count over the listed pairs'
    index (a dozen milliseconds at 70,000 pairs of 4.0 or more)."""
    counts = PairScore.objects.filter(score_tenths__gte=WORKING_TENTHS).aggregate(
        close=Count("pk", filter=models.Q(score_tenths__gte=CLOSE_TENTHS)), working_or_close=Count("pk"))
    return counts["close"], counts["working_or_close"] - counts["close"]


def current_pair_count() -> int:
    """Current pairs: the rows, and the weak pairs packed in blocks."""
    rows = PairScore.objects.count()
    weak_bytes = WeakPairBlock.objects.aggregate(total=Sum(Length("pairs")))["total"] or 0
    return rows + weak_bytes // WEAK_PAIR.itemsize


def rules_inputs_fingerprint() -> str:
    """Changes when any entity, relationship or disclosure is added, edited (updated_at) or deleted.
    Edits must move updated_at (save(), forms, API, admin and importer all do)."""
    parts = []
    for model in (Entity, Relationship, Disclosure):
        row = model.objects.order_by().aggregate(n=Count("id"), ids=Sum("id"), last=Max("updated_at"))
        parts.append(f"{row['n']}:{row['ids'] or 0}:{row['last'].isoformat() if row['last'] else '-'}")
    return "|".join(parts)


# How many times a recompute reads its inputs again when the rules' inputs moved while it read them.
READ_ATTEMPTS = 3


def _read_consistently(read):
    """`read(fingerprint)` between two readings of `rules_inputs_fingerprint`, again while they
    differ; returns (the fingerprint, what `read` returned). The loader reads in several statements,
    each seeing what had committed by then: an edit committed in between would give the engine and
    the rules different relationships, and the snapshot the fingerprint of neither. After
    READ_ATTEMPTS moving reads the last one stands: the recompute that those edits queued follows."""
    fingerprint = rules_inputs_fingerprint()
    for _ in range(READ_ATTEMPTS):
        result = read(fingerprint)
        after = rules_inputs_fingerprint()
        if after == fingerprint:
            break
        logger.info("the evidence changed while the recompute read it: reading it again")
        fingerprint = after
    return fingerprint, result


def load_kernels() -> None:
    """Import numba and load the engine's compiled kernels from their cache (0.3-0.5 s in a new
    process). Imported here, not at Django's start: web processes list and explain scores without
    them, and numba and LLVM are 60-140 MB of each process that imports them."""
    from .engine.pair_product import warm_up

    warm_up()


def recompute(
    *, as_of: date, entity_scope: set[int] | None = None, triggered_by: str = ""
) -> ClosenessSnapshot:
    """Recompute closeness (all pairs, or those touching `entity_scope`) and then every flag. With a
    scope, all pairs all the same when the current scores are not as of `as_of` (or there are none).

    The snapshot row is committed first (so pages can show a recompute is running); the scores and
    flags are written in one transaction under a lock, so a failure leaves the previous ones in
    place and two recomputes never interleave."""
    from conflicts.services import flags_keep, flags_refresh, rules_start

    parameters = ScoringSettings.load().scoring_parameters
    snapshot = ClosenessSnapshot.objects.create(
        as_of=as_of,
        parameters=parameters.to_dict(),
        scope=ClosenessSnapshot.Scope.FULL if entity_scope is None else ClosenessSnapshot.Scope.INCREMENTAL,
        triggered_by=triggered_by[:200],
    )
    try:
        with collector_paused(), transaction.atomic(), ThreadPoolExecutor(max_workers=2) as helpers:
            # numba's import and first dispatch in a new process (the `recompute` command) cost
            # 0.3-0.5 s each: the kernels load beside the database reads, not before or after them
            kernels_loaded = helpers.submit(load_kernels)
            _acquire_recompute_lock()
            # every recompute owed (each change's, recorded before its task was sent: one not sent,
            # or not run, is not lost), taken in here; read before the evidence: each row is
            # written once its change committed, so the read below holds the change
            owed = list(OwedRecompute.objects.values_list("pk", "entity_ids"))
            if entity_scope is not None and owed:
                entity_scope = None if any(ids is None for _, ids in owed) else entity_scope.union(*(ids for _, ids in owed))
                if entity_scope is None:
                    snapshot.scope = ClosenessSnapshot.Scope.FULL
            previous = current_snapshot()
            if entity_scope is not None and (previous is None or previous.as_of != as_of):
                # every current pair shares one reference date: an incremental recompute as of
                # another date than the current scores' would leave the pairs outside its scope
                # at the old one, so it recomputes them all. Checked here, under the lock, as a
                # full recompute of another date may have committed since the caller looked
                entity_scope = None
                snapshot.scope = ClosenessSnapshot.Scope.FULL

            def read(fingerprint: str):
                """The engine's evidence (and its entities by id) and, when every rule must run
                again, the rules' relationships and their first step, to run later: the rules'
                own inputs are read here, in the consistent-read window."""
                evidence = load_evidence(entity_scope)
                entities = {e.id: e for e in evidence.entities}
                if entity_scope is not None and previous is not None and previous.as_of == as_of and previous.rules_inputs == fingerprint:
                    # the rules' inputs are as the last recompute left them: only the two closeness
                    # rules may have to run again, over the oversight relationships, read here with
                    # the rest (a few thousand rows) rather than after the window
                    return evidence, entities, load_relationships(types=OVERSIGHT_TYPES), None
                relationships = evidence.relationships if entity_scope is None else load_relationships()
                return evidence, entities, relationships, rules_start(as_of=as_of, entities=entities, relationships=relationships)

            snapshot.rules_inputs, (evidence, entities, relationships, rules) = _read_consistently(read)
            width = pair_key_width()
            kernels_loaded.result()
            scores, old, old_weak = scores_with_stored_pairs(evidence, parameters, as_of, entity_scope, width)
            if rules is not None:
                # the rules that read no closeness run in a helper thread beside the writes, which
                # are PostgreSQL's work. Beside the scoring they slowed it by 0.2-0.5 s (pure
                # Python, holding the GIL the engine's glue needs), and beside the attendance read
                # they took the GIL from its row-by-row hand-over (0.1-0.6 s).
                rules = helpers.submit(rules)
            written = pair_scores_write(
                snapshot=snapshot, scores=scores, old=old, old_weak=old_weak, entity_scope=entity_scope, width=width
            )
            snapshot.pairs_changed, net, close_changed = written.changed, written.net, written.close_changed
            if entity_scope is None:
                snapshot.pairs_current = len(scores)
            elif previous is not None:
                snapshot.pairs_current = previous.pairs_current + net
            else:
                snapshot.pairs_current = current_pair_count()
            if rules is not None:
                snapshot.flags_raised = flags_refresh(
                    snapshot=snapshot, as_of=as_of, entities=entities, relationships=relationships, rules=rules.result()
                )
            elif not close_changed:
                # only meetings changed and no close pair moved: every rule would give the same
                # flags, so they stand (re-running them cost most of an incremental recompute)
                snapshot.flags_raised = flags_keep(as_of=as_of)
            else:
                # only closeness changed: only the two rules that read it can change their flags
                snapshot.flags_raised = flags_refresh(
                    snapshot=snapshot, as_of=as_of, entities=entities, relationships=relationships, closeness_only=True,
                )
            snapshot.close_pairs, snapshot.working_pairs = band_counts()
            OwedRecompute.objects.filter(pk__in=[pk for pk, _ in owed]).delete()
            snapshot.status = ClosenessSnapshot.Status.COMPLETE
            snapshot.finished_at = timezone.now()
            snapshot.save()
    except Exception as exc:
        ClosenessSnapshot.objects.filter(pk=snapshot.pk).update(
            status=ClosenessSnapshot.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    # a full recompute can rewrite half a million rows, which the pages query at once. Incremental
    # ones write a few, and their writes count towards the next full one's decision: analysing in
    # one when the tally passed a tenth cost 0.3 s of it. The history is left to autovacuum: its
    # queries look pairs up by index, and analysing it here cost 0.4-0.6 s of a month-later
    # recompute (1.5M history rows)
    if entity_scope is None:
        analyze_if_changed(PairScore, written.rows_written)
    logger.info("recompute %s as of %s: %s changed, %s", snapshot.scope, as_of,
                count_text(snapshot.pairs_changed, "pair"), count_text(snapshot.flags_raised, "flag"))
    return snapshot


def recompute_for_entities(*, entity_ids: set[int], today: date, triggered_by: str = "") -> ClosenessSnapshot:
    """After evidence about these entities changed: recompute the pairs touching them, or everything
    when the current scores are not as of `today` (`recompute` decides that under its lock, so all
    pairs always share one reference date) or no entity is named."""
    return recompute(as_of=today, entity_scope=set(entity_ids) or None, triggered_by=triggered_by or "evidence changed")


# after a recompute failed, beat's owed one waits this long before it tries again: a recompute
# that keeps failing (a bug, the disk full) records one failure an hour, not one every ten minutes
OWED_AFTER_A_FAILURE = timedelta(hours=1)


def recompute_owed(*, today: date, now) -> ClosenessSnapshot | None:
    """The recompute owed that no worker is running (`OwedRecompute.objects.waiting`: the pairs of
    the entities it touched, or every pair), as of `today`; None when none waits, or when the last
    recompute failed within the hour."""
    if not OwedRecompute.objects.waiting(now).exists():
        return None
    last = ClosenessSnapshot.objects.order_by("-id").first()
    if last is not None and last.status == ClosenessSnapshot.Status.FAILED and last.started_at > now - OWED_AFTER_A_FAILURE:
        return None
    return recompute(as_of=today, entity_scope=set(), triggered_by="changes no worker had scored")


PREVIEW_LISTED = 50  # pairs kept each way in a preview's result; its counts cover them all
PREVIEWS_KEPT_DAYS = 7  # a preview is a look before saving, not a record: older ones are deleted


def settings_compared(parameters: ScoringParameters) -> tuple[date, CloseShift] | None:
    """Score the evidence with `parameters` as of the current scores' date and compare with the
    current scores, writing nothing (None before any scores). As costly as the scoring part of a
    full recompute (about 3 s and 0.9 GB at 20,000 entities and a million attendance rows)."""
    snapshot = current_snapshot()
    if snapshot is None:
        return None
    width = pair_key_width()
    with collector_paused():  # as a recompute's scoring: 0.2 s of 1.8 s at the benchmark's scale
        proposed = closeness_scores(load_evidence(), parameters, snapshot.as_of)
        rows = _current_rows(None, width)
    current = (rows.key // width, rows.key % width, rows.tenths & _SCORE_MASK)
    return snapshot.as_of, close_shift(current, (proposed.entity_a, proposed.entity_b, proposed.score_tenths))


class SettingsChangedMeanwhile(Exception):
    """The settings in force are no longer those the change was checked against: someone saved
    theirs in between."""


def scoring_settings_save(*, parameters: ScoringParameters, by, reason: str,
                          checked_against: ScoringParameters | None = None) -> SettingsChange | None:
    """Put `parameters` in force, recording who changed them, from what, and why; None (nothing
    saved) when they are the settings in force already. `checked_against`: the settings in force
    as the form's check read them; SettingsChangedMeanwhile (nothing saved) if they changed since."""
    with transaction.atomic():
        ScoringSettings.load()
        record = ScoringSettings.objects.select_for_update().get(pk=1)
        before, after = record.scoring_parameters.to_dict(), parameters.to_dict()
        if checked_against is not None and checked_against.to_dict() != before:
            raise SettingsChangedMeanwhile()
        if before == after:
            return None
        record.parameters, record.updated_by = after, by
        record.save()
        return SettingsChange.objects.create(changed_by=by, before=before, after=after, reason=reason)


def settings_preview_requested(*, parameters: ScoringParameters, requested_by=None) -> SettingsPreview:
    """Record settings to preview (the caller queues `settings_preview_run` for it once committed),
    deleting the previews asked for more than `PREVIEWS_KEPT_DAYS` ago."""
    SettingsPreview.objects.filter(requested_at__lt=timezone.now() - timedelta(days=PREVIEWS_KEPT_DAYS)).delete()
    return SettingsPreview.objects.create(parameters=parameters.to_dict(), requested_by=requested_by)


def settings_preview_unsent(preview_id: int) -> None:
    """A preview no worker will run (its task could not be queued): failed, saying why, for its page."""
    SettingsPreview.objects.filter(pk=preview_id, status=SettingsPreview.Status.QUEUED).update(
        status=SettingsPreview.Status.FAILED, error=f"not run, as {WORKERS_UNREACHABLE}", finished_at=timezone.now())


def settings_preview_run(preview_id: int) -> SettingsPreview | None:
    """Score and compare a recorded preview's settings, storing what they would change (or why it
    failed: the administrator can ask again, so it is not retried). None when the preview is gone."""
    preview = SettingsPreview.objects.filter(pk=preview_id).first()
    if preview is None:
        return None
    preview.status = SettingsPreview.Status.RUNNING
    preview.save(update_fields=["status"])
    try:
        compared = settings_compared(preview.scoring_parameters)
    except Exception as exc:  # noqa: BLE001 - recorded for the page, which says it failed
        logger.exception("settings preview %s failed", preview_id)
        preview.status, preview.error = SettingsPreview.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        preview.status = SettingsPreview.Status.COMPLETE
        if compared is not None:
            preview.as_of, shift = compared
            preview.result = {
                "before": shift.before, "after": shift.after,
                "entered_count": len(shift.entered), "left_count": len(shift.left), "listed_each_way": PREVIEW_LISTED,
                "entered": [list(row) for row in shift.entered[:PREVIEW_LISTED]],
                "left": [list(row) for row in shift.left[:PREVIEW_LISTED]],
            }
    preview.finished_at = timezone.now()
    preview.save()
    return preview
