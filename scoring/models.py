from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import SingletonModel

from .engine.parameters import ScoringParameters, band_for_score


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


class RecomputeLock(models.Model):
    """One row locked (SELECT ... FOR UPDATE) for the length of a recompute, so two never overlap."""

    name = models.CharField(max_length=50, unique=True)


class ClosenessSnapshot(models.Model):
    """One recompute: its reference date, the settings it used, and whether it finished.

    Pair scores are stored as intervals of snapshots (`PairScore.valid_from`/`valid_to`), so history
    grows with what changed rather than with pairs x recomputes."""

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


# Pages list current pairs from this score up (the partial indexes cover them); weaker pairs stay
# stored, exported and reachable by their pair page.
LISTED_TENTHS = 10


class PairScore(models.Model):
    """The closeness of one unordered pair (entity_a.id < entity_b.id) from snapshot `valid_from`
    until the snapshot that replaced it (`valid_to`; empty = current)."""

    # Derived rows, written in bulk by the recompute alone from ids it just read: foreign keys
    # without their own indexes (the composite and partial indexes below serve the queries) and
    # without database constraints (per-row trigger checks made million-row writes 4x slower).
    # Deleting an entity still deletes its pair scores, through the ORM's CASCADE.
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
    # A 56-bit digest of relationship_ids (0 when empty), so a recompute compares evidence as numbers.
    relationship_digest = models.BigIntegerField(default=0)
    valid_from = models.ForeignKey(
        ClosenessSnapshot, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    valid_to = models.ForeignKey(
        ClosenessSnapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        # Few indexes, because a full recompute may write millions of rows: the history index
        # (sorted inserts, cheap) serves a pair's history; the partial indexes cover current pairs
        # only (by either entity), or those scoring 1.0 or more (the ones pages list).
        # One current row per pair is guaranteed by the single writer (pair_scores_write, under
        # the recompute lock) and checked by tests rather than by a unique index.
        indexes = [
            models.Index(fields=["entity_a", "entity_b", "valid_from"], name="pairscore_history"),
            # every current pair by either entity: an incremental recompute and the entity pages read
            # the pairs touching an entity. Through the history index (a = x) that read walked every
            # closed version too and grew with history (0.1 -> 0.5 s of an incremental recompute after
            # a few months of recomputes); closing an interval adds no entry to these
            models.Index(fields=["entity_a"], condition=Q(valid_to__isnull=True), name="pairscore_current_a_all"),
            models.Index(fields=["entity_b"], condition=Q(valid_to__isnull=True), name="pairscore_current_b_all"),
            models.Index(
                fields=["-score_tenths"], condition=Q(valid_to__isnull=True, score_tenths__gte=LISTED_TENTHS), name="pairscore_current_score"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(entity_a__lt=models.F("entity_b")), name="pairscore_ordered"),
            models.CheckConstraint(condition=Q(score_tenths__gte=0, score_tenths__lte=100), name="pairscore_bounded"),
        ]

    def __str__(self):
        return f"{self.entity_a_id}-{self.entity_b_id}: {self.score:.1f}"

    @property
    def score(self) -> float:
        return self.score_tenths / 10

    @property
    def components(self) -> dict[str, float]:
        return {
            "formal": self.formal_tenths / 10,
            "interaction": self.interaction_tenths / 10,
            "financial": self.financial_tenths / 10,
            "analyst": self.analyst_tenths / 10,
        }

    @property
    def band(self) -> str:
        return band_for_score(self.score)


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
    gone). With `PairScore`'s intervals this is the history of every pair, growing with what
    changed."""

    snapshot = models.ForeignKey(ClosenessSnapshot, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    bucket = models.IntegerField()
    pairs = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["bucket", "snapshot"], name="weakpairchange_history")]
