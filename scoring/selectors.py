"""Reads of current closeness for pages: queries in, rows out (no scoring here)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import connection
from django.db.models import BigIntegerField, Count, Exists, ExpressionWrapper, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, Least, NullIf

from core.bulk import in_ids_sql
from core.dates import days_before
from core.workers import BackgroundHeard, background_heard
from entities.models import Entity
from entities.kinds import is_person_kind
from relationships.models import Relationship
from relationships.types import AFFILIATION_ROLES, AFFILIATION_TYPES

from .engine.parameters import CLOSE_BAND, CLOSE_TENTHS, COMPONENTS, WORKING_TENTHS, band_numbers
from .models import LISTED_TENTHS, BandCrossing, ClosenessSnapshot, OwedRecompute, PairScore, PairScoreVersion, SettingsChange
from .weak_pairs import current_weak_pairs, weak_pair, weak_pair_history

BAND_TENTHS = {"distant": (0, 39), "working": (40, 79), "close": (80, 100)}

# the nightly recompute (beat, 03:00) computes the scores every day: older ones, with two hours'
# grace, mean it has not run
NIGHTLY_LATE = timedelta(hours=26)


def computed_too_long_ago(snapshot: ClosenessSnapshot | None, now: datetime) -> bool:
    """Whether the current scores were computed so long ago that the nightly recompute has not run
    since (beat or the workers stopped): their time decay and the flags hang on a day gone by."""
    return snapshot is not None and snapshot.finished_at is not None and snapshot.finished_at < now - NIGHTLY_LATE


# a recompute still "running" after this long died without saying so (its worker killed)
RUNNING_DEAD_AFTER = timedelta(hours=1)


def running_recompute(now: datetime) -> ClosenessSnapshot | None:
    """The recompute running now, if any (not one dead for over an hour)."""
    return ClosenessSnapshot.objects.filter(
        status=ClosenessSnapshot.Status.RUNNING, started_at__gte=now - RUNNING_DEAD_AFTER).order_by("-id").first()


def failure_since(snapshot: ClosenessSnapshot | None) -> ClosenessSnapshot | None:
    """The last recompute, when it failed after the current scores were computed."""
    failure = ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.FAILED).order_by("-id").first()
    return failure if failure is not None and (snapshot is None or failure.pk > snapshot.pk) else None


@dataclass(frozen=True)
class ChangesWaiting:
    """Changes saved that no worker is scoring (`OwedRecompute.objects.waiting`)."""

    since: datetime  # when the oldest was saved
    unsent: bool  # the task queue could not be reached to send a recompute of some of them


def changes_waiting(now: datetime, workers_silent: bool = False) -> ChangesWaiting | None:
    """The changes whose recompute no worker is running, if any: since when, and whether the task
    queue refused some of their recomputes (what the banner and the status API say of them). While
    no worker runs (`workers_silent`, core.workers), every change owed, however recent."""
    owed = OwedRecompute.objects.all() if workers_silent else OwedRecompute.objects.waiting(now)
    waiting = owed.aggregate(since=Min("created_at"), unsent=Count("id", filter=Q(sent=False)))
    return None if waiting["since"] is None else ChangesWaiting(since=waiting["since"], unsent=bool(waiting["unsent"]))


def changes_waiting_because(*, waiting: ChangesWaiting, heard: BackgroundHeard | None, failing: bool) -> list[str]:
    """Why changes wait, as far as the app can tell (`WAITING_BECAUSE`), any of: the task queue
    refused their recompute when they were saved; no worker has taken any work for five minutes;
    beat, which sends the workers the heartbeat and retries the recomputes refused, has sent
    nothing for five (core.workers.BackgroundHeard; no workers to hear from: `heard` None); a
    recompute failed since the current scores. None of them: a worker has the recompute but has
    not run it (busy, or its task lost)."""
    return [reason for reason, holds in (
        ("task_queue_unreachable", waiting.unsent), ("workers_silent", heard is not None and heard.workers_silent),
        ("beat_silent", heard is not None and heard.beat_silent), ("recompute_failing", failing),
    ) if holds]


WAITING_BECAUSE = {
    "task_queue_unreachable": "the background workers' task queue could not be reached when they were saved",
    "workers_silent": "no background worker has taken any work for over five minutes (the workers are stopped, or every one is busy "
                      "with long work)",
    "beat_silent": "beat, which sends the workers work every minute and sends again what the task queue refused, has sent nothing "
                   "for over five minutes (it is stopped or cannot reach the task queue)",
    "recompute_failing": "the last recompute failed (the overview names its error)",
}


def scoring_status(now: datetime) -> dict:
    """How current the scores are, for people and for monitoring (`/api/scoring/status/`, the
    `scoring_status` command): the current scores, whether the nightly recompute has not renewed
    them for over a day, the recompute running, the last one if it failed since, since when changes
    wait that no worker is scoring and why, and when a worker last took work and beat last sent
    some."""
    from .services import current_snapshot

    current = current_snapshot()
    heard = background_heard(now)
    running, failure = running_recompute(now), failure_since(current)
    waiting = changes_waiting(now, workers_silent=heard is not None and heard.workers_silent)
    return {
        "scores": None if current is None else {
            "as_of": current.as_of, "computed_at": current.finished_at, "scope": current.scope, "pairs": current.pairs_current,
            "flags_raised": current.flags_raised,
        },
        "computed_too_long_ago": computed_too_long_ago(current, now),
        "running": None if running is None else {"as_of": running.as_of, "scope": running.scope, "started_at": running.started_at},
        "last_failure": None if failure is None else {"started_at": failure.started_at, "error": failure.error},
        "changes_waiting_since": None if waiting is None else waiting.since,
        "changes_waiting_because": [] if waiting is None else changes_waiting_because(
            waiting=waiting, heard=heard, failing=failure is not None),
        "workers": {"expected": False, "last_seen": None, "silent": False, "beat_last_sent": None, "beat_silent": False} if heard is None else {
            "expected": True, "last_seen": heard.workers_last_seen, "silent": heard.workers_silent,
            "beat_last_sent": heard.beat_last_sent, "beat_silent": heard.beat_silent,
        },
    }


def status_needs_attention(status: dict) -> list[str]:
    """What in a `scoring_status` someone should look into, in words (none: all is well)."""
    needs = []
    if status["scores"] is None:
        needs.append("no scores yet: run a recompute")
    if status["computed_too_long_ago"]:
        needs.append("the nightly recompute has not renewed the scores for over a day")
    if status["last_failure"] is not None:
        needs.append("the last recompute failed")
    if status["changes_waiting_since"] is not None:
        needs.append("changes wait that no worker is scoring")
    if status["workers"]["silent"]:
        needs.append("no background worker has taken any work for five minutes")
    if status["workers"]["beat_silent"]:
        needs.append("beat, which sends the nightly recompute, has sent nothing for five minutes")
    return needs


def scores_exist() -> bool:
    """Whether a recompute has completed. Before that there are no pairs to read, and the first
    full recompute holds the pair table locked while it builds its indexes (services): pages
    must not queue behind it."""
    return ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.COMPLETE).exists()


def snapshot_on_or_before(day) -> ClosenessSnapshot | None:
    """The complete snapshot nearest before `day` (its reference date on or before it)."""
    return (
        ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.COMPLETE, as_of__lte=day)
        .order_by("-as_of", "-id")
        .first()
    )


# "What changed" compares with the scores of about a month before, unless asked otherwise
CHANGES_DEFAULT_DAYS = 30


def snapshot_to_compare(current: ClosenessSnapshot, day=None) -> ClosenessSnapshot | None:
    """The scores to compare `current` with: those as of `day` (default: a month before) or just
    before, else the first kept."""
    day = day or days_before(current.as_of, CHANGES_DEFAULT_DAYS)
    return snapshot_on_or_before(day) or ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.COMPLETE).order_by("id").first()


# The four ways a pair can change band, each pair in one of them: into or out of `close` (from or
# to any band), else between `distant` and `working`.
BAND_MOVES = ("became_close", "no_longer_close", "became_working", "no_longer_working")


def band_move(before_tenths: int, after_tenths: int) -> str | None:
    """Which of BAND_MOVES takes a pair from `before_tenths` to `after_tenths`; None for none."""
    was, now = band_numbers(before_tenths), band_numbers(after_tenths)
    if was == now:
        return None
    if CLOSE_BAND in (was, now):
        return "became_close" if now == CLOSE_BAND else "no_longer_close"
    return "became_working" if now else "no_longer_working"


def band_changes_since(since: ClosenessSnapshot, entity: Entity | list[Entity] | None = None) -> dict[str, list[dict]]:
    """The pairs whose band differs between the scores of `since` and the current ones, by move
    (BAND_MOVES): each with its score then (`before`, 0: under 1.0 or none) and now (`after`), by
    current score; a pair that moved and came back is in none. The candidates are the moves
    recorded by the recomputes after `since` (`BandCrossing`: hundreds to thousands a month), not
    every pair's history; their scores then and now are joined to them in one query. With
    `entity` (one, or a list), only the pairs of it (of any of them)."""
    crossings, current, versions = (m._meta.db_table for m in (BandCrossing, PairScore, PairScoreVersion))
    of_entity, params = "", [since.pk]
    if entity is not None:
        ids = sorted(e.pk for e in entity) if isinstance(entity, (list, set, tuple)) else [entity.pk]
        as_a, a_params = in_ids_sql("entity_a_id", ids)
        as_b, b_params = in_ids_sql("entity_b_id", ids)
        of_entity, params = f" AND ({as_a} OR {as_b})", [since.pk, *a_params, *b_params]
    # scalar subqueries, so each candidate is two index lookups: as joins, PostgreSQL chose to scan
    # every current pair and version (0.13-0.47 s for a month's 3,500 candidates at 20,000 entities)
    sql = f"""
        SELECT moved.entity_a_id, moved.entity_b_id,
          COALESCE((SELECT then_.score_tenths FROM {versions} then_
                    WHERE then_.entity_a_id = moved.entity_a_id AND then_.entity_b_id = moved.entity_b_id
                      AND then_.valid_from_id <= %s AND (then_.valid_to_id IS NULL OR then_.valid_to_id > %s)), 0),
          COALESCE((SELECT now_.score_tenths FROM {current} now_
                    WHERE now_.entity_a_id = moved.entity_a_id AND now_.entity_b_id = moved.entity_b_id), 0)
        FROM (SELECT DISTINCT entity_a_id, entity_b_id FROM {crossings} WHERE snapshot_id > %s{of_entity}) moved"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [since.pk, since.pk, *params])
        moves = [(a, b, before, after, band_move(before, after)) for a, b, before, after in cursor.fetchall()]
    moves = [move for move in moves if move[4]]
    entities = Entity.objects.in_bulk({e for a, b, *_ in moves for e in (a, b)})
    changes: dict[str, list[dict]] = {move: [] for move in BAND_MOVES}
    for a, b, before, after, move in moves:
        if a in entities and b in entities:
            changes[move].append({"a": entities[a], "b": entities[b], "before": before / 10, "after": after / 10})
    for pairs in changes.values():
        pairs.sort(key=lambda c: (-c["after"], -c["before"], c["a"].name, c["b"].name))
    return changes


