"""Closeness of every pair of entities, from evidence, as of a reference date.

Contract (see docs/scoring.md for the reasoning and a worked example):

    closeness_scores(evidence, params, as_of, only_entities=None) -> PairScores

* Evidence dated after `as_of` is ignored; decay is measured from `as_of` (property 8).
* Four components, each in 0..10:
  - formal: noisy-or over non-money relationships, 10 * (1 - prod(1 - w_type * t)),
  - interaction: shared meetings, 10 * (1 - exp(-M / saturation)), M = sum over meetings of
    w_meeting_type * min(1, small_size / attendees) * t,
  - financial: money flowing either way, 10 * (1 - 1 / sqrt(1 + money * t / money_scale)),
  - analyst: the highest analyst rating of the pair's relationships, times t,
  where t = 0.5 ** (age / half_life) is the time factor: a relationship in force on `as_of` has
  age 0, an ended one ages from its end date, a one-off event and a meeting from their date.
  Formal, interaction and financial are each at most 10 * sqrt(t) of their freshest evidence
  (tie, shared meeting, payment): sums grow without bound (money, or the meetings of two large
  organisations), so without the cap enough evidence that stopped ten years ago (t ~ 0.001) would
  still make a pair `working` (property 4).
* score = 10 * (1 - prod over components of (1 - w_component * component / 10)), one decimal.

Guarantees, by construction: bounded (all terms in 0..1), symmetric (pairs are unordered),
monotone in added meetings, relationships and money (every term only grows with evidence),
no higher for older evidence (t falls with age), deterministic (no clock, no randomness),
never lower when a component rises. With the default weights no single component reaches
`close` (each weight < 0.8), so a formal tie alone or public forums alone never make a pair close.

Roll-up (property 6): at a meeting, an attendee also stands for every organisation it `leads`,
is a `member_of` or is `employed_by` on the meeting's date, so the chief's meeting with the board
chair counts toward the department-board pair.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from relationships.types import AFFILIATION_TYPES, MONEY_TYPES, ONE_OFF_TYPES

from .data import NO_START, Evidence, MeetingTable, PairScores, RelationshipColumns
from .parameters import ScoringParameters

_MAX_TIE_WEIGHT = 0.999  # keeps log(1 - w) finite


@dataclass
class RelationshipTerms:
    """Per pair with relationships (sorted keys a * width + b): the sums behind the formal, financial
    and analyst components, and the relationship ids behind them."""

    keys: np.ndarray  # int64, sorted
    formal_log: np.ndarray  # sum of log(1 - w_type * t) over non-money ties
    formal_fresh: np.ndarray  # max of t over the same ties (0 without any)
    money: np.ndarray  # sum of amount * t over money flowing either way
    money_fresh: np.ndarray  # max of t over the same payments (0 without any)
    analyst: np.ndarray  # max of analyst_score * t
    ids: np.ndarray  # relationship ids, grouped by pair (ids[bounds[i]:bounds[i + 1]] are pair i's)
    bounds: np.ndarray

    def ids_by_pair(self, positions: np.ndarray) -> list[tuple[int, ...]]:
        """The relationship ids (ascending) of the pairs at `positions`: sorted within their pairs
        in one step, then sliced (a sort per pair cost 0.3 s at 85,000 pairs)."""
        pair_of = np.repeat(np.arange(len(self.keys)), np.diff(self.bounds))
        ids = self.ids[np.lexsort((self.ids, pair_of))].tolist()
        bounds = self.bounds.tolist()
        return [tuple(ids[bounds[p] : bounds[p + 1]]) for p in positions.tolist()]


def relationship_terms(
    relationships: RelationshipColumns, params: ScoringParameters, ref_day: int, only: set[int] | None, width: int
) -> RelationshipTerms:
    """The relationship side of every pair, vectorised (a hundred thousand relationships).

    Time factor t = 0.5 ** (age / half_life): a relationship in force on `ref_day` has age 0, an
    ended one ages from its end date, a one-off event (`contributes_to`, `endorses`) from its date;
    one that starts after `ref_day` does not count. A relationship counts toward formal (a non-money
    type with a weight), financial (a money type with an amount) and analyst (a rating)."""
    r = relationships
    taken = r.source != r.target
    if only is not None:
        scope = np.array(sorted(only), dtype=np.int64)
        taken &= in_sorted(r.source, scope) | in_sorted(r.target, scope)
    if not taken.any():
        empty, zeros = np.zeros(0, np.int64), np.zeros(0)
        return RelationshipTerms(empty, zeros, zeros, zeros, zeros, zeros, empty, np.zeros(1, np.int64))
    ids, source, target, start, end = r.id[taken], r.source[taken], r.target[taken], r.start_day[taken], r.end_day[taken]
    amount, rating = r.amount[taken], r.rating[taken]
    weight = r.by_type(lambda t: min(params.relationship_type_weights.get(t, 0.0), _MAX_TIE_WEIGHT), float, taken)
    is_money = r.by_type(lambda t: t in MONEY_TYPES, bool, taken)
    one_off = r.by_type(lambda t: t in ONE_OFF_TYPES, bool, taken)

    started = start <= ref_day
    known_start = start != NO_START
    age = np.where(one_off, np.where(known_start, ref_day - start, 0), np.where(end >= ref_day, 0, ref_day - end))
    t = 0.5 ** (np.maximum(age, 0) / params.half_life_days)  # age < 0 only before a start: not counted
    formal = started & (weight > 0) & ~is_money
    money = started & is_money & (amount != 0)
    rated = started & (rating >= 0)
    counted = formal | money | rated

    keys = np.minimum(source, target) * width + np.maximum(source, target)
    order = np.flatnonzero(counted)
    order = order[np.argsort(keys[order], kind="stable")]  # grouped by pair, in input order within
    keys = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else np.zeros(0, np.int64)

    def per_pair(values: np.ndarray, reduce) -> np.ndarray:
        return reduce.reduceat(values[order], starts) if len(starts) else np.zeros(0)

    return RelationshipTerms(
        keys=keys[starts],
        formal_log=per_pair(np.where(formal, np.log1p(-weight * t), 0.0), np.add),
        formal_fresh=per_pair(np.where(formal, t, 0.0), np.maximum),
        money=per_pair(np.where(money, amount * t, 0.0), np.add),
        money_fresh=per_pair(np.where(money, t, 0.0), np.maximum),
        analyst=per_pair(np.where(rated, rating * t, 0.0), np.maximum),
        ids=ids[order],
        bounds=np.append(starts, len(order)),
    )


def freshness_cap(fresh: np.ndarray) -> np.ndarray:
    """The most a formal, interaction or financial component may be when its freshest evidence has
    time factor `fresh`: 10 * sqrt(t), 10 while a tie is in force or after a meeting today, 7.1
    one half-life after the last, 0.3 after ten. It grows with evidence (fresher evidence raises
    it) and falls with age, so properties 3 and 4 keep holding; it binds on what stopped long ago
    and was large (a grant of 30 million that ended ten years before scored 8.2 in financial:
    `working` on money alone)."""
    return 10.0 * np.sqrt(fresh)


def interaction_from_meetings(weights: list[float], latest_day: int | None, params: ScoringParameters, ref_day: int) -> tuple[float, float]:
    """A pair's interaction component from its shared meetings' weights (`meeting_weights`) and
    the day of the latest: (before the freshness cap, the cap). For the pair page, which lists
    the meetings; the engine computes the same in its compiled pass (`pair_product.scored_pairs`)."""
    uncapped = 10.0 * (1.0 - float(np.exp(-sum(weights) / params.interaction_saturation)))
    if latest_day is None:
        return uncapped, 0.0
    return uncapped, float(freshness_cap(day_time_factors(np.array([latest_day]), params, ref_day))[0])


def relationship_sums(terms: RelationshipTerms, params: ScoringParameters) -> tuple[np.ndarray, np.ndarray]:
    """(formal, financial) of each pair of `terms` before the freshness cap."""
    return 10.0 * (1.0 - np.exp(terms.formal_log)), 10.0 * (1.0 - 1.0 / np.sqrt(1.0 + terms.money / params.money_scale))


def relationship_components(terms: RelationshipTerms, params: ScoringParameters) -> tuple[np.ndarray, np.ndarray]:
    """(formal, financial) of each pair of `terms`, each 0..10."""
    formal, financial = relationship_sums(terms, params)
    return np.minimum(formal, freshness_cap(terms.formal_fresh)), np.minimum(financial, freshness_cap(terms.money_fresh))


def combined_score(components: dict[str, float], component_weights: dict[str, float]) -> float:
    """The score from its four components: 10 * (1 - prod(1 - w * component / 10)), within 0..10,
    before rounding. For explaining one pair; the engine computes the same for millions of pairs
    in its compiled pass (`pair_product.scored_pairs`), in the same order of factors."""
    remaining = 1.0 - component_weights["interaction"] * components["interaction"] / 10.0
    remaining = (1.0 - component_weights["formal"] * components["formal"] / 10.0) * remaining
    for name in ("financial", "analyst"):
        remaining *= 1.0 - component_weights[name] * components[name] / 10.0
    return min(max(10.0 * (1.0 - remaining), 0.0), 10.0)


def marked_ids(ids: np.ndarray, largest: int = 0) -> np.ndarray:
    """A lookup table by id, up to `largest` at least: True for the ids in `ids` (non-negative).
    Membership is then a gather, and the ids present, in order, a scan (`np.flatnonzero`): no
    sort and no binary search."""
    marked = np.zeros(max(largest, int(ids.max(initial=0))) + 1, bool)
    marked[ids] = True
    return marked


def in_sorted(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """`np.isin(values, sorted_keys)` for keys already sorted: a binary search per value instead of
    sorting both arrays together (millions of values against a few keys)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(values), bool)
    position = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return sorted_keys[position] == values


