from django.conf import settings
from django.db import models
from django.db.models import Q

from core.formatting import count_text
from core.models import SingletonModel
from core.paging import DeferredJoinQuerySet
from core.workers import WAITING_TOO_LONG, TaskFollowedOnAPage

from .engine.parameters import COMPONENTS, LISTED_TENTHS, ScoringParameters, band_for_score


class ScoringSettings(SingletonModel):
    """The administrator's scoring settings (one row): weights, type weights and the half-life."""

    parameters = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name_plural = "scoring settings"

    def __str__(self):
        return "Scoring settings"

    @classmethod
    def singleton_defaults(cls) -> dict:
        return {"parameters": ScoringParameters().to_dict()}

    @property
    def scoring_parameters(self) -> ScoringParameters:
        return ScoringParameters.from_dict(self.parameters or {})


class SettingsChange(models.Model):
    """One change of the scoring settings: who, when, the settings before and after, and why.
    Scores move when the method does: the people who read them can see when and why it changed."""

    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    before = models.JSONField()
    after = models.JSONField()
    reason = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"Scoring settings changed {self.changed_at:%Y-%m-%d} by {self.changed_by or 'unknown'}"


class RecomputeLock(models.Model):
    """One row locked (SELECT ... FOR UPDATE) for the length of a recompute, so two never overlap."""

    name = models.CharField(max_length=50, unique=True)


class OwedRecomputeQuerySet(models.QuerySet):
    def waiting(self, now):
        """The recomputes owed that no worker is running: never sent (the task queue could not be
        reached), or sent over five minutes ago (no worker took the task, or Redis lost it in a
        restart: one without an append-only file, or its last second with one, as
        docker-compose.yml's). A worker runs one within seconds."""
        return self.filter(Q(sent=False) | Q(created_at__lt=now - WAITING_TOO_LONG))


class OwedRecompute(models.Model):
    """Evidence changed and its recompute not run yet: the entities whose pairs it touches, or None
    for every pair (a merge, its undo, the settings saved). Written once the change committed, before
    its task is sent (`sent` once the task queue took it); the next recompute to run takes every
    row in and deletes them in its own transaction. Those `waiting` (the task never sent, or no
    worker ran it) are run by a beat task every ten minutes, and every page says they are waiting."""

    entity_ids = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent = models.BooleanField(default=False)

    objects = OwedRecomputeQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        owed = "every pair" if self.entity_ids is None else count_text(len(self.entity_ids), "entity", "entities")
        return f"Recompute owed since {self.created_at:%Y-%m-%d %H:%M} ({owed}{', sent' if self.sent else ''})"


class ClosenessSnapshot(models.Model):
    """One recompute: its reference date, the settings it used, and whether it finished.

    A pair's current score is a `PairScore` row from the snapshot that set it (`valid_from`); its
    earlier ones are `PairScoreHistory` rows (`valid_from` to `valid_to`), so history grows with what
    changed rather than with pairs x recomputes."""

    class Status(models.TextChoices):
        RUNNING = "running"
        COMPLETE = "complete"
        FAILED = "failed"

    class Scope(models.TextChoices):
        FULL = "full"
        INCREMENTAL = "incremental"

    as_of = models.DateField()
    parameters = models.JSONField()
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.FULL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    triggered_by = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pairs_changed = models.PositiveIntegerField(default=0)
    pairs_current = models.PositiveIntegerField(default=0)
    flags_raised = models.PositiveIntegerField(default=0)
    # the pairs in the `close` and `working` bands once it finished, for the ties over time (counted
    # from the pair versions by migration 0013 for the recomputes before; None while running or failed)
    close_pairs = models.PositiveIntegerField(null=True, blank=True)
    working_pairs = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # What the conflict rules read besides closeness (entities, relationships, disclosures), as a
    # fingerprint: an incremental recompute that finds it unchanged, and no pair crossing into or out
    # of `close`, keeps the flags as they are instead of re-running every rule.
    rules_inputs = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"

    def __str__(self):
        return f"Snapshot {self.pk} as of {self.as_of} ({self.status})"