@dataclass(frozen=True)
class ClosenessChanges:
    """What changed between the scores of `since` and the current ones (no pairs when `since` is
    the current snapshot): the pairs that changed band (`band_changes_since`), and the flags raised
    and ended since."""

    since: ClosenessSnapshot
    moves: dict[str, list[dict]]
    flags_raised: QuerySet
    flags_lapsed: QuerySet

    @property
    def became(self) -> list[dict]:
        return self.moves["became_close"]

    @property
    def no_longer(self) -> list[dict]:
        return self.moves["no_longer_close"]


def changes_since(current: ClosenessSnapshot | None, day=None, entity: Entity | list[Entity] | None = None) -> ClosenessChanges | None:
    """What changed since `day` (default a month before `current`), for every pair or those of
    `entity` (one, or a list): the changes page, the API, the overview and the Following page read
    it; None before any scores."""
    from conflicts.selectors import flags_lapsed_after, flags_raised_after

    since = snapshot_to_compare(current, day) if current else None
    if since is None:
        return None
    moves = band_changes_since(since, entity) if since.pk != current.pk else {move: [] for move in BAND_MOVES}
    return ClosenessChanges(since, moves, flags_raised_after(since.as_of, entity), flags_lapsed_after(since.as_of, entity))


def current_pairs() -> QuerySet[PairScore]:
    if not scores_exist():
        return PairScore.objects.none()
    return PairScore.objects.all()


