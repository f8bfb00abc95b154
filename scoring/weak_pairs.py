"""Storage of the weak pairs: those scoring under 1.0 on shared meetings alone.

At scale they are nearly all pairs (6.1M of 6.7M on the benchmark set) and no page lists them, so
instead of a `PairScore` row each they are kept as one packed array per entity (the pair's lower
entity): `WeakPairBlock` holds the current ones, `WeakPairChange` what each recompute changed, so
history grows with what changed. A recompute rewrites only the blocks of entities whose weak pairs
changed. Writing and reading a row per pair was most of a full recompute's time (6.66M rows: 30 s
to write from empty, 3.6 s to read back), against 20,000 packed rows here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.bulk import bulk_insert, copy_binary_rows, execute_for_ids, is_postgres, read_binary_rows

from .engine import in_sorted
from .engine.pair_product import positions_in_sorted
from .models import WeakPairBlock, WeakPairChange

# One weak pair in a block: the other entity, the score and the interaction component in tenths
# (both under 10 and at most 100); the first entity is the block's.
WEAK_PAIR = np.dtype([("b", "<i4"), ("score", "u1"), ("interaction", "u1")])


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

    def keys(self, width: int) -> np.ndarray:
        return self.a * width + self.b

    def values(self) -> np.ndarray:
        """Score and interaction as one number, to compare pairs in one step."""
        return self.score.astype(np.int64) | (self.interaction.astype(np.int64) << 8)

    def take(self, where: np.ndarray) -> WeakPairs:
        return WeakPairs(self.a[where], self.b[where], self.score[where], self.interaction[where])


def _decode(entity_ids: list[int], blobs: list[bytes]) -> WeakPairs:
    if not blobs:
        return WeakPairs.empty()
    packed = np.frombuffer(b"".join(blobs), WEAK_PAIR)
    lengths = np.array([len(blob) // WEAK_PAIR.itemsize for blob in blobs], np.int64)
    return WeakPairs(
        a=np.repeat(np.array(entity_ids, np.int64), lengths),
        b=packed["b"].astype(np.int64),
        score=packed["score"].astype(np.int16),
        interaction=packed["interaction"].astype(np.int16),
    )


def _encode_by_entity(pairs: WeakPairs) -> list[tuple[int, bytes]]:
    """(entity a, its pairs packed) for each entity a in `pairs` (sorted by a)."""
    if len(pairs) == 0:
        return []
    if pairs.b.max() >= 2**31:
        raise ValueError("entity ids of 2**31 and over do not fit a weak pair block")
    packed = np.empty(len(pairs), WEAK_PAIR)
    packed["b"], packed["score"], packed["interaction"] = pairs.b, pairs.score, pairs.interaction
    data = packed.tobytes()
    starts = np.flatnonzero(np.concatenate(([True], pairs.a[1:] != pairs.a[:-1])))
    stops = np.append(starts[1:], len(pairs)) * WEAK_PAIR.itemsize
    return [
        (int(pairs.a[start]), data[start * WEAK_PAIR.itemsize : stop])
        for start, stop in zip(starts.tolist(), stops.tolist())
    ]


def current_weak_pairs() -> WeakPairs:
    rows = read_binary_rows(
        f"SELECT entity_a_id, pairs FROM {WeakPairBlock._meta.db_table} ORDER BY entity_a_id", ("int8", "bytes")
    )
    return _decode([a for a, _ in rows], [blob for _, blob in rows])


def weak_pair(a: int, b: int) -> tuple[int, int] | None:
    """(score, interaction) in tenths of the current weak pair (a, b), a < b; None if it is not one."""
    blob = WeakPairBlock.objects.filter(entity_a_id=a).values_list("pairs", flat=True).first()
    if blob is None:
        return None
    pairs = np.frombuffer(bytes(blob), WEAK_PAIR)
    at = np.searchsorted(pairs["b"], b)
    if at < len(pairs) and pairs["b"][at] == b:
        return int(pairs["score"][at]), int(pairs["interaction"][at])
    return None


def weak_pair_history(a: int, b: int) -> list[tuple[int, int]]:
    """(snapshot id, score in tenths; 0 when it left the weak pairs) for each recompute that changed
    the weak pair (a, b), a < b, oldest first."""
    out = []
    for snapshot_id, blob in WeakPairChange.objects.filter(entity_a_id=a).order_by("snapshot_id").values_list("snapshot_id", "pairs"):
        pairs = np.frombuffer(bytes(blob), WEAK_PAIR)
        at = np.searchsorted(pairs["b"], b)
        if at < len(pairs) and pairs["b"][at] == b:
            out.append((snapshot_id, int(pairs["score"][at])))
    return out


def touching(pairs: WeakPairs, scope: np.ndarray) -> np.ndarray:
    """Which pairs have an entity in `scope` (sorted ids)."""
    return in_sorted(pairs.a, scope) | in_sorted(pairs.b, scope)


def weak_pairs_write(*, snapshot, old: WeakPairs, new: WeakPairs, scope: np.ndarray | None, width: int) -> tuple[int, int]:
    """Store `new` as the weak pairs (all of them, or with `scope` those touching it) over `old`:
    rewrite the blocks of the entities whose weak pairs changed and record the changes.
    Returns (pairs changed, net change in the number of weak pairs)."""
    recomputed = np.ones(len(old), bool) if scope is None else touching(old, scope)
    before = old.take(recomputed)
    before_keys, new_keys = before.keys(width), new.keys(width)
    position = positions_in_sorted(before_keys, new_keys)  # both sorted
    found = position >= 0
    at = position[found]
    unchanged_new = np.zeros(len(new), bool)
    unchanged_new[at[new.values()[at] == before.values()[found]]] = True
    gone = before.take(~found)
    gone.score = np.zeros(len(gone), np.int16)
    gone.interaction = np.zeros(len(gone), np.int16)
    changes = _sorted_union(new.take(~unchanged_new), gone, width)
    if len(changes) == 0:
        return 0, 0
    entities = np.unique(changes.a)
    # the blocks of those entities as they are now: the pairs not recomputed, and the new ones
    state = _sorted_union(old.take(~recomputed & in_sorted(old.a, entities)), new.take(in_sorted(new.a, entities)), width)
    execute_for_ids(f"DELETE FROM {WeakPairBlock._meta.db_table} WHERE entity_a_id", entities.tolist())
    insert = copy_binary_rows if is_postgres() else _bulk_insert_named
    insert(WeakPairBlock, [("entity_a_id", "int8"), ("pairs", "bytes")], _encode_by_entity(state))
    insert(
        WeakPairChange,
        [("snapshot_id", "int8"), ("entity_a_id", "int8"), ("pairs", "bytes")],
        ((snapshot.pk, a, blob) for a, blob in _encode_by_entity(changes)),
    )
    return len(changes), len(new) - len(before)


def _bulk_insert_named(model, columns, rows) -> None:
    bulk_insert(model, [name for name, _ in columns], rows)


def _sorted_union(first: WeakPairs, second: WeakPairs, width: int) -> WeakPairs:
    """Two sets of distinct pairs as one, sorted by (a, b)."""
    if len(second) == 0:
        return first
    if len(first) == 0:
        return second
    both = WeakPairs(*(np.concatenate([getattr(first, f), getattr(second, f)]) for f in ("a", "b", "score", "interaction")))
    return both.take(np.argsort(both.keys(width), kind="stable"))
