"""The meeting mass of every pair: the product (entities x meetings) @ (meetings x entities),
computed row by row in compiled code (numba) instead of as sparse matrices.

For each entity row i the kernel adds each of its meetings' weight to every other entity present
(a dense accumulator per entity, holding the mass and the freshest meeting's time factor, and the
list of entities it touched), then emits the touched entities that can score, in order (through a
bitset). A full product visits only the
entities after i in each meeting (the upper triangle: 83M products on the benchmark set), so pairs
come out already sorted by (a, b) and need no sort of millions afterwards; the masses are summed
meeting by meeting in ascending meeting order, as the sparse product did, so the floating-point
results are the same. Rows run on two threads; the roll-up of attendance (`present_rows`) too.

Pure: arrays in, arrays out; no database, clock or settings. Compiled on first use and cached on
disk (`cache=True`) next to this file.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

# Rows are split between this many threads (the kernel releases the GIL): the machines this runs
# on have two cores, and more threads than cores only adds overhead.
THREADS = 2
# ... in this many parts per thread, of about equal estimated work, taken in turn by whichever
# thread is free: a row's cost also depends on how many pairs it keeps, which the estimate cannot
# know, and two parts of "equal" work took 0.46 s and 0.65 s.
PARTS_PER_THREAD = 8


# The index of a 64-bit word's only set bit: multiplied by a de Bruijn constant, its top six bits
# are distinct for each of the 64 positions.
_DE_BRUIJN = np.uint64(0x03F79D71B4CB0A89)
_BIT_INDEX = np.zeros(64, np.int64)
for _position in range(64):
    _BIT_INDEX[(((1 << _position) * int(_DE_BRUIJN)) % (1 << 64)) >> 58] = _position


@njit(cache=True, nogil=True)
def _pairs_of_rows(
    rows, entity_ptr, entity_meetings, meeting_weight, meeting_fresh, meeting_ptr, meeting_entities,
    partner_ptr, partners, in_scope, scoped, cutoff, capacity,
):
    """The pairs of `rows`, row by row: (pairs per row, second entity, mass, the largest
    `meeting_fresh` of the pair's meetings), in row order and ascending second entity within a row.

    A pair (i, j) is kept when its mass reaches `cutoff` (it can score on its meetings alone), or
    when j is one of i's relationship partners. Without a scope, only j > i; with one, each pair
    once: from the row of its lower entity when both are in the scope."""
    n = len(entity_ptr) - 1
    # per entity: (mass, freshest meeting) side by side, so that a product touches one cache line
    accumulated = np.zeros((n, 2))
    touched = np.empty(n + 1, np.int64)  # + 1: j is written before it is counted
    is_partner = np.zeros(n, np.bool_)
    bits = np.zeros((n >> 6) + 1, np.uint64)
    counts = np.zeros(len(rows), np.int64)
    out_j = np.empty(capacity, np.int64)
    out_mass = np.empty(capacity)
    out_fresh = np.empty(capacity)
    total = 0
    for r in range(len(rows)):
        i = rows[r]
        n_touched = 0
        for k in range(entity_ptr[i], entity_ptr[i + 1]):
            m = entity_meetings[k]
            weight = meeting_weight[m]
            fresh = meeting_fresh[m]
            start, stop = meeting_ptr[m], meeting_ptr[m + 1]
            if not scoped:
                # the meeting's entities are sorted: skip to the first one after i
                start += np.searchsorted(meeting_entities[start:stop], i, side="right")
            for p in range(start, stop):
                j = meeting_entities[p]
                if scoped and (j == i or (j < i and in_scope[j])):
                    continue
                # without a branch: always note j, count it only on its first touch (a branch on
                # that was often mispredicted: the kernel took 10-20% longer)
                touched[n_touched] = j
                n_touched += accumulated[j, 0] == 0.0
                accumulated[j, 0] += weight
                accumulated[j, 1] = max(accumulated[j, 1], fresh)
        # keep what can score (sorting every touched entity cost 1.5 s)
        for q in range(partner_ptr[i], partner_ptr[i + 1]):
            is_partner[partners[q]] = True
        n_kept = 0
        for t in range(n_touched):
            j = touched[t]
            if accumulated[j, 0] >= cutoff or is_partner[j]:
                touched[n_kept] = j
                n_kept += 1
            else:
                accumulated[j, 0] = 0.0
                accumulated[j, 1] = 0.0
        for q in range(partner_ptr[i], partner_ptr[i + 1]):
            is_partner[partners[q]] = False
        if total + n_kept > len(out_j):
            grown = max(2 * len(out_j), total + n_kept)
            out_j = np.concatenate((out_j[:total], np.empty(grown - total, np.int64)))
            out_mass = np.concatenate((out_mass[:total], np.empty(grown - total)))
            out_fresh = np.concatenate((out_fresh[:total], np.empty(grown - total)))
        # emit the kept entities in ascending order through a bitset over the entities rather
        # than a sort per row (sorting was a third of this kernel's time): set their bits, then
        # walk the words between the lowest and the highest, lowest set bit first
        low_word, high_word = len(bits), -1
        for t in range(n_kept):
            word = touched[t] >> 6
            bits[word] |= np.uint64(1) << np.uint64(touched[t] & 63)
            low_word = min(low_word, word)
            high_word = max(high_word, word)
        at = total
        for word in range(low_word, high_word + 1):
            remaining = bits[word]
            while remaining:
                lowest = remaining & (~remaining + np.uint64(1))
                j = (word << 6) + _BIT_INDEX[(lowest * _DE_BRUIJN) >> np.uint64(58)]
                out_j[at] = j
                out_mass[at] = accumulated[j, 0]
                out_fresh[at] = accumulated[j, 1]
                accumulated[j, 0] = 0.0
                accumulated[j, 1] = 0.0
                at += 1
                remaining ^= lowest
            bits[word] = 0
        total += n_kept
        counts[r] = n_kept
    return counts, out_j[:total], out_mass[:total], out_fresh[:total]  # views: the caller copies them out once


@njit(cache=True, nogil=True)
def _grouped(groups, members, n_groups):
    """Index pointers and members grouped by `groups` (a counting sort: stable, linear)."""
    pointers = np.zeros(n_groups + 1, np.int64)
    for g in groups:
        pointers[g + 1] += 1
    for g in range(n_groups):
        pointers[g + 1] += pointers[g]
    filled = pointers[:-1].copy()
    out = np.empty(len(members), np.int64)
    for k in range(len(groups)):
        out[filled[groups[k]]] = members[k]
        filled[groups[k]] += 1
    return pointers, out


@njit(cache=True, nogil=True)
def _part_keys(rows, counts, j, ids, width, ordered):
    """One part's pairs as keys ids[low] * width + ids[high] (`ordered`: the row is always the lower)."""
    keys = np.empty(len(j), np.int64)
    k = 0
    for r in range(len(rows)):
        i = rows[r]
        for _ in range(counts[r]):
            other = j[k]
            if ordered or i < other:
                keys[k] = ids[i] * width + ids[other]
            else:
                keys[k] = ids[other] * width + ids[i]
            k += 1
    return keys


@njit(cache=True, nogil=True)
def _emit_merged(out_a, out_b, out_mass, out_fresh, at, keys, mass, fresh, width, extra, e, extra_at, last):
    """Write the pairs of `keys` (sorted, after those already written) from `at` as entity a,
    entity b, mass and freshness, merging in the `extra` keys (sorted) from `e` that come before each, and with
    `last` all that remain: an extra key not among them with mass 0, and each extra key's position
    noted in `extra_at`. Returns the next output position and the next extra key. One pass, where
    inserting the extra keys and then splitting every key into its two entities made three copies
    of millions of pairs."""
    for k in range(len(keys) + 1):
        if k == len(keys) and not last:
            break
        key = keys[k] if k < len(keys) else np.iinfo(np.int64).max
        while e < len(extra) and extra[e] < key:
            out_a[at], out_b[at], out_mass[at], out_fresh[at] = extra[e] // width, extra[e] % width, 0.0, 0.0
            extra_at[e] = at
            at += 1
            e += 1
        if k == len(keys):
            break
        if e < len(extra) and extra[e] == key:
            extra_at[e] = at
            e += 1
        out_a[at], out_b[at], out_mass[at], out_fresh[at] = key // width, key % width, mass[k], fresh[k]
        at += 1
    return at, e


def _split_by_work(rows: np.ndarray, work: np.ndarray, parts: int) -> list[np.ndarray]:
    """`rows` in up to `parts` consecutive runs of about equal work."""
    if len(rows) == 0:
        return []
    cumulative = np.cumsum(work)
    edges = np.searchsorted(cumulative, cumulative[-1] * np.arange(1, parts) / parts)
    bounds = np.unique(np.concatenate([[0], edges, [len(rows)]]))
    return [rows[a:b] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def pair_masses(
    present_meeting: np.ndarray,
    present_entity: np.ndarray,
    meeting_weight: np.ndarray,
    meeting_fresh: np.ndarray,
    ids: np.ndarray,
    width: int,
    partner_pairs: tuple[np.ndarray, np.ndarray],
    cutoff: float,
    scope: np.ndarray | None = None,
    extra_keys: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of entities present together at a meeting, with the summed weight of those meetings:
    (entity a, entity b, mass, freshness, where each extra key is), a < b, sorted by (a, b). A
    pair's freshness is the largest `meeting_fresh` of the meetings both attended (0 for an extra
    key that never met).

    Entities are positions into `ids` (ascending entity ids): `present_meeting`/`present_entity`
    have one row per (meeting, entity position) present, no duplicates, and every meeting weight
    above 0. `partner_pairs`: positions (i, j) of the pairs with relationships, kept even when their
    mass is below `cutoff`. With `scope` (a bool per position), only the pairs with at least one
    entity in it. `extra_keys` (sorted keys a * width + b, e.g. every pair with relationships) are
    pairs to include whether or not they met (with mass 0 when they did not); the last array gives
    each one's position in the output."""
    n_entities = len(ids)
    n_meetings = len(meeting_weight)
    present_meeting = present_meeting.astype(np.int64, copy=False)
    present_entity = present_entity.astype(np.int64, copy=False)
    # meetings -> their entities in ascending order; entities -> their meetings in ascending order
    key = present_meeting * n_entities + present_entity
    if np.any(key[1:] < key[:-1]):
        order = np.argsort(key, kind="stable")
        present_meeting, present_entity = present_meeting[order], present_entity[order]
    meeting_ptr, meeting_entities = _grouped(present_meeting, present_entity, n_meetings)
    entity_ptr, entity_meetings = _grouped(present_entity, present_meeting, n_entities)
    first, second = partner_pairs
    both_ways_i = np.concatenate([first, second]).astype(np.int64)
    both_ways_j = np.concatenate([second, first]).astype(np.int64)
    partner_ptr, partners = _grouped(both_ways_i, both_ways_j, n_entities)

    scoped = scope is not None
    in_scope = scope if scoped else np.zeros(n_entities, bool)
    rows = np.flatnonzero(in_scope) if scoped else np.arange(n_entities, dtype=np.int64)
    # a row's work: the sizes of its meetings, or without a scope the entities after it in each (the
    # upper triangle: counting whole meetings gave the first thread twice the second's work)
    if scoped:
        visited = np.diff(meeting_ptr)[present_meeting]
    else:  # present rows are sorted by (meeting, entity): those after row k in its meeting
        visited = meeting_ptr[present_meeting + 1] - np.arange(1, len(present_entity) + 1)
    work = np.bincount(present_entity, weights=visited, minlength=n_entities)[rows] + 1
    parts = _split_by_work(rows, work, THREADS * PARTS_PER_THREAD)
    arrays = (entity_ptr, entity_meetings, meeting_weight.astype(np.float64), meeting_fresh.astype(np.float64), meeting_ptr, meeting_entities, partner_ptr, partners, in_scope, scoped, float(cutoff))

    def pairs_of(part):
        return _pairs_of_rows(part, *arrays, max(1024, len(part) * 64))

    with ThreadPoolExecutor(max_workers=max(1, min(THREADS, len(parts)))) as pool:
        results = list(pool.map(pairs_of, parts))
    ids, width = ids.astype(np.int64, copy=False), int(width)
    extra = np.zeros(0, np.int64) if extra_keys is None else extra_keys.astype(np.int64, copy=False)
    size = sum(len(j) for _, j, _, _ in results) + len(extra)  # at most: an extra key may be a meeting pair
    out_a, out_b, out_mass, out_fresh = np.empty(size, np.int64), np.empty(size, np.int64), np.empty(size), np.empty(size)
    extra_at = np.empty(len(extra), np.int64)
    done = e = 0
    if scoped:  # a row in the scope may be the higher entity of its pairs: sort them first
        keys = np.concatenate([_part_keys(part, counts, j, ids, width, False) for part, (counts, j, _, _) in zip(parts, results)] or [np.zeros(0, np.int64)])
        mass = np.concatenate([mass for _, _, mass, _ in results] or [np.zeros(0)])
        fresh = np.concatenate([fresh for _, _, _, fresh in results] or [np.zeros(0)])
        order = np.argsort(keys, kind="stable")
        runs = [(keys[order], mass[order], fresh[order])]
    else:  # in row order the pairs are sorted already: part by part
        runs = ((_part_keys(part, counts, j, ids, width, True), mass, fresh) for part, (counts, j, mass, fresh) in zip(parts, results))
    for keys, mass, fresh in runs:
        done, e = _emit_merged(out_a, out_b, out_mass, out_fresh, done, keys, mass, fresh, width, extra, e, extra_at, False)
    done, e = _emit_merged(out_a, out_b, out_mass, out_fresh, done, np.zeros(0, np.int64), np.zeros(0), np.zeros(0), width, extra, e, extra_at, True)
    del results
    return out_a[:done], out_b[:done], out_mass[:done], out_fresh[:done], extra_at


@njit(cache=True, nogil=True)
def pack_by_bucket(a, b, score, interaction, selected, bucket_bits):
    """The `selected` pairs (sorted by a) packed 7 bytes each, as the weak-pair blocks store them:
    a's low `bucket_bits` bits (u1), b (little-endian int32), score and interaction (u1 each).
    Returns (bytes, the buckets a >> bucket_bits present, each bucket's first pair and one past the
    last): one pass over millions of pairs, where numpy made a copy of every column first."""
    n = 0
    for i in range(len(a)):
        if selected[i]:
            n += 1
    data = np.empty(n * 7, np.uint8)
    buckets = np.empty(n, np.int64)
    bounds = np.empty(n + 1, np.int64)
    low = (1 << bucket_bits) - 1
    k = 0
    n_buckets = 0
    for i in range(len(a)):
        if not selected[i]:
            continue
        bucket = a[i] >> bucket_bits
        if n_buckets == 0 or buckets[n_buckets - 1] != bucket:
            buckets[n_buckets] = bucket
            bounds[n_buckets] = k
            n_buckets += 1
        at = 7 * k
        data[at] = a[i] & low
        value = b[i]
        data[at + 1] = value & 0xFF
        data[at + 2] = (value >> 8) & 0xFF
        data[at + 3] = (value >> 16) & 0xFF
        data[at + 4] = (value >> 24) & 0xFF
        data[at + 5] = score[i]
        data[at + 6] = interaction[i]
        k += 1
    bounds[n_buckets] = k
    return data, buckets[:n_buckets].copy(), bounds[: n_buckets + 1].copy()


@njit(cache=True, nogil=True)
def unpack_touching(data, buckets, bounds, marked, bucket_bits):
    """The pairs packed as `pack_by_bucket` makes them (records `bounds[k]:bounds[k + 1]` of `data`
    are bucket `buckets[k]`'s) that have an entity marked in `marked` (a bool per entity id; ids
    past its end are not marked), decoded: (a, b, score, interaction). Two passes over the bytes,
    counting then filling, where decoding every pair to select a few took 0.3 s of an
    incremental recompute (6M weak pairs)."""
    n_marked = len(marked)

    def touches(k, record):
        at = 7 * record
        a = (buckets[k] << bucket_bits) | np.int64(data[at])
        b = np.int64(data[at + 1]) | (np.int64(data[at + 2]) << 8) | (np.int64(data[at + 3]) << 16) | (np.int64(data[at + 4]) << 24)
        return (a < n_marked and marked[a]) or (b < n_marked and marked[b]), a, b

    n = 0
    for k in range(len(buckets)):
        for record in range(bounds[k], bounds[k + 1]):
            n += touches(k, record)[0]
    a_out = np.empty(n, np.int64)
    b_out = np.empty(n, np.int64)
    score = np.empty(n, np.int16)
    interaction = np.empty(n, np.int16)
    n = 0
    for k in range(len(buckets)):
        for record in range(bounds[k], bounds[k + 1]):
            hit, a, b = touches(k, record)
            if hit:
                a_out[n], b_out[n] = a, b
                score[n], interaction[n] = data[7 * record + 5], data[7 * record + 6]
                n += 1
    return a_out, b_out, score, interaction


@njit(cache=True, nogil=True)
def _packed_key(data, record):
    """(a's low bits, b) of a packed record as one ordered integer."""
    at = 7 * record
    b = np.int64(data[at + 1]) | (np.int64(data[at + 2]) << 8) | (np.int64(data[at + 3]) << 16) | (np.int64(data[at + 4]) << 24)
    return (np.int64(data[at]) << 32) | b


@njit(cache=True, nogil=True)
def changed_packed(old, old_bounds, new, new_bounds):
    """The pairs that differ between two sets of pairs packed as `pack_by_bucket` makes them, in
    one merge pass bucket by bucket, without decoding them: records `old_bounds[k]:old_bounds[k + 1]`
    of `old` and those of `new` are bucket k's (each sorted by (a, b)). Returns the record of each
    new or changed pair, and of each vanished one with score and interaction 0, packed the same
    way, and each bucket's first change record and one past the last."""
    out = np.empty(len(old) + len(new), np.uint8)
    out_bounds = np.empty(len(old_bounds), np.int64)
    n = 0
    for k in range(len(old_bounds) - 1):
        out_bounds[k] = n
        i, i_end = old_bounds[k], old_bounds[k + 1]
        j, j_end = new_bounds[k], new_bounds[k + 1]
        while i < i_end or j < j_end:
            if j == j_end:
                take_old, take_new = True, False
            elif i == i_end:
                take_old, take_new = False, True
            else:
                old_key, new_key = _packed_key(old, i), _packed_key(new, j)
                take_old, take_new = old_key <= new_key, new_key <= old_key
            if take_old and take_new:  # the same pair: a change if its values differ
                if old[7 * i + 5] != new[7 * j + 5] or old[7 * i + 6] != new[7 * j + 6]:
                    out[7 * n : 7 * n + 7] = new[7 * j : 7 * j + 7]
                    n += 1
                i += 1
                j += 1
            elif take_new:
                out[7 * n : 7 * n + 7] = new[7 * j : 7 * j + 7]
                n += 1
                j += 1
            else:  # vanished: the pair with zeros
                out[7 * n : 7 * n + 5] = old[7 * i : 7 * i + 5]
                out[7 * n + 5] = 0
                out[7 * n + 6] = 0
                n += 1
                i += 1
    out_bounds[len(old_bounds) - 1] = n
    return out[: 7 * n].copy(), out_bounds


@njit(cache=True, nogil=True)
def _present_rows(meeting_ptr, attendees, meeting_day, ref_day, affiliation_ptr, affiliation_target, affiliation_start,
                  affiliation_end, n_ids, first_meeting, stop_meeting):
    """(meeting, entity) for every entity present at each meeting from `first_meeting` up to
    `stop_meeting` held by `ref_day`: its attendees and the organisations they were affiliated with
    on the meeting's day, once each, sorted."""
    seen = np.zeros(n_ids, np.int64)  # the meeting (+1) that last listed an entity
    capacity = 2 * (meeting_ptr[stop_meeting] - meeting_ptr[first_meeting]) + 16
    out_m = np.empty(capacity, np.int64)
    out_e = np.empty(capacity, np.int64)
    here = np.empty(n_ids, np.int64)
    total = 0
    for m in range(first_meeting, stop_meeting):
        day = meeting_day[m]
        if day > ref_day:
            continue
        count = 0
        for k in range(meeting_ptr[m], meeting_ptr[m + 1]):
            person = attendees[k]
            if seen[person] != m + 1:
                seen[person] = m + 1
                here[count] = person
                count += 1
            for a in range(affiliation_ptr[person], affiliation_ptr[person + 1]):
                organisation = affiliation_target[a]
                if affiliation_start[a] <= day <= affiliation_end[a] and seen[organisation] != m + 1:
                    seen[organisation] = m + 1
                    here[count] = organisation
                    count += 1
        if total + count > capacity:
            capacity = max(2 * capacity, total + count)
            out_m = np.concatenate((out_m[:total], np.empty(capacity - total, np.int64)))
            out_e = np.concatenate((out_e[:total], np.empty(capacity - total, np.int64)))
        ordered = np.sort(here[:count])
        for t in range(count):
            out_m[total + t] = m
            out_e[total + t] = ordered[t]
        total += count
    return out_m[:total].copy(), out_e[:total].copy()


def present_rows(
    attendance_meeting: np.ndarray, attendance_entity: np.ndarray, meeting_day: np.ndarray, ref_day: int,
    affiliations: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """(meeting position, entity id) for every entity present at a meeting on or before `ref_day`,
    in person or through an organisation one of its attendees was affiliated with on the day
    (`affiliations`: person, organisation, first and last day); each pair once, sorted."""
    source, target, start, end = (np.asarray(column, np.int64) for column in affiliations)
    n_ids = int(max(attendance_entity.max(initial=-1), target.max(initial=-1), source.max(initial=-1))) + 1
    meeting_ptr, attendees = _grouped(attendance_meeting.astype(np.int64), attendance_entity.astype(np.int64), len(meeting_day))
    affiliation_ptr, by_person = _grouped(source, np.arange(len(source), dtype=np.int64), n_ids)
    arrays = (meeting_ptr, attendees, meeting_day.astype(np.int64), ref_day, affiliation_ptr, target[by_person],
              start[by_person], end[by_person], n_ids)
    # meetings are independent: one run of them per thread, of about equal attendance
    n_meetings = len(meeting_day)
    bounds = np.unique(np.concatenate([[0], np.searchsorted(meeting_ptr, meeting_ptr[-1] * np.arange(1, THREADS) / THREADS), [n_meetings]]))
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        parts = list(pool.map(lambda run: _present_rows(*arrays, *run), zip(bounds[:-1].tolist(), bounds[1:].tolist())))
    if len(parts) <= 1:
        return parts[0] if parts else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    return np.concatenate([m for m, _ in parts]), np.concatenate([e for _, e in parts])


@njit(cache=True, nogil=True)
def scored_pairs(entity_a, entity_b, decay, interaction_cap, interaction_weight, relationship_positions, formal_factor, financial_factor, analyst_factor):
    """Each pair's score and interaction component in tenths (rounded half up), in one pass over
    millions of pairs where numpy made a dozen, dropping the pairs that score 0.0 as it goes.

    `decay` is exp(-mass / saturation) per pair (numpy's exp, so the results are those of the array
    code it replaced, bit for bit), and `interaction_cap` the most each pair's interaction may be
    (closeness.freshness_cap of its freshest meeting); the pairs at `relationship_positions` (ascending) also take
    their other three factors, multiplied in the same order as before. `entity_a` and `entity_b`
    are compacted in place (a separate masked copy of the arrays cost more than the scoring).

    Returns the number of pairs kept (the first ones of `entity_a` and `entity_b` now), their
    scores and interaction components, and of the relationship pairs kept, their new positions and
    their indexes into `relationship_positions`."""
    n = len(decay)
    n_rel = len(relationship_positions)
    score_out = np.empty(n, np.int16)
    interaction_out = np.empty(n, np.int16)
    rel_moved_to = np.empty(n_rel, np.int64)
    rel_kept = np.empty(n_rel, np.int64)
    r = 0
    kept = 0
    kept_rel = 0
    for p in range(n):
        interaction = min(10.0 * (1.0 - decay[p]), interaction_cap[p])
        remaining = 1.0 - interaction_weight * interaction / 10.0
        has_relationships = r < n_rel and relationship_positions[r] == p
        if has_relationships:
            remaining = formal_factor[r] * remaining * financial_factor[r] * analyst_factor[r]
        score = np.floor(min(max(10.0 * (1.0 - remaining), 0.0), 10.0) * 10.0 + 0.5 + 1e-9)
        if score > 0:
            if has_relationships:
                rel_moved_to[kept_rel] = kept
                rel_kept[kept_rel] = r
                kept_rel += 1
            entity_a[kept] = entity_a[p]
            entity_b[kept] = entity_b[p]
            score_out[kept] = score
            interaction_out[kept] = np.floor(interaction * 10.0 + 0.5 + 1e-9)
            kept += 1
        if has_relationships:
            r += 1
    return kept, score_out[:kept], interaction_out[:kept], rel_moved_to[:kept_rel], rel_kept[:kept_rel]


def warm_up() -> None:
    """Compile every kernel on a tiny example, so that numba's on-disk cache is filled (an image
    build runs this; otherwise the first recompute of each new installation compiles them)."""
    present = (np.array([0, 0, 1], np.int64), np.array([0, 1, 1], np.int64))
    ids, extra = np.arange(2, dtype=np.int64), np.array([1], np.int64)
    pair_masses(*present, np.ones(2), np.ones(2), ids, 2, (np.zeros(0, np.int64), np.zeros(0, np.int64)), 0.0, None, extra)
    pair_masses(*present, np.ones(2), np.ones(2), ids, 2, (np.zeros(0, np.int64), np.zeros(0, np.int64)), 0.0, np.array([True, False]), extra)
    present_rows(*present, np.zeros(2, np.int64), 0, (np.zeros(0, np.int64),) * 4)
    pairs = (np.zeros(1, np.int64), np.ones(1, np.int64), np.ones(1, np.int16), np.ones(1, np.int16))
    one = pack_by_bucket(*pairs, np.ones(1, np.bool_), 5)
    # the stored blocks arrive read-only (np.frombuffer over bytes), which numba compiles apart
    stored = np.frombuffer(one[0].tobytes(), np.uint8)
    for data in (one[0], stored):
        changed_packed(data, one[2], data, one[2])
        unpack_touching(data, one[1], one[2], np.ones(2, np.bool_), 5)
    scored_pairs(np.zeros(1, np.int64), np.ones(1, np.int64), np.ones(1), np.ones(1), 0.5, np.zeros(0, np.int64), np.ones(0), np.ones(0), np.ones(0))
