"""Storage of the weak pairs: those scoring under 1.0 on shared meetings alone.

At scale they are nearly all pairs (6.1M of 6.7M on the benchmark set) and no page lists them, so
instead of a `PairScore` row each they are kept packed, one array per bucket of 32 entities (by
the pair's lower entity): `WeakPairBlock` holds the current ones, `WeakPairChange` what each
recompute changed in each bucket, so history grows with what changed. A recompute rewrites only
the buckets whose weak pairs changed. Writing and reading a row per pair was most of a full
recompute's time (6.66M rows: 30 s to write from empty, 3.6 s to read back); a block per entity
(20,000 rows) still spent a second deleting and inserting rows each night, when decay touches
nearly every entity; buckets of 256 made an incremental recompute rewrite half the data (a
meeting's pairs fall in buckets all over). 625 buckets of 32 do both well.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.bulk import copy_binary_rows, execute_for_ids, read_binary_rows

from .engine.closeness import marked_ids
from .models import WeakPairBlock, WeakPairChange

BUCKET_BITS = 5  # 32 entities (by id) a bucket
# One weak pair in a bucket: its lower entity (the id's low bits; the high ones are the bucket's),
# the other entity, the score and the interaction component in tenths (under 10 and at most 100).
WEAK_PAIR = np.dtype([("a", "u1"), ("b", "<i4"), ("score", "u1"), ("interaction", "u1")])


@dataclass
class WeakPairs:
    """Weak pairs as parallel arrays, sorted by (a, b)."""

    a: np.ndarray  # int64
    b: np.ndarray  # int64
    score: np.ndarray  # int16 tenths
    interaction: np.ndarray  # int16 tenths

    @classmethod
    def empty(cls) -> WeakPairs:
        zero = np.zeros(0, np.int64)
        return cls(zero, zero, zero.astype(np.int16), zero.astype(np.int16))

    def __len__(self) -> int:
        return len(self.a)

    def take(self, where: np.ndarray) -> WeakPairs:
        return WeakPairs(self.a[where], self.b[where], self.score[where], self.interaction[where])


def _decode(buckets: list[int], blobs: list[bytes], scope: np.ndarray | None = None) -> WeakPairs:
    """The pairs of the buckets; with `scope` (sorted ids), only those touching it."""
    if not blobs:
        return WeakPairs.empty()
    counts = [len(blob) // WEAK_PAIR.itemsize for blob in blobs]
    joined = b"".join(blobs)
    if scope is not None:  # select as packed, in compiled code, and decode only those
        from .engine.pair_product import unpack_touching  # numba: only where scores are computed

        data, bounds = np.frombuffer(joined, np.uint8), np.cumsum([0] + counts)
        return WeakPairs(*unpack_touching(data, np.array(buckets, np.int64), bounds, marked_ids(scope), BUCKET_BITS))
    packed = np.frombuffer(joined, WEAK_PAIR)
    a = (np.repeat(np.array(buckets, np.int64), counts) << BUCKET_BITS) | packed["a"]
    return WeakPairs(
        a=a,
        b=packed["b"].astype(np.int64),
        score=packed["score"].astype(np.int16),
        interaction=packed["interaction"].astype(np.int16),
    )


@dataclass
class PackedWeakPairs:
    """Weak pairs as the blocks store them: one packed byte string per bucket, in bucket order.
    A full recompute compares them as they are (a bucket whose bytes are equal did not change)."""

    buckets: list[int]
    blobs: list[bytes]

    def __len__(self) -> int:
        return _count(self.blobs)


def packed(a: np.ndarray, b: np.ndarray, score: np.ndarray, interaction: np.ndarray, selected: np.ndarray) -> PackedWeakPairs:
    """The `selected` pairs of (a, b, score, interaction) (sorted by a, then b) packed by bucket."""
    if len(a) and max(a.max(), b.max()) >= 2**31:
        raise ValueError("entity ids of 2**31 and over do not fit a weak pair block")
    from .engine.pair_product import pack_by_bucket

    data, buckets, bounds = pack_by_bucket(a, b, score, interaction, selected, BUCKET_BITS)
    return PackedWeakPairs(buckets.tolist(), _split(data, bounds))


def _encode_by_bucket(pairs: WeakPairs) -> list[tuple[int, bytes]]:
    """(bucket, its pairs packed) for each bucket in `pairs` (sorted by a)."""
    blocks = packed(pairs.a, pairs.b, pairs.score, pairs.interaction, np.ones(len(pairs), bool))
    return list(zip(blocks.buckets, blocks.blobs))


def read_packed_weak_pairs(raw_cursor=None) -> PackedWeakPairs:
    """Every block as stored. `raw_cursor`: see core.bulk.read_binary_rows."""
    return PackedWeakPairs(*_read_blocks(raw_cursor=raw_cursor))


def current_weak_pairs(scope: np.ndarray | None = None) -> WeakPairs:
    """Every current weak pair, or with `scope` (sorted ids) those touching it."""
    return _decode(*_read_blocks(), scope)


def _read_blocks(buckets: list[int] | None = None, raw_cursor=None) -> tuple[list[int], list[bytes]]:
    """(buckets, blocks) of every block, or of those buckets, in bucket order."""
    table = WeakPairBlock._meta.db_table
    if buckets is None:
        rows = read_binary_rows(f"SELECT bucket, pairs FROM {table} ORDER BY bucket", ("int8", "bytes"), raw_cursor=raw_cursor)
    else:
        rows = []
        for start in range(0, len(buckets), 500):  # sorted, in batches within SQLite's parameter limit
            batch = buckets[start : start + 500]
            marks = ", ".join(["%s"] * len(batch))
            rows += read_binary_rows(f"SELECT bucket, pairs FROM {table} WHERE bucket IN ({marks}) ORDER BY bucket", ("int8", "bytes"), batch)
    return [bucket for bucket, _ in rows], [blob for _, blob in rows]


def _pair_in(blob, a: int, b: int) -> int | None:
    """The index of pair (a, b) in a packed bucket (sorted by a, then b), or None."""
    pairs = np.frombuffer(bytes(blob), WEAK_PAIR)
    keys = (pairs["a"].astype(np.int64) << 32) | pairs["b"]
    key = ((a & ((1 << BUCKET_BITS) - 1)) << 32) | b
    at = int(np.searchsorted(keys, key))
    return at if at < len(keys) and keys[at] == key else None


def weak_pair(a: int, b: int) -> tuple[int, int] | None:
    """(score, interaction) in tenths of the current weak pair (a, b), a < b; None if it is not one."""
    blob = WeakPairBlock.objects.filter(bucket=a >> BUCKET_BITS).values_list("pairs", flat=True).first()
    at = None if blob is None else _pair_in(blob, a, b)
    if at is None:
        return None
    pair = np.frombuffer(bytes(blob), WEAK_PAIR)[at]
    return int(pair["score"]), int(pair["interaction"])


def weak_pair_history(a: int, b: int) -> list[tuple[int, int, int]]:
    """(snapshot id, score and interaction in tenths; 0 when it left the weak pairs) for each
    recompute that changed the weak pair (a, b), a < b, oldest first (a weak pair's other
    components are 0)."""
    out = []
    changes = WeakPairChange.objects.filter(bucket=a >> BUCKET_BITS).order_by("snapshot_id").values_list("snapshot_id", "pairs")
    for snapshot_id, blob in changes:
        at = _pair_in(blob, a, b)
        if at is not None:
            pair = np.frombuffer(bytes(blob), WEAK_PAIR)[at]
            out.append((snapshot_id, int(pair["score"]), int(pair["interaction"])))
    return out


def touching_ids(a: np.ndarray, b: np.ndarray, scope: np.ndarray) -> np.ndarray:
    """Which pairs (a, b) have an entity in `scope`: a lookup table by id, two gathers (a binary
    search per pair cost 0.3 s at 6M pairs)."""
    marked = marked_ids(scope, int(max(a.max(initial=0), b.max(initial=0))))
    return marked[a] | marked[b]


def touching(pairs: WeakPairs, scope: np.ndarray) -> np.ndarray:
    return touching_ids(pairs.a, pairs.b, scope)


def weak_pairs_write(*, snapshot, old: WeakPairs, new: WeakPairs, scope: np.ndarray) -> tuple[int, int]:
    """Store `new` as the weak pairs touching `scope` over `old` (those stored): rewrite the buckets
    whose weak pairs changed and record the changes (an incremental recompute). Returns (pairs
    changed, net change in the number of weak pairs)."""
    changes = _changes_by_bucket(dict(_encode_by_bucket(old)), dict(_encode_by_bucket(new)))
    if not changes:
        return 0, 0
    buckets = sorted(changes)
    in_buckets = np.zeros(max(buckets[-1], int(new.a.max(initial=0)) >> BUCKET_BITS) + 1, bool)
    in_buckets[buckets] = True
    # those buckets as they are now: the new pairs and the stored ones that do not touch the scope
    # (read now, those buckets whole: a meeting's pairs fall in buckets all over)
    stored = _decode(*_read_blocks(buckets))
    state = _sorted_union(stored.take(~touching(stored, scope)), new.take(in_buckets[new.a >> BUCKET_BITS]))
    _buckets_write(snapshot, buckets, _encode_by_bucket(state), sorted(changes.items()))
    return _count(changes.values()), len(new) - len(old)


def weak_pairs_replace(*, snapshot, old: PackedWeakPairs, new: PackedWeakPairs) -> tuple[int, int]:
    """Store `new` as every weak pair over `old` (every block as stored; a full recompute): only
    the buckets whose bytes differ are compared pair by pair, as packed (decoding 6M pairs to
    compare them took 0.5 s a night), and rewritten. Returns (pairs changed, net change in the
    number of weak pairs)."""
    new_of = dict(zip(new.buckets, new.blobs))
    changes = _changes_by_bucket(dict(zip(old.buckets, old.blobs)), new_of)
    if not changes:
        return 0, 0
    buckets = sorted(changes)
    _buckets_write(snapshot, buckets, [(b, new_of[b]) for b in buckets if b in new_of], sorted(changes.items()))
    return _count(changes.values()), len(new) - len(old)


def _count(blobs) -> int:
    return sum(len(blob) for blob in blobs) // WEAK_PAIR.itemsize


def _changes_by_bucket(old_of: dict[int, bytes], new_of: dict[int, bytes]) -> dict[int, bytes]:
    """bucket -> its change records (a vanished pair with zeros), for every bucket whose packed
    pairs differ, comparing them as they are (a bucket gone is compared with none). In a bucket
    that is new, every pair appeared: its records are its block, as it is (a first recompute
    compared 6M pairs with none for them, 0.2 s)."""
    differ = sorted(b for b in old_of.keys() | new_of.keys() if old_of.get(b) != new_of.get(b))
    new_buckets = {b: new_of[b] for b in differ if b not in old_of}
    buckets = [b for b in differ if b in old_of]

    def joined(of):  # one buffer, and each bucket's first record and one past its last
        blobs = [of.get(b, b"") for b in buckets]
        bounds = np.cumsum([0] + [len(blob) // WEAK_PAIR.itemsize for blob in blobs])
        return np.frombuffer(b"".join(blobs), np.uint8), bounds

    from .engine.pair_product import changed_packed

    data, bounds = changed_packed(*joined(old_of), *joined(new_of))
    return {**dict(zip(buckets, _split(data, bounds))), **new_buckets}


def _split(data: np.ndarray, bounds: np.ndarray) -> list[bytes]:
    """Packed records (bytes) cut at record `bounds`: one byte string per bucket."""
    data, bounds, size = data.tobytes(), bounds.tolist(), WEAK_PAIR.itemsize
    return [data[bounds[k] * size : bounds[k + 1] * size] for k in range(len(bounds) - 1)]


def _buckets_write(snapshot, buckets: list[int], blocks: list[tuple[int, bytes]], changes: list[tuple[int, bytes]]) -> None:
    """Replace the blocks of `buckets` with `blocks` and record `changes` (packed by bucket) as of
    `snapshot`."""
    execute_for_ids(f"DELETE FROM {WeakPairBlock._meta.db_table} WHERE bucket", buckets)
    copy_binary_rows(WeakPairBlock, [("bucket", "int4"), ("pairs", "bytes")], blocks)
    copy_binary_rows(
        WeakPairChange,
        [("snapshot_id", "int8"), ("bucket", "int4"), ("pairs", "bytes")],
        ((snapshot.pk, bucket, blob) for bucket, blob in changes),
    )


def _sorted_union(first: WeakPairs, second: WeakPairs) -> WeakPairs:
    """Two sets of distinct pairs, each sorted by (a, b), as one, sorted: merged in one linear pass
    (each of `second`'s pairs goes where a binary search in `first` puts it), where sorting the
    concatenation took 0.3-0.4 s of an incremental recompute (millions of pairs in the buckets a
    meeting's entities touch)."""
    if len(second) == 0:
        return first
    if len(first) == 0:
        return second
    # a pair as one ordered integer (ids fit 31 bits: `packed` refuses larger ones)
    at = np.searchsorted((first.a << 32) | first.b, (second.a << 32) | second.b) + np.arange(len(second))
    from_second = np.zeros(len(first) + len(second), bool)
    from_second[at] = True
    merged = []
    for name in ("a", "b", "score", "interaction"):
        column = np.empty(len(from_second), getattr(first, name).dtype)
        column[at] = getattr(second, name)
        column[~from_second] = getattr(first, name)
        merged.append(column)
    return WeakPairs(*merged)
