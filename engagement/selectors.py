"""Load the database into the plain facts that engagement/coverage.py and engagement/recusal.py take."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Q

from conflicts.models import Flag
from entities.kinds import Category, Kind
from entities.models import Entity
from relationships.models import Relationship
from relationships.selectors import in_force_on
from relationships.types import AFFILIATION_TYPES, OVERSIGHT_TYPES

from .coverage import AnswerFact, MeetingFact
from .models import Attendance, FeedbackResponse, Meeting
from .recusal import FlagFacts, Party


def agencies_by_meeting(meeting_ids=None, jurisdiction: str = "") -> dict[int, tuple[int, ...]]:
    """The law-enforcement agencies present at each meeting: those that attended, those whose people
    attended (leads, member_of or employed_by in force on the meeting's date, as closeness rolls
    people up), and the law-enforcement units above them (a district's meeting counts for its
    department too). Optionally only meetings in `meeting_ids`, or agencies of one jurisdiction."""
    agency_ids = Entity.objects.filter(category=Category.LAW_ENFORCEMENT)
    if jurisdiction:
        agency_ids = agency_ids.filter(jurisdiction=jurisdiction)
    agency_ids = set(agency_ids.values_list("id", flat=True))
    ties = Relationship.objects.filter(type__in=AFFILIATION_TYPES, target_id__in=agency_ids).order_by()
    people: dict[int, list[tuple]] = defaultdict(list)
    for source, target, start, end in ties.values_list("source_id", "target_id", "start_date", "end_date"):
        people[source].append((target, start, end))
    rows = Attendance.objects.filter(Q(entity_id__in=agency_ids) | Q(entity_id__in=list(people))).order_by()
    if meeting_ids is not None:
        rows = rows.filter(meeting_id__in=meeting_ids)
    parent_of = dict(
        Entity.objects.filter(id__in=agency_ids, parent__category=Category.LAW_ENFORCEMENT).values_list("id", "parent_id")
    )
    agencies: dict[int, set[int]] = defaultdict(set)
    for meeting_id, entity_id, day in rows.values_list("meeting_id", "entity_id", "meeting__date"):
        present = [entity_id] if entity_id in agency_ids else []
        present += [t for t, start, end in people.get(entity_id, ()) if (start is None or start <= day) and (end is None or day <= end)]
        for unit in present:
            while unit is not None and unit not in agencies[meeting_id]:
                agencies[meeting_id].add(unit)
                unit = parent_of.get(unit)
    return {m: tuple(sorted(a)) for m, a in agencies.items() if a}


def agency_names(ids) -> dict[int, tuple[str, str]]:
    return {pk: (name, ext) for pk, name, ext in Entity.objects.filter(pk__in=set(ids)).values_list("pk", "name", "external_id")}


def meeting_facts(*, jurisdiction: str = "") -> list[MeetingFact]:
    """Every meeting with the agencies that attended it. With a jurisdiction, only meetings attended
    by an entity of that jurisdiction, and only that jurisdiction's agencies."""
    meetings = Meeting.objects.all()
    if jurisdiction:
        meetings = meetings.filter(attendance__entity__jurisdiction=jurisdiction).distinct()
    agencies = agencies_by_meeting(jurisdiction=jurisdiction)
    return [
        MeetingFact(date=day, type=kind, neighborhood=hood, agencies=agencies.get(pk, ()))
        for pk, day, kind, hood in meetings.values_list("pk", "date", "type", "neighborhood").order_by("date", "pk")
    ]


def jurisdictions() -> list[str]:
    return list(
        Entity.objects.exclude(jurisdiction="").order_by("jurisdiction").values_list("jurisdiction", flat=True).distinct()
    )


def answer_facts(*, jurisdiction: str = "", start: date | None = None, end: date | None = None) -> list[AnswerFact]:
    answers = FeedbackResponse.objects.all()
    if jurisdiction:
        answers = answers.filter(survey__meeting__attendance__entity__jurisdiction=jurisdiction).distinct()
    if start:
        answers = answers.filter(survey__meeting__date__gte=start)
    if end:
        answers = answers.filter(survey__meeting__date__lte=end)
    rows = list(answers.values_list("survey__meeting_id", "survey__meeting__date", "survey__meeting__neighborhood", "trust", "felt_heard"))
    agencies = agencies_by_meeting({r[0] for r in rows}, jurisdiction=jurisdiction)
    # dated by the meeting, not by when the answer came in
    return [AnswerFact(date=day, neighborhood=hood, agencies=agencies.get(m, ()), trust=trust, felt_heard=heard)
            for m, day, hood, trust, heard in rows]


def _party(entity: Entity) -> Party:
    return Party(id=entity.pk, external_id=entity.external_id, name=entity.name, kind=entity.kind, kind_label=Kind(entity.kind).label)


def open_flag_facts() -> list[FlagFacts]:
    """Facts about every flag the latest recompute raised that is open or under review.

    Relationships are judged on the date each flag was last evaluated (one date for all flags after
    a recompute), and read in one query per date rather than per flag."""
    flags = list(
        Flag.objects.filter(holds=True, status__in=[Flag.Status.OPEN, Flag.Status.UNDER_REVIEW])
        .select_related("subject", "counterpart")
        .prefetch_related("persons")
    )
    flags_by_day: dict[date, list[Flag]] = defaultdict(list)
    for flag in flags:
        flags_by_day[flag.last_evaluated_on].append(flag)
    facts = []
    for day, day_flags in flags_by_day.items():
        subjects = {f.subject_id for f in day_flags}
        rels = in_force_on(Relationship.objects.filter(
            Q(source__in=subjects, type__in=[*OVERSIGHT_TYPES, "member_of", "leads"])
            | Q(target__in=subjects, type__in=["member_of", "leads"])
        ), day).values_list("source_id", "target_id", "type")
        powers: dict[tuple[int, int], set[str]] = defaultdict(set)
        seats: dict[int, set[int]] = defaultdict(set)  # body -> persons who lead or sit on it
        bodies_of: dict[int, set[int]] = defaultdict(set)  # official -> bodies they sit on
        for source, target, rel_type in rels:
            if rel_type in OVERSIGHT_TYPES:
                powers[(source, target)].add(rel_type)
            else:
                seats[target].add(source)
                bodies_of[source].add(target)
        body_ids = {b for s in subjects for b in bodies_of.get(s, ())}
        if body_ids:
            # an official overseeing through a body they sit on (CONTRIBUTION_FROM_OVERSEEN)
            for source, target, rel_type in in_force_on(
                Relationship.objects.filter(source__in=body_ids, type__in=OVERSIGHT_TYPES), day
            ).values_list("source_id", "target_id", "type"):
                powers[(source, target)].add(rel_type)
        for flag in day_flags:
            persons = list(flag.persons.all())
            flag_powers = powers.get((flag.subject_id, flag.counterpart_id)) or {
                t for body in bodies_of.get(flag.subject_id, ()) for t in powers.get((body, flag.counterpart_id), ())
            }
            facts.append(FlagFacts(
                flag_id=flag.pk, rule=flag.rule, status=flag.status,
                subject=_party(flag.subject), counterpart=_party(flag.counterpart),
                persons=tuple(_party(p) for p in persons),
                powers=frozenset(flag_powers),
                seated_person_ids=frozenset(p.pk for p in persons if p.pk in seats.get(flag.subject_id, ())),
            ))
    return facts
