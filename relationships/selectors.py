"""Reads of relationships shared by pages, the API and other apps."""
from datetime import date

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import Greatest, Least

from core.dates import after_today_note

from .checks import (CHECKED_TYPES, CHECKED_WHEN_ENDED, CHECKED_WHEN_UNDATED, NOTES_PER_CHECK, DisclosureRow, FactRow, TieRow,
                     early_disclosures, facts_given_again, odd_ties, repeated_facts)
from .types import MONEY_TYPES


def in_force_on(queryset: QuerySet, day: date) -> QuerySet:
    """Relationships started on or before `day` (or undated) and not ended before it."""
    return queryset.filter(Q(start_date__isnull=True) | Q(start_date__lte=day)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )


# no source URL, or only spaces: a fact a reader cannot check
UNSOURCED = Q(source_url__regex=r"^\s*$")


def unsourced(queryset: QuerySet | None = None) -> QuerySet:
    """Relationships with no source URL: facts a reader cannot check."""
    from .models import Relationship

    return (Relationship.objects.all() if queryset is None else queryset).filter(UNSOURCED)


def disclosure_sources() -> dict:
    """How many disclosures there are, and how many say nowhere where they are on file."""
    from .models import Disclosure

    return Disclosure.objects.aggregate(total=Count("id"), unsourced=Count("id", filter=UNSOURCED))


def sources_by_type() -> list[dict]:
    """For each relationship type present: how many relationships, and how many have a source."""
    from .models import Relationship
    from .types import RelationshipType

    counts = Relationship.objects.values("type").annotate(
        total=Count("id"), sourced=Count("id", filter=~UNSOURCED)
    ).order_by("type")
    return [{**row, "label": RelationshipType(row["type"]).label, "unsourced": row["total"] - row["sourced"]} for row in counts]


def odd_parent_units() -> tuple[list[tuple], int]:
    """The entities whose parent unit reads oddly (a person's, or a person as one: `relationships.checks`),
    the first NOTES_PER_CHECK as (entity, why), and how many there are in all."""
    from entities.kinds import PERSON_KINDS
    from entities.models import Entity

    # every one of these reads oddly (counted as such): tests/relationships/test_checks.py holds the
    # filter to `odd_parent`
    candidates = (Entity.objects.filter(Q(kind__in=PERSON_KINDS, parent__isnull=False) | Q(parent__kind__in=PERSON_KINDS))
                  .select_related("parent").order_by("external_id"))
    listed = [(e, why) for e in candidates[:NOTES_PER_CHECK] for why in e.odd_reading]
    return listed, candidates.count()


def repeated_relationships() -> tuple[list[tuple], int]:
    """The stored relationships that give the same fact as another (`relationships.checks.repeated_facts`):
    the first NOTES_PER_CHECK as (relationship, why), and how many there are in all."""
    from .models import Relationship

    found = repeated_facts(relationships_sharing_their_fact())
    listed = [f for f in found if not f.more]
    by_pk = Relationship.objects.select_related("source", "target").in_bulk([f.at for f in listed])
    return [(by_pk[f.at], f.message) for f in listed], len(listed) + sum(f.more for f in found)


def saving_warnings(relationship) -> list[str]:
    """What to tell whoever just saved `relationship` (the admin's warnings, the API's `warnings` in
    the answer to a write): why it most likely reads the wrong way round or carries a date or an
    amount nothing reads, and another stored relationship giving the same fact under another id."""
    from .models import Relationship

    def fact(rel) -> FactRow:
        return FactRow(rel.pk, rel.external_id, rel.source.external_id, rel.target.external_id, rel.type, rel.start_date, rel.end_date,
                       rel.amount)

    ends = Q(source=relationship.source_id, target=relationship.target_id) | Q(source=relationship.target_id, target=relationship.source_id)
    others = (Relationship.objects.filter(ends, type=relationship.type, start_date=relationship.start_date, end_date=relationship.end_date,
                                          amount=relationship.amount)
              .exclude(pk=relationship.pk).select_related("source", "target").order_by("external_id"))
    return relationship.odd_reading + [repeat.message for repeat in facts_given_again([fact(rel) for rel in others], [fact(relationship)])]


DISCLOSURE_COUNTS = "counts as a disclosure"  # from when a disclosure dated after today counts (`core.dates.after_today_note`)


