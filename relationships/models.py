from django.db import models
from django.db.models import F, Q

from core.models import TimeStampedModel
from core.paging import DeferredJoinQuerySet
from core.validation import AMOUNT_PLACES, RATING_PLACES, ends_by_id, external_id_problems, raise_for_problems, relationship_problems

from .types import MONEY_TYPES, ONE_OFF_TYPES, RelationshipType, is_symmetric


class Relationship(TimeStampedModel):
    """A dated fact `source -> target` (a row of relationships.csv): oversight, money, jobs, ties."""

    external_id = models.CharField(max_length=100, unique=True)
    source = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="relationships_out")
    target = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="relationships_in")
    type = models.CharField(max_length=32, choices=RelationshipType.choices)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text="Empty: still in force.")
    amount = models.DecimalField(max_digits=16, decimal_places=AMOUNT_PLACES, null=True, blank=True)
    analyst_score = models.DecimalField(max_digits=4, decimal_places=RATING_PLACES, null=True, blank=True)
    source_url = models.CharField("source URL", max_length=1000, blank=True)
    notes = models.TextField(blank=True)

    # listed 50 a page by the pages and the API, to the last page
    objects = DeferredJoinQuerySet.as_manager()

    class Meta:
        ordering = ["external_id"]
        indexes = [
            models.Index(fields=["source", "type"]),
            models.Index(fields=["target", "type"]),
            models.Index(fields=["type", "start_date"]),
            models.Index(fields=["end_date"]),
            # the newest facts first (the overview's, dated up to today): read from the top, not sorted
            models.Index(fields=["-start_date"], name="relationship_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=RelationshipType.values), name="relationship_type_known"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="relationship_source_not_target"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="relationship_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="relationship_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(type__in=sorted(MONEY_TYPES)) | Q(amount__isnull=False),
                name="relationship_money_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(analyst_score__isnull=True) | Q(analyst_score__gte=0, analyst_score__lte=10),
                name="relationship_analyst_score_0_10",
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.get_type_display()} {self.target}"

    @property
    def end_in_words(self) -> str:
        """Its end as the evidence tables show it: the end date, "one-off" for a contribution or an
        endorsement (dated by its start alone), else "in force"."""
        if self.end_date:
            return self.end_date.isoformat()
        return "one-off" if self.type in ONE_OFF_TYPES else "in force"

    @property
    def held_in_words(self) -> str:
        """When it held, in a line of text: "since 2026-03-02", "2026-03-02" for a one-off,
        "2019-01-01 to 2024-06-30", "until 2024-06-30", or "undated"."""
        start, end = self.start_date, self.end_date
        if start is None:
            return f"until {end.isoformat()}" if end else "undated"
        if end:
            return f"{start.isoformat()} to {end.isoformat()}"
        return start.isoformat() if self.type in ONE_OFF_TYPES else f"since {start.isoformat()}"

    @property
    def odd_reading(self) -> list[str]:
        """Why this tie most likely reads the wrong way round, or has a date or an amount nothing reads, if it does
        (`relationships.checks`)."""
        from .checks import TieRow, odd_ties

        source, target = self.source, self.target
        kinds = {source.external_id: source.kind, target.external_id: target.kind}
        return [odd.message for odd in odd_ties([TieRow(0, source.external_id, target.external_id, self.type, self.end_date is not None,
                                                           self.amount is not None, self.start_date is None)], kinds)]

    @property
    def symmetric(self) -> bool:
        return is_symmetric(self.type)

    def clean(self):
        raise_for_problems(
            external_id_problems(self.external_id)
            + relationship_problems(
                type=self.type,
                **ends_by_id(self),
                start_date=self.start_date,
                end_date=self.end_date,
                amount=self.amount,
                analyst_score=self.analyst_score,
            ),
            instance=self,
        )


class Disclosure(TimeStampedModel):
    """A declared relationship: someone told the public or their superiors about a tie."""

    external_id = models.CharField(max_length=100, unique=True)
    discloser = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="disclosures")
    relationship = models.ForeignKey(Relationship, on_delete=models.PROTECT, related_name="disclosures")
    disclosed_on = models.DateField()
    statement = models.TextField(blank=True)
    # where it is on file (a filing, a letter, the minutes it was read into): provenance, as a
    # relationship's; published on the public register only with the statement
    source_url = models.CharField("source URL", max_length=1000, blank=True,
                                  help_text="Where this disclosure is on file: a filing, a letter, minutes.")
    # Not part of disclosures.csv: set by an administrator when the discloser agreed to publish the
    # statement on the public register (db_default so bulk imports that omit it read False).
    statement_public = models.BooleanField(
        "statement may be published", default=False, db_default=False,
        help_text="The discloser allowed their statement on the public disclosure register.",
    )

    class Meta:
        ordering = ["external_id"]
        indexes = [models.Index(fields=["relationship", "disclosed_on"])]

    def __str__(self):
        return f"{self.discloser} disclosed {self.relationship.external_id} on {self.disclosed_on}"

    def clean(self):
        raise_for_problems(external_id_problems(self.external_id), instance=self)