def tenths_half_up(values: np.ndarray) -> np.ndarray:
    """Values 0..10 in tenths, rounded half up (numpy's round is half-even, which surprises people),
    as int16: the form scores are stored in."""
    return np.floor(values * 10.0 + 0.5 + 1e-9).astype(np.int16)


def _affiliation_arrays(relationships: RelationshipColumns, ref_day: int):
    r = relationships
    taken = r.of_types(AFFILIATION_TYPES) & (r.start_day <= ref_day)
    return r.source[taken], r.target[taken], r.start_day[taken], r.end_day[taken]


def represented_rows(
    meetings: MeetingTable, relationships: RelationshipColumns, ref_day: int
) -> tuple[np.ndarray, np.ndarray]:
    """(meeting position, entity id) for every entity present at a meeting on or before `ref_day`,
    in person or through one of its people (roll-up); each pair appears once."""
    if len(meetings) == 0 or len(meetings.attendance_meeting) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty
    from .pair_product import present_rows  # compiled kernels: numba loads only where scores are computed

    return present_rows(
        meetings.attendance_meeting, meetings.attendance_entity, meetings.meeting_day, ref_day,
        _affiliation_arrays(relationships, ref_day),
    )


def day_time_factors(days: np.ndarray, params: ScoringParameters, ref_day: int) -> np.ndarray:
    """The time factor t of evidence dated on each of `days` (date.toordinal()); 0 after `ref_day`."""
    age = np.maximum(ref_day - days, 0).astype(float)
    t = 0.5 ** (age / params.half_life_days)
    t[days > ref_day] = 0.0
    return t