def listed_pairs() -> QuerySet[PairScore]:
    """Current pairs scoring 1.0 or more: the ones the pages list (covered by partial indexes)."""
    return current_pairs().filter(score_tenths__gte=LISTED_TENTHS).select_related("entity_a", "entity_b")


def pairs_involving(pairs: QuerySet, entities: QuerySet[Entity]) -> QuerySet:
    """The pairs of `pairs` (current, or the versions of a snapshot) with one of `entities` on
    either side: the entities read first, then their pairs by the pair tables' indexes on either
    side. Matched on the pairs joined to both entities, every listed pair was read (the pairs page
    filtered to one entity 0.74 s at 490,000 listed pairs, 0.22 s so)."""
    ids = entities.values("pk")
    return pairs.filter(Q(entity_a__in=ids) | Q(entity_b__in=ids))


def across_bodies(pairs: QuerySet, as_of) -> QuerySet:
    """The pairs of `pairs` that are not one body's own: neither a person and the body they lead,
    sit on or work for as of `as_of` (close by that body's own work, which is why the roll-up counts
    their meetings for it), nor a unit and the body it is part of. What is left are the ties between
    actors, where special access and influence are read (the overview's closest pairs)."""
    # each pair as one number, so that the affiliations' pairs are one hashed set to look a pair up in:
    # a correlated EXISTS per pair (either way round) took 6 s over half a million listed pairs
    own_bodies = affiliations_in_force(as_of).annotate(
        key=_pair_key(Least("source_id", "target_id"), Greatest("source_id", "target_id"))).values("key")
    return (pairs.annotate(pair_key=_pair_key(F("entity_a_id"), F("entity_b_id"))).exclude(pair_key__in=own_bodies)
            .exclude(Q(entity_a__parent=F("entity_b")) | Q(entity_b__parent=F("entity_a"))))


