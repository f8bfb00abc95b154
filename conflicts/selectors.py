"""Reading flags: the review queue's order, the flags of other apps' pages (an entity's, a pair's)
and flags as flags.csv's rows."""
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Case, CharField, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from .models import Flag, FlagStatusChange
from .rules import SEVERITIES

# Ranks for sorting in the database, whose own order of the names is alphabetical (high, low,
# medium; dismissed before open): what still waits for a decision first, the most severe first.
STATUS_RANK = Case(
    *(When(status=status, then=Value(rank)) for rank, status in enumerate(Flag.Status.values)),
    output_field=IntegerField(),
)
SEVERITY_RANK = Case(
    *(When(severity=severity, then=Value(rank)) for rank, severity in enumerate(reversed(SEVERITIES))),
    output_field=IntegerField(),
)


REVIEW_ORDER = ("status_rank", "severity_rank", "rule", "subject__name", "counterpart__name", "pk")


def in_review_order(flags: QuerySet[Flag]) -> QuerySet[Flag]:
    """Open flags first, then under review, resolved and dismissed; within each, the most severe
    first. Annotated with `status_rank` and `severity_rank` for tables that sort by those columns."""
    return flags.annotate(status_rank=STATUS_RANK, severity_rank=SEVERITY_RANK).order_by(*REVIEW_ORDER)


def with_reviewer(flags: QuerySet[Flag]) -> QuerySet[Flag]:
    """Each flag under review annotated with who took it under review (`reviewer_id`,
    `reviewer_name`: the account of its latest move to under_review; None for the other flags and
    for a move made by the recompute or by an account since deleted)."""
    moved = FlagStatusChange.objects.filter(flag=OuterRef("pk"), to_status=Flag.Status.UNDER_REVIEW).order_by("-changed_at", "-id")
    under_review = Q(status=Flag.Status.UNDER_REVIEW)
    return flags.annotate(
        reviewer_id=Case(When(under_review, then=Subquery(moved.values("changed_by")[:1])), output_field=IntegerField()),
        reviewer_name=Case(When(under_review, then=Subquery(moved.values("changed_by__username")[:1])), output_field=CharField()),
    )


def open_flags() -> QuerySet[Flag]:
    """The flags that hold and still wait for a decision (open or under review)."""
    return Flag.objects.filter(holds=True, status__in=[Flag.Status.OPEN, Flag.Status.UNDER_REVIEW])


def involving(entity) -> Q:
    """Flags on `entity` (as subject, counterpart or one of the persons named), or on any of
    several (a list or set of entities, or a query of their ids): filter then `.distinct()`, as a
    flag may name several of them."""
    if isinstance(entity, (list, set, tuple, QuerySet)):
        return Q(subject__in=entity) | Q(counterpart__in=entity) | Q(persons__in=entity)
    return Q(subject=entity) | Q(counterpart=entity) | Q(persons=entity)


def involved_ids(flag: Flag) -> set[int]:
    """The entities `flag` is on, as `involving` finds them: its subject, counterpart and persons
    named (prefetch `persons` when reading many)."""
    return {flag.subject_id, flag.counterpart_id, *(person.pk for person in flag.persons.all())}


def _of_entity(flags: QuerySet[Flag], entity=None) -> QuerySet[Flag]:
    """`flags` (with `entity`, those involving it as subject, counterpart or one of the persons
    named), with their entities, in review order."""
    if entity is not None:
        flags = flags.filter(involving(entity)).distinct()
    return in_review_order(flags.select_related("subject", "counterpart"))


def flags_involving(entity) -> QuerySet[Flag]:
    """The flags that hold on an entity as subject, counterpart or one of the persons named."""
    return _of_entity(Flag.objects.filter(holds=True), entity)


def flags_between(a, b) -> QuerySet[Flag]:
    """Every flag raised on the pair, either way round: those that hold first, then those whose
    situation has lapsed (kept with their review history, as a recompute never erases a flag)."""
    flags = Flag.objects.filter(Q(subject=a, counterpart=b) | Q(subject=b, counterpart=a)).select_related("subject", "counterpart")
    return in_review_order(flags).order_by("-holds", "status_rank", "severity_rank", "rule")


def flags_raised_after(day, entity=None) -> QuerySet[Flag]:
    """Flags first raised by a recompute with a reference date after `day` (with `entity`, those
    involving it), in review order."""
    return _of_entity(Flag.objects.filter(first_raised_on__gt=day), entity)


def flags_lapsed_after(day, entity=None) -> QuerySet[Flag]:
    """Flags whose situation a recompute with a reference date after `day` found no longer
    holding, and that still do not hold (with `entity`, those involving it), in review order."""
    return _of_entity(Flag.objects.filter(holds=False, lapsed_on__gt=day), entity)


def pairs_with_open_flags() -> set[tuple[int, int]]:
    """The pairs (lower id first) that an open or under-review flag holds on."""
    rows = open_flags().values_list("subject_id", "counterpart_id")
    return {(min(a, b), max(a, b)) for a, b in rows}


def flag_rows(flags: QuerySet[Flag]) -> Iterator[tuple[str, ...]]:
    """`flags` in flags.csv's columns (rule, severity, status, subject, counterpart, persons,
    evidence, disclosed, explanation: the interchange contract), in the queryset's order: for the
    export and for the queue's download of what it lists. Read as tuples, the persons and the
    evidence in one query each (model instances with their prefetched entities and relationships
    took 1.2 s for 5,000 flags, tuples 0.08 s)."""
    rows = list(flags.values_list(
        "pk", "rule", "severity", "status", "subject__external_id", "counterpart__external_id", "disclosed", "explanation",
    ))
    chosen = flags.order_by().values("pk")
    persons, evidence = defaultdict(list), defaultdict(list)
    for through, column, found in ((Flag.persons.through, "entity", persons), (Flag.evidence.through, "relationship", evidence)):
        for flag_id, external_id in through.objects.filter(flag_id__in=chosen).values_list("flag_id", f"{column}__external_id"):
            found[flag_id].append(external_id)
    for pk, rule, severity, status, subject, counterpart, disclosed, explanation in rows:
        yield (rule, severity, status, subject, counterpart, ";".join(sorted(persons[pk])), ";".join(sorted(evidence[pk])),
               "yes" if disclosed else "no", explanation)
