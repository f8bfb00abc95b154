from django.conf import settings
from django.db import models

from .rules import RULES, SEVERITIES


class Flag(models.Model):
    """A conflict-of-interest flag, one per (rule, subject, counterpart), kept across recomputes."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UNDER_REVIEW = "under_review", "Under review"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    rule = models.CharField(max_length=40, choices=[(r, r) for r in RULES])
    subject = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="flags_as_subject")
    counterpart = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="flags_as_counterpart")
    severity = models.CharField(max_length=10, choices=[(s, s) for s in SEVERITIES])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    persons = models.ManyToManyField("entities.Entity", blank=True, related_name="flags_as_person")
    evidence = models.ManyToManyField("relationships.Relationship", blank=True, related_name="flags")
    # relationship id -> a short hash of what the rules read of it (ends, type, dates, amount), so a
    # reviewed flag also reopens when its evidence itself changed (a contribution's amount, say)
    evidence_digest = models.JSONField(default=dict, blank=True)
    disclosed = models.BooleanField(default=False)
    explanation = models.TextField()
    # Whether the latest recompute still raised it; a lapsed flag stays for its history.
    holds = models.BooleanField(default=True)
    first_raised_on = models.DateField()
    last_evaluated_on = models.DateField()
    # The reference date of the recompute that found its situation no longer holding (empty while
    # it holds): "which conflicts went away since" reads it.
    lapsed_on = models.DateField(null=True, blank=True)
    # The snapshot whose rules last evaluated it: rewritten on every flag by every recompute that
    # runs the rules, so neither indexed nor checked by the database (an index on it made each of
    # those updates write every index of the row, and the deferred key check ran once per flag at
    # commit: 0.15 s for 5,000 flags where an update in place takes 0.01 s; see migration 0004).
    snapshot = models.ForeignKey(
        "scoring.ClosenessSnapshot", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rule", "subject__external_id", "counterpart__external_id"]
        indexes = [
            models.Index(fields=["status", "severity"]),
            models.Index(fields=["rule"]),
            models.Index(fields=["holds"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject", "counterpart"], name="flag_one_per_situation"),
        ]

    def __str__(self):
        return f"{self.rule}: {self.subject} / {self.counterpart}"


class FlagStatusChange(models.Model):
    """One step in a flag's life: who (empty = the recompute), when, from what to what, and why."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, choices=Flag.Status.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.flag_id}: {self.from_status or '-'} -> {self.to_status}"