class PairScoreFields(models.Model):
    """What a pair's score row holds, current (`PairScore`) or earlier (`PairScoreHistory`)."""

    # Derived rows, written in bulk by the recompute alone from ids it just read: foreign keys
    # without their own indexes (the indexes below serve the queries) and without database
    # constraints (per-row trigger checks made million-row writes 4x slower). Deleting an entity
    # still deletes its pair scores, through the ORM's CASCADE.
    entity_a = models.ForeignKey(
        "entities.Entity", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    entity_b = models.ForeignKey(
        "entities.Entity", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # Scores in tenths (94 = 9.4): exact, compact, and writable with a fixed-width binary COPY.
    score_tenths = models.SmallIntegerField()
    formal_tenths = models.SmallIntegerField()
    interaction_tenths = models.SmallIntegerField()
    financial_tenths = models.SmallIntegerField()
    analyst_tenths = models.SmallIntegerField()
    relationship_ids = models.JSONField(default=list)
    # a hash of relationship_ids, so a recompute compares evidence without reading the lists back
    relationship_digest = models.BigIntegerField(default=0)
    valid_from = models.ForeignKey(
        ClosenessSnapshot, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.entity_a_id}-{self.entity_b_id}: {self.score:.1f}"

    @property
    def score(self) -> float:
        return self.score_tenths / 10

    @property
    def components(self) -> dict[str, float]:
        return {name: getattr(self, f"{name}_tenths") / 10 for name in COMPONENTS}

    @property
    def band(self) -> str:
        return band_for_score(self.score)


class ScoreOrderedQuerySet(DeferredJoinQuerySet):
    """Pairs sorted by score first (the pairs pages' order and the API's): a slice far into them
    seeks the score its first row has, by counting the rows of each score (the listed-score index
    alone), and sorts and skips only the rows from that score on. Otherwise the rest of the order
    (both entities' ids) had PostgreSQL join and sort every pair before the slice: the pairs page's
    5,000th page 0.84 s at 490,000 listed pairs, 0.25 s so."""

    def slice_ids(self, key: slice) -> list:
        order = [str(field) for field in self.query.order_by[:1]]
        start, stop = key.start or 0, key.stop
        if order not in (["-score_tenths"], ["score_tenths"]):
            return super().slice_ids(key)
        descending = order == ["-score_tenths"]
        counts = self.order_by().values_list("score_tenths").annotate(rows=models.Count("pk")).order_by(*order)
        before = 0  # rows of the scores listed before the slice's first row's score
        for score, rows in counts:
            if before + rows > start:
                break
            before += rows
        else:
            return []  # past the last row
        from_score = self.filter(**{"score_tenths__lte" if descending else "score_tenths__gte": score})
        return list(from_score.values_list("pk", flat=True)[start - before:None if stop is None else stop - before])


class PairScore(PairScoreFields):
    """The current closeness of one unordered pair (entity_a.id < entity_b.id), as computed by
    snapshot `valid_from` and unchanged since. A recompute that changes or drops it moves the row to
    `PairScoreHistory` (closed by that snapshot).

    Current rows and history live in two tables so that a recompute that changes most pairs (a
    month of decay, new scoring settings) can rebuild this one's indexes over its half a million
    rows, where closing intervals in one table of every version updated each changed row and
    maintained five indexes over the whole history (12.7 s for 460,000 changed pairs)."""

    # the pages and the API list these half a million rows 50 at a time, the last page too
    objects = ScoreOrderedQuerySet.as_manager()

    class Meta:
        # Few indexes, because a full recompute may write half a million rows: one row per pair
        # (unique, which also serves the pairs of entity a), the pairs of entity b, and the
        # pairs pages list by score.
        indexes = [
            models.Index(fields=["entity_b"], name="pairscore_b"),
            models.Index(fields=["-score_tenths"], condition=Q(score_tenths__gte=LISTED_TENTHS), name="pairscore_listed_score"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entity_a", "entity_b"], name="pairscore_one_per_pair"),
            models.CheckConstraint(condition=Q(entity_a__lt=models.F("entity_b")), name="pairscore_ordered"),
            models.CheckConstraint(condition=Q(score_tenths__gte=0, score_tenths__lte=100), name="pairscore_bounded"),
        ]


class EntityClosestScore(models.Model):
    """Each entity's highest listed current pair score, in tenths: a database view over `PairScore`
    (migration 0011), read joined to the entities when every entity needs it (the directory sorted
    by it, its download). PostgreSQL groups the listed pairs once (0.25-0.3 s at 480,000 of them),
    where a subquery per entity and side took 1.2-1.3 s; for a page of entities those subqueries
    are faster (`scoring.selectors.with_closest_scores_set`). A migration that changes the pair
    table's `score_tenths` or entity columns must drop the view and create it again."""

    entity = models.OneToOneField(
        "entities.Entity", primary_key=True, on_delete=models.DO_NOTHING, related_name="closest_score", db_constraint=False
    )
    closest_tenths = models.IntegerField()

    class Meta:
        managed = False
        db_table = "scoring_entityclosestscore"


class PairScoreHistory(PairScoreFields):
    """An earlier score of a pair: what its `PairScore` row held from snapshot `valid_from` until
    snapshot `valid_to` changed or dropped it. Rows are only ever added, so history grows with what
    changed, not with pairs x recomputes."""

    valid_to = models.ForeignKey(
        ClosenessSnapshot, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        verbose_name_plural = "pair score history"
        indexes = [models.Index(fields=["entity_a", "entity_b", "valid_from"], name="pairscorehistory_pair")]


class VersionQuerySet(DeferredJoinQuerySet):
    """The API's `?as_of=` listing of a snapshot's pairs, hundreds of thousands: no index of the view
    keeps them in the listed order, so PostgreSQL sorts them all for any page, and sorting them with
    both entities' columns took longer than their ids alone, the first page too (a page of 500:
    the first 0.45 s and 0.30 s, the 900th 0.96 s and 0.41 s)."""

    ids_first_from_row = 0


class PairScoreVersion(PairScoreFields):
    """Every version of every pair's row, current (`valid_to` empty) and earlier: a database view
    over `PairScore` and `PairScoreHistory` (migration 0006), read by the API's `as_of` listing.
    Read only; its ids are the current rows' ids and the history rows' ids negated."""

    objects = VersionQuerySet.as_manager()

    entity_a = models.ForeignKey("entities.Entity", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    entity_b = models.ForeignKey("entities.Entity", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    valid_from = models.ForeignKey(ClosenessSnapshot, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    valid_to = models.ForeignKey(ClosenessSnapshot, null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)

    class Meta:
        managed = False
        db_table = "scoring_pairscoreversion"


class WeakPairBlock(models.Model):
    """The current weak pairs of a bucket of 32 entities (by the pair's lower id): pairs scoring
    under 1.0 on shared meetings alone (no relationship evidence, so formal, financial and analyst
    are 0).

    They are most pairs at scale (6.1M of 6.7M on the benchmark set) and no page lists them, so they
    are stored packed (`weak_pairs.WEAK_PAIR`: 7 bytes a pair) instead of a row per pair: writing
    and reading millions of rows was most of a recompute. Every other pair has a `PairScore` row."""

    bucket = models.IntegerField(primary_key=True)  # the lower entity id >> weak_pairs.BUCKET_BITS
    pairs = models.BinaryField()


class WeakPairChange(models.Model):
    """What one recompute changed among the weak pairs of one bucket (same packing; a score of 0
    means the pair left the weak pairs: it scores 1.0 or more now, gained relationships, or is
    gone). With `PairScoreHistory` this is the history of every pair, growing with what changed."""

    snapshot = models.ForeignKey(ClosenessSnapshot, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    bucket = models.IntegerField()
    pairs = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["bucket", "snapshot"], name="weakpairchange_history")]


class BandCrossing(models.Model):
    """A pair that one recompute moved from one band to another (`distant` under 4.0, `working`,
    `close` 8.0 and up): its score before and after, in tenths (0: under 1.0 or no score). Few per
    recompute against the pairs it scores (a few hundred to a few thousand a month at 20,000
    entities), so "who became close, or a working tie, since last month" is read from these rows
    rather than by comparing half a million pair rows with their history."""

    snapshot = models.ForeignKey(ClosenessSnapshot, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    entity_a = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    entity_b = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    before_tenths = models.SmallIntegerField()
    after_tenths = models.SmallIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(entity_a__lt=models.F("entity_b")), name="bandcrossing_ordered")]

    def __str__(self):
        return f"{self.entity_a_id}-{self.entity_b_id}: {self.before_tenths / 10:.1f} -> {self.after_tenths / 10:.1f}"


class SettingsPreview(TaskFollowedOnAPage, models.Model):
    """Scoring settings an administrator typed, scored on today's evidence by a worker without
    being saved, and what they would change: as costly as the scoring part of a full recompute
    (about 3 s and 0.9 GB at 20,000 entities), so it runs where recomputes run, not in the web
    process. `result` holds the band counts before and after and the pairs that would enter or
    leave `close` (the largest moves; None when there were no scores to compare with)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        COMPLETE = "complete"
        FAILED = "failed"

    parameters = models.JSONField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    as_of = models.DateField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # its run is timed from the request (TaskFollowedOnAPage): no worker takes one long before running it
    RUNNING_SINCE = "requested_at"

    def __str__(self):
        return f"Settings preview {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.COMPLETE, self.Status.FAILED)

    @property
    def scoring_parameters(self) -> ScoringParameters:
        return ScoringParameters.from_dict(self.parameters)
