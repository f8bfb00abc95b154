from django.conf import settings
from django.db import models
from django.db.models import Q

from .engine.parameters import ScoringParameters, band_for_score


class ScoringSettings(models.Model):
    """The administrator's scoring settings (one row): weights, type weights and the half-life."""

    parameters = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name_plural = "scoring settings"

    def __str__(self):
        return "Scoring settings"

    @classmethod
    def load(cls) -> "ScoringSettings":
        obj, _ = cls.objects.get_or_create(pk=1, defaults={"parameters": ScoringParameters().to_dict()})
        return obj

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

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"

    def __str__(self):
        return f"Snapshot {self.pk} as of {self.as_of} ({self.status})"


class PairScore(models.Model):
    """The closeness of one unordered pair (entity_a.id < entity_b.id) from snapshot `valid_from`
    until the snapshot that replaced it (`valid_to`; empty = current)."""

    entity_a = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    entity_b = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=3, decimal_places=1)
    formal = models.DecimalField(max_digits=3, decimal_places=1)
    interaction = models.DecimalField(max_digits=3, decimal_places=1)
    financial = models.DecimalField(max_digits=3, decimal_places=1)
    analyst = models.DecimalField(max_digits=3, decimal_places=1)
    relationship_ids = models.JSONField(default=list)
    valid_from = models.ForeignKey(ClosenessSnapshot, on_delete=models.CASCADE, related_name="+")
    valid_to = models.ForeignKey(ClosenessSnapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["entity_a", "entity_b", "valid_from"]),
            models.Index(fields=["entity_b"], condition=Q(valid_to__isnull=True), name="pairscore_current_b"),
            models.Index(fields=["entity_a"], condition=Q(valid_to__isnull=True), name="pairscore_current_a"),
            models.Index(fields=["-score"], condition=Q(valid_to__isnull=True), name="pairscore_current_score"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(entity_a__lt=models.F("entity_b")), name="pairscore_ordered"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=10), name="pairscore_bounded"),
            models.UniqueConstraint(
                fields=["entity_a", "entity_b"], condition=Q(valid_to__isnull=True), name="pairscore_one_current"
            ),
        ]

    def __str__(self):
        return f"{self.entity_a_id}-{self.entity_b_id}: {self.score}"

    @property
    def band(self) -> str:
        return band_for_score(float(self.score))
