from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.models import TimeStampedModel
from core.validation import (
    entity_problems,
    external_id_problems,
    parent_cycle_problems,
    parent_problems,
    raise_for_problems,
)

from .kinds import Category, Kind, category_for_kind, is_person_kind


class Entity(TimeStampedModel):
    """An organisation or a person that can be close to law enforcement (a row of entities.csv)."""

    external_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Derived from kind on save; stored so dashboards can filter and count by it.
    category = models.CharField(max_length=32, choices=Category.choices, editable=False)
    jurisdiction = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    website = models.CharField(max_length=1000, blank=True)

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind"]),
            models.Index(fields=["category"]),
            models.Index(fields=["jurisdiction"]),
            models.Index(fields=["name"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="entity_kind_known"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="entity_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_person(self) -> bool:
        return is_person_kind(self.kind)

    @property
    def odd_reading(self) -> list[str]:
        """Why its parent unit reads oddly (a person's, or a person as one), if it does
        (`relationships.checks`, which checks the ties too)."""
        if self.parent_id is None:
            return []
        from relationships.checks import odd_parent

        return odd_parent(self.external_id, self.kind, self.parent.external_id, self.parent.kind)

    def clean(self):
        problems = external_id_problems(self.external_id) + entity_problems(name=self.name, kind=self.kind)
        if self.parent_id:
            problems += parent_problems(external_id=self.external_id, parent=self.parent.external_id)
            problems += parent_cycle_problems(external_id=self.external_id, parent=self.parent.external_id, parent_of=stored_parent_of)
        raise_for_problems(problems, instance=self)

    def save(self, *args, **kwargs):
        if self.kind in Kind.values:
            self.category = category_for_kind(self.kind)
        super().save(*args, **kwargs)


def stored_parent_of(external_id: str) -> str | None:
    """The parent external_id of a stored entity (for the parent-cycle rule on single edits)."""
    return Entity.objects.filter(external_id=external_id).values_list("parent__external_id", flat=True).first()


class Follow(models.Model):
    """An entity a user follows: its band moves and flags since a day, gathered on their
    "Following" page. Personal, like a bookmark: not part of the data set, not audited."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "entity"], name="follow_once")]

    def __str__(self):
        return f"{self.user} follows {self.entity}"


class FollowDigest(models.Model):
    """Whether a user gets a weekly email of what changed for the entities they follow, where it
    goes, and when the last one went (so a task run twice in a day sends once). An address typed on
    the page gets nothing but a link until that link is opened: anyone signed in could otherwise
    have a week's summary sent to an address that is not theirs."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="follow_digest")
    weekly = models.BooleanField(default=False)
    address = models.EmailField(blank=True, help_text="where the weekly summary goes, once confirmed")
    confirmed_address = models.EmailField(blank=True, help_text="the last address confirmed by opening the link sent to it")
    link_sent_at = models.DateTimeField(null=True, blank=True, help_text="when the last confirmation link went (one every few minutes at most)")
    last_sent = models.DateField(null=True, blank=True)

    @property
    def confirmed(self) -> bool:
        return bool(self.address) and self.address == self.confirmed_address

    def __str__(self):
        state = "off" if not self.weekly else f"on, to {self.address}" if self.confirmed else f"waiting for {self.address} to be confirmed"
        return f"{self.user}: weekly summary {state}"


class MergeRecord(models.Model):
    """One entity merged into another (`entities.services.entity_merge`), with the twin's own
    fields and what moved, by external id: so the kept entity's page says what was merged in, an
    old link to the twin leads to the entity kept, and a merge made in error can be undone
    (`entity_merge_undo`). `moved` holds, per kind of fact, the keys of the rows the merge moved
    (see `entities.services`); an undo moves back those still on the entity kept."""

    keep = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="merges_in")
    duplicate_external_id = models.CharField(max_length=100, db_index=True)
    duplicate = models.JSONField(help_text="the twin's fields as they were: name, kind, jurisdiction, parent, description, website")
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    merged_by_label = models.CharField(max_length=200, blank=True)
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    undone_by_label = models.CharField(max_length=200, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self):
        state = f", undone {self.undone_at:%Y-%m-%d}" if self.undone_at else ""
        return f"{self.duplicate_external_id} merged into {self.keep_id}{state}"