def affiliations_in_force(as_of) -> QuerySet[Relationship]:
    """The people leading, sitting on or working for a body on `as_of` (the roll-up's affiliations)."""
    in_force = (Q(start_date__isnull=True) | Q(start_date__lte=as_of)) & (Q(end_date__isnull=True) | Q(end_date__gte=as_of))
    return Relationship.objects.filter(in_force, type__in=AFFILIATION_TYPES)


# what a counterpart is to an entity when it is the entity's own body or one of its people, by the
# tie between them (the head first when there are several): as seen from the body, from the person
BODY_SEES = {"leads": "its head", "member_of": "its member", "employed_by": "on its staff"}
PERSON_SEES = {"leads": "the body they lead", "member_of": "a body they sit on", "employed_by": "their employer"}


def own_body_counterparts(entity: Entity, as_of) -> dict[int, str]:
    """The entities that are `entity`'s own body, its people, the body it is a unit of or its units,
    on `as_of` (those `across_bodies` leaves out), by id, with what each is to it in words."""
    said: dict[int, str] = {}
    order = list(AFFILIATION_ROLES)
    for tie in sorted(affiliations_in_force(as_of).filter(Q(source=entity) | Q(target=entity)), key=lambda r: order.index(r.type)):
        if tie.source_id == entity.pk:
            said.setdefault(tie.target_id, PERSON_SEES[tie.type])
        else:
            said.setdefault(tie.source_id, BODY_SEES[tie.type])
    if entity.parent_id:
        said.setdefault(entity.parent_id, "the body it is part of")
    for unit in entity.children.values_list("pk", flat=True):
        said.setdefault(unit, "one of its units")
    return said


def _pair_key(a, b) -> ExpressionWrapper:
    """A pair of entity ids (a < b) as one integer (ids stay far below 2**32)."""
    return ExpressionWrapper(a * 2**32 + b, output_field=BigIntegerField())


def pair_for(a: Entity, b: Entity) -> PairScore | None:
    """The pair's current score: its row, or (unsaved, built from its block) a weak pair's."""
    first, second = sorted((a.pk, b.pk))
    row = current_pairs().filter(entity_a_id=first, entity_b_id=second).first()
    if row is not None or not scores_exist():
        return row
    weak = weak_pair(first, second)
    if weak is None:
        return None
    score, interaction = weak
    return PairScore(
        entity_a_id=first, entity_b_id=second, score_tenths=score, interaction_tenths=interaction,
        formal_tenths=0, financial_tenths=0, analyst_tenths=0, relationship_ids=[],
    )


def history_through(history: list[dict], as_of) -> list[dict]:
    """The points of a pair's chart (`as_of`, `score`): its history (a point where its score
    changed) carried on to `as_of` (the current scores' date) at the current score, so that a pair
    unchanged since a year ago draws a line over the year rather than one dot."""
    points = [{"as_of": version["as_of"], "score": version["score"]} for version in history]
    if history and history[-1]["current"] and as_of is not None and history[-1]["as_of"] < as_of.isoformat():
        points.append({"as_of": as_of.isoformat(), "score": history[-1]["score"]})
    return points