def meeting_weights(meetings: MeetingTable, params: ScoringParameters, ref_day: int, time_factors: np.ndarray | None = None) -> np.ndarray:
    """What one meeting says about two of its attendees: type x size discount x time factor."""
    n = len(meetings)
    if n == 0:
        return np.zeros(0)
    attendees = np.bincount(meetings.attendance_meeting, minlength=n).astype(float)
    size_factor = np.minimum(1.0, params.small_meeting_size / np.maximum(attendees, 1.0))
    type_weight = np.array([params.meeting_type_weights.get(t, 0.0) for t in meetings.meeting_type], dtype=float)
    if time_factors is None:
        time_factors = day_time_factors(meetings.meeting_day, params, ref_day)
    return type_weight * size_factor * time_factors


def meeting_weight_explained(meeting_type: str, day: int, attendees: int, params: ScoringParameters, ref_day: int) -> dict[str, float]:
    """What one meeting adds to each pair present at it, and why: the weight of its type, the size
    discount (meetings up to `small_meeting_size` attendees count in full), the time factor, and
    their product (as `meeting_weights` computes it for every meeting at once)."""
    table = MeetingTable(
        np.zeros(1, np.int64), np.array([day], np.int64), np.array([meeting_type], dtype=object),
        np.zeros(max(attendees, 0), np.int64), np.arange(max(attendees, 0), dtype=np.int64),
    )
    return {
        "type_weight": params.meeting_type_weights.get(meeting_type, 0.0),
        "size_factor": min(1.0, params.small_meeting_size / max(attendees, 1)),
        "time_factor": float(day_time_factors(np.array([day], np.int64), params, ref_day)[0]),
        "weight": float(meeting_weights(table, params, ref_day)[0]),
    }