def disclosure_warnings(disclosure, today: date) -> list[str]:
    """What to tell whoever just saved `disclosure` (the admin's warnings, the API's `warnings` in
    the answer to a write): a date after today, or before the relationship it discloses began
    (`relationships.checks.early_disclosures`); the import notes the same."""
    relationship, day = disclosure.relationship, disclosure.disclosed_on
    warnings = [after_today_note(disclosure.external_id, day, today, DISCLOSURE_COUNTS)] if day > today else []
    early = early_disclosures([DisclosureRow(0, disclosure.external_id, relationship.external_id, day, relationship.start_date)])
    return warnings + [odd.message for odd in early]


def relationships_sharing_their_fact() -> list[FactRow]:
    """The stored relationships (`at` their id), by external id, that share their two ends (either
    way round), type, dates and amount with another: a superset of the facts given twice, which
    `relationships.checks` then judges."""
    from entities.models import Entity

    from .models import Relationship

    # reading every relationship took 0.45 s at 100,000; asking whether any such group exists takes
    # 0.1 s, and listing its rows 0.2 s more
    ends = {"low": Least("source_id", "target_id"), "high": Greatest("source_id", "target_id")}
    same = ["low", "high", "type", "start_date", "end_date", "amount"]
    if not Relationship.objects.order_by().annotate(**ends).values(*same).annotate(n=Count("id")).filter(n__gt=1).exists():
        return []
    rows = list(Relationship.objects.annotate(**ends).annotate(sharing=Window(Count("id"), partition_by=[F(c) for c in same]))
                .filter(sharing__gt=1)
                .order_by("external_id").values_list("pk", "external_id", "source_id", "target_id", "type", "start_date", "end_date", "amount"))
    ext_of = dict(Entity.objects.filter(pk__in={pk for row in rows for pk in row[2:4]}).values_list("pk", "external_id"))
    return [FactRow(pk, external_id, ext_of[source], ext_of[target], rel_type, start, end, amount)
            for pk, external_id, source, target, rel_type, start, end, amount in rows]


def odd_relationship_candidates():
    """The stored relationships a check of `relationships.checks` could find odd, by their type and
    which of their fields are set (the checks then judge the ends' kinds): reading only these keeps
    the Sources page quick. A new check must widen this; tests/relationships/test_checks.py fails
    until it does."""
    from .models import Relationship

    return Relationship.objects.filter(
        Q(type__in=CHECKED_TYPES) | Q(type__in=CHECKED_WHEN_ENDED, end_date__isnull=False)
        | Q(type__in=CHECKED_WHEN_UNDATED, start_date__isnull=True) | (Q(amount__isnull=False) & ~Q(type__in=MONEY_TYPES)))


def odd_relationships() -> tuple[list[tuple], int]:
    """The stored relationships that most likely read the wrong way round (`relationships.checks`):
    the first of each check as (relationship, why), and how many there are in all."""
    from entities.models import Entity

    from .models import Relationship

    # two plain reads joined here: joining entities twice in SQL took 0.8 s for 60,000 ties
    ext_of, kind_of = {}, {}
    for pk, external_id, kind in Entity.objects.values_list("pk", "external_id", "kind"):
        ext_of[pk], kind_of[external_id] = external_id, kind
    # which fields are set, as booleans from the database: reading the dates and amounts themselves
    # (to test them for None) cost as much as the rest of the read
    is_set = {name: ExpressionWrapper(Q(**{f"{field}__isnull": null}), output_field=BooleanField())
              for name, field, null in (("ended", "end_date", False), ("has_amount", "amount", False), ("undated", "start_date", True))}
    candidates = odd_relationship_candidates().annotate(**is_set).order_by("external_id")
    rows = [TieRow(pk, ext_of[source], ext_of[target], rel_type, ended, has_amount, undated)
            for pk, rel_type, source, target, ended, has_amount, undated in candidates.values_list(
                "pk", "type", "source_id", "target_id", "ended", "has_amount", "undated")]
    odd = odd_ties(rows, kind_of)
    listed = [o for o in odd if not o.more]
    by_pk = Relationship.objects.select_related("source", "target").in_bulk([o.at for o in listed])
    return [(by_pk[o.at], o.message) for o in listed], len(listed) + sum(o.more for o in odd)


def deletion_refused(relationship) -> str:
    """Why an analyst may not delete a relationship (on its page, or by the API), or "": a flag
    cites it or someone disclosed it (a finding or a declaration rests on it: an administrator
    decides, in the admin)."""
    if relationship.flags.exists():
        return "a conflict-of-interest flag cites it as evidence"
    if relationship.disclosures.exists():
        return "someone disclosed it"
    return ""