def pair_history(a: Entity, b: Entity) -> list[dict]:
    """Every score the pair had, oldest first, with its four components, the relationships behind
    them and the snapshot that produced it: its earlier rows (history), its current row, and its
    changes while it was a weak pair (weak_pairs), merged. Each version also names the
    relationships it gained and lost against the one before (`evidence_added`,
    `evidence_removed`), since a line whose score and components equal the one before changed
    its evidence."""
    if not scores_exist():
        return []
    first, second = sorted((a.pk, b.pk))
    # its current row and earlier ones, through the view over both tables (valid_to empty: current)
    rows = list(PairScoreVersion.objects.filter(entity_a_id=first, entity_b_id=second).values_list(
        "valid_from_id", "score_tenths", "formal_tenths", "interaction_tenths", "financial_tenths", "analyst_tenths",
        "relationship_ids", "valid_to_id"))
    version_from = {row[0]: (row[1:6], sorted(row[6])) for row in rows}
    current_from = next((row[0] for row in rows if row[7] is None), None)
    weak_changes = weak_pair_history(first, second)
    for snapshot_id, score, interaction in weak_changes:
        # 0: it left the weak pairs (a row opened at the same snapshot, or it is gone)
        if score and snapshot_id not in version_from:
            version_from[snapshot_id] = ((score, 0, interaction, 0, 0), [])
    if weak_changes and weak_changes[-1][1]:  # a weak pair now (a pair is a row or weak, never both)
        current_from = weak_changes[-1][0]
    snapshots = ClosenessSnapshot.objects.in_bulk(list(version_from))
    history = [
        {"as_of": snapshots[s].as_of.isoformat(), "computed": snapshots[s].started_at.isoformat(),
         "score": version_from[s][0][0] / 10, "components": dict(zip(COMPONENTS, (t / 10 for t in version_from[s][0][1:]))),
         "relationship_ids": version_from[s][1], "current": s == current_from}
        for s in sorted(version_from)
        if s in snapshots
    ]
    return with_evidence_changes(history)


def with_evidence_changes(history: list[dict]) -> list[dict]:
    """Each version of `history` (oldest first, each with its `relationship_ids`) with the
    relationship ids it gained and lost against the version before it; the first gains all of
    its own."""
    before: set[int] = set()
    for version in history:
        now = set(version["relationship_ids"])
        version["evidence_added"] = sorted(now - before)
        version["evidence_removed"] = sorted(before - now)
        before = now
    return history


def bands_in_force(versions: QuerySet, snapshot_ids: list[int]) -> dict[int, tuple[int, int]]:
    """For each of `snapshot_ids`, how many of `versions` (pair versions) were `close` and how many
    `working` in force then: from the snapshot that wrote one to the one that replaced it. Summed
    from what each snapshot added and took away, counted by the database for each span of
    snapshots rather than read version by version (a recompute writes many versions of one span:
    years of nightly versions for a busy entity, or for every pair in migration 0013)."""
    change: dict[int, list[int]] = {}
    spans = versions.filter(score_tenths__gte=WORKING_TENTHS).order_by().values_list("valid_from_id", "valid_to_id").annotate(
        close=Count("score_tenths", filter=Q(score_tenths__gte=CLOSE_TENTHS)), either=Count("score_tenths"))
    for valid_from, valid_to, close, either in spans:
        for at, sign in ((valid_from, 1), (valid_to, -1)):
            if at is not None:
                counts = change.setdefault(at, [0, 0])
                counts[0] += sign * close
                counts[1] += sign * (either - close)
    events, position, close, working, in_force = sorted(change.items()), 0, 0, 0, {}
    for snapshot_id in sorted(snapshot_ids):
        while position < len(events) and events[position][0] <= snapshot_id:
            close, working, position = close + events[position][1][0], working + events[position][1][1], position + 1
        in_force[snapshot_id] = (close, working)
    return in_force


def last_recompute_of_each_day() -> dict:
    """Each reference date scored, oldest first, with the last complete recompute of that date:
    the one whose scores stand for it (an earlier one of the same date was superseded)."""
    last_of_day = dict(ClosenessSnapshot.objects.filter(status=ClosenessSnapshot.Status.COMPLETE).order_by("id").values_list("as_of", "id"))
    return dict(sorted(last_of_day.items()))