def interaction_only_cutoff(params: ScoringParameters) -> float:
    """The meeting mass below which a pair with no relationship scores 0.0 at one decimal.

    Such pairs are dropped inside the pair product, which keeps memory bounded on large data."""
    weight = params.component_weights["interaction"]
    if weight <= 0:
        return np.inf
    fraction = 0.05 / (10.0 * weight)  # interaction-only score = weight x interaction
    if fraction >= 1:
        return np.inf
    return -params.interaction_saturation * np.log1p(-fraction) * 0.999


def _interaction_mass(
    evidence: Evidence,
    relationships: RelationshipColumns,
    params: ScoringParameters,
    ref_day: int,
    only: np.ndarray | None,
    rel_keys: np.ndarray,
    width: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every pair that met or has relationships: (entity a, entity b, the summed weight of the
    meetings at which both were present, the largest time factor among those meetings, where each
    of `rel_keys` is), a < b, sorted. With `only`,
    just the pairs that have at least one entity in `only`. Pairs whose mass is too small to score
    are dropped, unless their key is in `rel_keys` (sorted: the pairs that have relationships,
    which are all kept, with mass 0 if they never met).

    The product (entities x meetings) @ (meetings x entities) is computed row by row in compiled
    code (`pair_product.pair_masses`), over the upper triangle only: 83M products on the
    benchmark set, of which the 6.7M pairs that can score are kept, already in order."""
    rows_m, rows_e = represented_rows(evidence.meetings, relationships, ref_day)
    time_factors = day_time_factors(evidence.meetings.meeting_day, params, ref_day)
    weights = meeting_weights(evidence.meetings, params, ref_day, time_factors)
    keep_rows = weights[rows_m] > 0 if len(rows_m) else np.zeros(0, bool)
    rows_m, rows_e = rows_m[keep_rows], rows_e[keep_rows]
    if len(rows_m) == 0:
        return rel_keys // width, rel_keys % width, np.zeros(len(rel_keys)), np.zeros(len(rel_keys)), np.arange(len(rel_keys))
    # the entities present somewhere (sorting the 1.2M present rows to find them took 0.1 s)
    present = marked_ids(rows_e)
    ids = np.flatnonzero(present)
    # the relationship pairs between entities that were present somewhere, as positions in `ids`
    a, b = rel_keys // width, rel_keys % width
    both = in_sorted(a, ids) & in_sorted(b, ids)
    partners = (np.searchsorted(ids, a[both]), np.searchsorted(ids, b[both]))
    scope = None if only is None else in_sorted(ids, only)
    position_of = np.zeros(len(present), np.int64)  # entity id -> its place in `ids` (a gather, not a search)
    position_of[ids] = np.arange(len(ids))
    from .pair_product import pair_masses

    return pair_masses(
        rows_m, position_of[rows_e], weights, time_factors, ids, width, partners, interaction_only_cutoff(params), scope, rel_keys
    )


def _key_width(evidence: Evidence, relationships: RelationshipColumns) -> int:
    """One more than the largest entity id anywhere in the evidence."""
    largest = max((e.id for e in evidence.entities), default=0)
    largest = max(largest, int(relationships.source.max(initial=0)), int(relationships.target.max(initial=0)))
    if len(evidence.meetings.attendance_entity):
        largest = max(largest, int(evidence.meetings.attendance_entity.max()))
    return int(largest) + 1


def closeness_scores(
    evidence: Evidence,
    params: ScoringParameters,
    as_of: date,
    only_entities: set[int] | None = None,
) -> PairScores:
    """Score every pair with evidence, or only the pairs with at least one entity in `only_entities`
    (an incremental recompute: a change to an entity's evidence changes no pair without it)."""
    ref_day = as_of.toordinal()
    only = np.array(sorted(only_entities), dtype=np.int64) if only_entities is not None else None

    # pairs are encoded as one integer, a * width + b, so sorting and joining stay 1-D and fast
    relationships = evidence.relationship_table()
    width = _key_width(evidence, relationships)
    terms = relationship_terms(relationships, params, ref_day, only_entities, width)
    entity_a, entity_b, mass, fresh, rel_pos = _interaction_mass(evidence, relationships, params, ref_day, only, terms.keys, width)
    if len(entity_a) == 0:
        return PairScores.empty()

    w = params.component_weights
    formal, financial = relationship_components(terms, params)
    analyst_c = np.clip(terms.analyst, 0.0, 10.0)
    # Nearly every pair has meetings only: its other three components are 0, their factors exactly
    # 1.0, and the score reduces to the interaction factor. The pairs with relationships take all
    # four factors, multiplied in the same order, so both give the same floating-point result.
    decay = np.negative(mass, out=mass)  # in place: the masses are not needed after (53 MB at scale)
    np.divide(decay, params.interaction_saturation, out=decay)
    np.exp(decay, out=decay)
    interaction_cap = freshness_cap(fresh)
    del fresh
    # pairs scoring 0.0 are dropped: few (the pair product already left out those that cannot
    # score on meetings alone)
    from .pair_product import scored_pairs

    kept, score_t, interaction_t, kept_rel_pos, rel_kept = scored_pairs(
        entity_a, entity_b, decay, interaction_cap, float(w["interaction"]), rel_pos,
        1.0 - w["formal"] * formal / 10.0, 1.0 - w["financial"] * financial / 10.0, 1.0 - w["analyst"] * analyst_c / 10.0,
    )
    del decay, interaction_cap
    entity_a, entity_b = entity_a[:kept], entity_b[:kept]
    relationship_tenths = np.stack(
        [tenths_half_up(values[rel_kept]) for values in (formal, financial, analyst_c)], axis=1
    ).reshape(len(rel_kept), 3)
    return PairScores(
        entity_a=entity_a,
        entity_b=entity_b,
        score_tenths=score_t,
        interaction_tenths=interaction_t,
        relationship_positions=kept_rel_pos,
        relationship_tenths=relationship_tenths,
        relationship_evidence=terms.ids_by_pair(rel_kept),
    )


def shared_meetings_for_pair(
    evidence: Evidence, params: ScoringParameters, as_of: date, a: int, b: int
) -> list[tuple[int, float]]:
    """The meetings behind a pair's interaction component: (meeting id, weight), newest first."""
    ref_day = as_of.toordinal()
    rows_m, rows_e = represented_rows(evidence.meetings, evidence.relationship_table(), ref_day)
    at_a = set(rows_m[rows_e == a].tolist())
    at_b = set(rows_m[rows_e == b].tolist())
    weights = meeting_weights(evidence.meetings, params, ref_day)
    both = sorted(at_a & at_b, key=lambda m: (-evidence.meetings.meeting_day[m], evidence.meetings.meeting_id[m]))
    return [(int(evidence.meetings.meeting_id[m]), float(weights[m])) for m in both if weights[m] > 0]