def entity_band_history(entity: Entity) -> list[dict]:
    """For each reference date scored, oldest first, how many of `entity`'s counterparts were
    `close` and how many `working`, as the last complete recompute of that date left them: the
    entity page's "Ties over time". Read from the pair versions of 4.0 or more (a pair under 1.0 is
    `distant` whatever it scored), each counted over the snapshots it was in force for."""
    if not scores_exist():
        return []
    last_of_day = last_recompute_of_each_day()
    totals = {snapshot_id: [0, 0] for snapshot_id in last_of_day.values()}
    # one query per side, each on its own index (as closest_counterparts)
    for side in ("entity_a", "entity_b"):
        for snapshot_id, counts in bands_in_force(PairScoreVersion.objects.filter(**{side: entity}), list(totals)).items():
            totals[snapshot_id][0] += counts[0]
            totals[snapshot_id][1] += counts[1]
    return [{"as_of": day.isoformat(), "close": totals[snapshot_id][0], "working": totals[snapshot_id][1]}
            for day, snapshot_id in last_of_day.items()]


def bands_over_time() -> list[dict]:
    """For each reference date scored, oldest first, how many pairs were `close` and how many
    `working`, as the last complete recompute of that date left them (counted by each recompute,
    `ClosenessSnapshot.close_pairs`): the "What changed" page's ties over time, as
    `entity_band_history` is an entity's."""
    last_of_day = last_recompute_of_each_day()
    counts = {pk: (close, working) for pk, close, working in ClosenessSnapshot.objects.filter(pk__in=last_of_day.values()).values_list(
        "pk", "close_pairs", "working_pairs")}
    return [{"as_of": day.isoformat(), "close": counts[snapshot_id][0], "working": counts[snapshot_id][1]}
            for day, snapshot_id in last_of_day.items() if counts[snapshot_id][0] is not None]


def closest_counterparts(entity: Entity, limit: int = 15) -> list[tuple[Entity, PairScore]]:
    # Two queries, one per side, each on its own index: with "a = x OR b = x" PostgreSQL walked the
    # whole score index instead (370 ms at 20,000 entities, against 1-12 ms for the two).
    # each side in the order of the whole (score, then the pair's ids), so that of pairs scoring
    # alike at the limit the same ones show on every reload
    listed = listed_pairs()
    as_a = listed.filter(entity_a=entity).order_by("-score_tenths", "entity_b_id")[:limit]
    as_b = listed.filter(entity_b=entity).order_by("-score_tenths", "entity_a_id")[:limit]
    pairs = sorted([*as_a, *as_b], key=lambda p: (-p.score_tenths, p.entity_a_id, p.entity_b_id))[:limit]
    return [(p.entity_b if p.entity_a_id == entity.pk else p.entity_a, p) for p in pairs]


def with_closest_score(entities: QuerySet[Entity]) -> QuerySet[Entity]:
    """Annotate each entity with its highest listed current pair score, in tenths (None when it
    has none listed), joined from the view that groups the listed pairs once (`EntityClosestScore`):
    for every entity at once (a sort by it, a download). A page's entities: `with_closest_scores_set`."""
    if not scores_exist():  # the first recompute holds the pair table locked: pages must not wait for it
        return entities.annotate(closest_tenths=Value(None, output_field=IntegerField()))
    return entities.annotate(closest_tenths=F("closest_score__closest_tenths"))


def _with_closest_score_by_entity(entities: QuerySet[Entity]) -> QuerySet[Entity]:
    """`with_closest_score` read entity by entity, through the pair indexes: for a few entities,
    where grouping every listed pair (the view) would take a quarter of a second."""
    listed = listed_pairs().order_by()

    def highest(side: str) -> Subquery:
        # the highest as an aggregate over the entity's pairs, read by its index: as "the first by
        # score", PostgreSQL walked the score index of every listed pair for each entity with few
        # pairs (for every entity at once, a download did not finish in 10 minutes)
        mine = listed.filter(**{side: OuterRef("pk")}).values(side).annotate(top=Max("score_tenths")).values("top")
        return Coalesce(Subquery(mine, output_field=IntegerField()), 0)

    # each side 0 without a listed pair (a listed pair scores 10 tenths or more): SQLite's and
    # MySQL's GREATEST is NULL when either is. One expression, each subquery written once: an
    # annotation named in another is written again where it is named
    return entities.annotate(closest_tenths=NullIf(Greatest(highest("entity_a"), highest("entity_b")), 0))


def with_closest_scores_set(entities: list[Entity]) -> list[Entity]:
    """`entities` (a page of them), each given `closest_tenths` as `with_closest_score` annotates
    it, in one query over those entities alone: annotated in the page's own query, PostgreSQL
    scored every row its OFFSET skips too (the directory's 500th page at 20,000 entities: 0.76 s)."""
    scored = _with_closest_score_by_entity(Entity.objects.filter(pk__in=[e.pk for e in entities]))
    tenths = dict(scored.values_list("pk", "closest_tenths"))
    for entity in entities:
        entity.closest_tenths = tenths.get(entity.pk)
    return entities


def entities_in_band(entities: QuerySet[Entity], band: str) -> QuerySet[Entity]:
    low, high = BAND_TENTHS[band]
    in_band = current_pairs().filter(score_tenths__gte=max(low, LISTED_TENTHS), score_tenths__lte=high)
    return entities.filter(Exists(in_band.filter(entity_a=OuterRef("pk"))) | Exists(in_band.filter(entity_b=OuterRef("pk"))))


def pair_meetings(a: Entity, b: Entity, as_of, params) -> list[tuple]:
    """The meetings behind a pair's interaction component, newest first: (meeting, weight), weighed
    with `params` (the settings of the snapshot that scored the pair)."""
    from engagement.models import Meeting

    from .engine import shared_meetings_for_pair
    from .load import load_pair_evidence

    weighted = shared_meetings_for_pair(load_pair_evidence(a.pk, b.pk), params, as_of, a.pk, b.pk)
    meetings = Meeting.objects.in_bulk([m for m, _ in weighted])
    return [(meetings[m], weight) for m, weight in weighted if m in meetings]


def meetings_behind(a: Entity, b: Entity, pair: PairScore | None, snapshot: ClosenessSnapshot | None) -> list[tuple]:
    """The meetings behind a stored pair's interaction, newest first, with their weights, weighed
    with the settings of the snapshot that scored it, not today's (which may not have run yet);
    none for a pair without interaction (the pair page and the API alike)."""
    from .engine import ScoringParameters

    if not (pair and snapshot and pair.interaction_tenths):
        return []
    return pair_meetings(a, b, snapshot.as_of, ScoringParameters.from_dict(snapshot.parameters))


def _cap_binds(uncapped: float, cap: float) -> bool:
    """Whether the freshness cap lowers a component as stored (in tenths, rounded half up)."""
    from .engine.closeness import tenths_half_up

    cap_tenths, uncapped_tenths = tenths_half_up(np.array([cap, uncapped]))
    return bool(cap_tenths < uncapped_tenths)


def interaction_explained(meetings: list[tuple], as_of, params) -> dict:
    """What the pair page says of the interaction component: from the meetings `pair_meetings`
    listed, before the freshness cap and the cap set by the latest (docs/scoring.md)."""
    from .engine.closeness import interaction_from_meetings

    latest = meetings[0][0].date if meetings else None
    uncapped, cap = interaction_from_meetings(
        [weight for _, weight in meetings], latest.toordinal() if latest else None, params, as_of.toordinal()
    )
    return {"uncapped": uncapped, "cap": cap, "latest": latest, "capped": _cap_binds(uncapped, cap)}


def score_explained(pair, params) -> dict:
    """How a pair's components make its score, for the pair page: the weighted terms of the
    components above 0 (name, weight, value) and the score they give from the components as
    shown (one decimal each, so it may differ from the stored score by a tenth)."""
    from .engine.closeness import combined_score

    components = pair.components
    weights = params.component_weights
    terms = [(name, weights[name], value) for name, value in components.items() if value > 0]
    return {"terms": terms, "from_shown": combined_score(components, weights)}


def relationships_explained(relationships, as_of, params) -> list[dict]:
    """What the pair page says of the formal and financial components its relationships (one
    pair's, as model instances) give when the freshness cap binds: [{component, before the cap,
    the cap}], empty when it binds on neither."""
    from .engine import RelationshipRecord
    from .engine.closeness import freshness_cap, relationship_sums, relationship_terms
    from .engine.data import RelationshipColumns

    records = [
        RelationshipRecord(r.pk, r.source_id, r.target_id, r.type, r.start_date, r.end_date,
                           float(r.amount) if r.amount is not None else None,
                           float(r.analyst_score) if r.analyst_score is not None else None)
        for r in relationships
    ]
    if not records:
        return []
    width = max(max(r.source, r.target) for r in records) + 1
    terms = relationship_terms(RelationshipColumns.of(records), params, as_of.toordinal(), None, width)
    if len(terms.keys) != 1:
        return []
    sums = relationship_sums(terms, params)
    caps = (freshness_cap(terms.formal_fresh), freshness_cap(terms.money_fresh))
    return [{"component": name, "uncapped": total[0], "cap": cap[0]}
            for name, total, cap in zip(("formal", "financial"), sums, caps) if _cap_binds(total[0], cap[0])]


CATEGORY_COLOURS = {
    "law_enforcement": "#1f4e96",
    "law_enforcement_affiliate": "#5b7fbf",
    "oversight": "#b3261e",
    "advocacy": "#2e7d32",
    "government": "#7b3fa0",
    "community": "#e08a00",
    "person_of_influence": "#6d4c41",
    "individual": "#757575",
}
NETWORK_MAX_EDGES = 300


def network_graph(*, band: str | None = None, jurisdiction: str = "", ego: Entity | None = None, limit: int = NETWORK_MAX_EDGES) -> dict:
    """Nodes and edges for the network page: the closest pairs (optionally in a band, a
    jurisdiction, or around one entity), at most `limit` edges so the graph stays readable."""
    pairs = listed_pairs()
    if band:
        low, high = BAND_TENTHS[band]
        pairs = pairs.filter(score_tenths__gte=max(low, LISTED_TENTHS), score_tenths__lte=high)
    if jurisdiction:
        pairs = pairs.filter(entity_a__jurisdiction=jurisdiction, entity_b__jurisdiction=jurisdiction)
    if ego is not None:
        pairs = pairs.filter(Q(entity_a=ego) | Q(entity_b=ego))
    pairs = list(pairs.order_by("-score_tenths", "entity_a_id", "entity_b_id")[:limit])
    nodes = {}
    for pair in pairs:
        for entity in (pair.entity_a, pair.entity_b):
            nodes[entity.pk] = {
                "id": entity.external_id,
                "label": entity.name,
                "category": entity.category,
                "colour": CATEGORY_COLOURS.get(entity.category, "#999"),
                "url": f"/entities/{entity.external_id}/",
                "ego": ego is not None and entity.pk == ego.pk,
                "person": is_person_kind(entity.kind),
            }
    from conflicts.selectors import pairs_with_open_flags

    flagged = pairs_with_open_flags()
    edges = [
        {"source": p.entity_a.external_id, "target": p.entity_b.external_id, "score": p.score, "band": p.band,
         "source_label": p.entity_a.name, "target_label": p.entity_b.name, "flagged": (p.entity_a_id, p.entity_b_id) in flagged}
        for p in pairs
    ]
    return {"nodes": list(nodes.values()), "edges": edges}


def current_pair_scores() -> dict[tuple[int, int], tuple[int, int, int, int, int]]:
    """{(entity a, entity b): (score, formal, interaction, financial, analyst) in tenths} of every
    current pair, rows and weak pairs alike (small data sets: tests and checks)."""
    tenths = ("score_tenths", "formal_tenths", "interaction_tenths", "financial_tenths", "analyst_tenths")
    out = {(row[0], row[1]): row[2:] for row in current_pairs().values_list("entity_a_id", "entity_b_id", *tenths)}
    if scores_exist():
        weak = current_weak_pairs()
        for a, b, score, interaction in zip(weak.a.tolist(), weak.b.tolist(), weak.score.tolist(), weak.interaction.tolist()):
            out[(a, b)] = (score, 0, interaction, 0, 0)
    return out


def meeting_weight_now(meeting) -> dict | None:
    """What a meeting adds to each pair present at it in the current scores (their date and
    settings), and why (engine.closeness.meeting_weight_explained); None before any scores."""
    from .engine import ScoringParameters
    from .engine.closeness import meeting_weight_explained
    from .services import current_snapshot

    snapshot = current_snapshot()
    if snapshot is None:
        return None
    params = ScoringParameters.from_dict(snapshot.parameters)
    attendees = meeting.attendance.count()
    explained = meeting_weight_explained(meeting.type, meeting.date.toordinal(), attendees, params, snapshot.as_of.toordinal())
    return {
        **explained, "as_of": snapshot.as_of, "attendees": attendees, "days_before": (snapshot.as_of - meeting.date).days,
        "half_life_days": params.half_life_days, "small_meeting_size": params.small_meeting_size,
    }


def settings_changes(limit: int | None = None) -> list[dict]:
    """The changes of the scoring settings, newest first (the latest `limit`, or all), each with
    what changed in words (`changed`: the setting's label, before, after)."""
    from .forms import settings_differences

    return [{"change": change, "changed": settings_differences(change.before, change.after)}
            for change in SettingsChange.objects.select_related("changed_by")[:limit]]
