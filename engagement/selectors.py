"""Load the database into the plain facts that engagement/coverage.py and engagement/recusal.py take."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np
from django.db.models import Count, Exists, OuterRef, Q

from conflicts.models import Flag
from conflicts.selectors import open_flags
from core.bulk import day_number_sql, in_ids_sql, read_fixed_width
from entities.kinds import Category, Kind
from entities.models import Entity
from relationships.models import Relationship
from relationships.selectors import UNSOURCED, in_force_on
from relationships.types import AFFILIATION_TYPES, OVERSIGHT_TYPES

from .checks import MeetingRow, repeated_meetings
from .coverage import AnswerFact, MeetingFact
from .models import Attendance, FeedbackResponse, Meeting, MeetingNewcomer
from .types import MeetingType
from .recusal import FlagFacts, Party


def meetings_by_source(queryset, has_source: bool):
    """The meetings of `queryset` that cite a source (minutes, an agenda, a notice), or those that
    do not (the meetings lists' and the API's "has a source" filter)."""
    return queryset.exclude(UNSOURCED) if has_source else queryset.filter(UNSOURCED)


def meeting_sources_by_type() -> list[dict]:
    """For each meeting type present: how many meetings, and how many cite a source."""
    counts = Meeting.objects.values("type").annotate(total=Count("id"), sourced=Count("id", filter=~UNSOURCED)).order_by("type")
    return [{**row, "label": MeetingType(row["type"]).label, "unsourced": row["total"] - row["sourced"]} for row in counts]


def meeting_given_twice(meeting: Meeting) -> Meeting | None:
    """Another stored meeting with this one's day, type and attendees (`engagement.checks`), if any:
    most likely the same meeting, logged twice."""
    same_day = list(Meeting.objects.filter(date=meeting.date, type=meeting.type).order_by("pk"))
    attendees: dict[int, set[str]] = defaultdict(set)
    for meeting_id, entity in Attendance.objects.filter(meeting__in=same_day).values_list("meeting_id", "entity__external_id"):
        attendees[meeting_id].add(entity)
    # this one first, so that a repeat of it names it as the earlier; only the meetings with its
    # attendees, so that other meetings of the day repeating each other cannot fill the notes first
    rows = [MeetingRow(m.pk, m.external_id, m.date, m.type, frozenset(attendees[m.pk]))
            for m in sorted(same_day, key=lambda m: m.pk != meeting.pk) if attendees[m.pk] == attendees[meeting.pk]]
    others = {m.pk: m for m in same_day}
    return next((others[r.at] for r in repeated_meetings(rows) if r.first_at == meeting.pk and not r.more), None)


def meetings_to_compare_with_stored(given: dict[str, date]) -> tuple[list[MeetingRow], list[MeetingRow]]:
    """For the `given` meetings (external id -> day, all stored): the stored meetings that are not
    among them and have the day and type of one that is, and those given meetings, each with its
    attendees (`at` the meeting's id). Both empty when no other meeting shares a day with them."""
    if not given:
        return [], []
    on_those_days = list(Meeting.objects.filter(date__in=set(given.values())).values_list("pk", "external_id", "date", "type"))
    others = [m for m in on_those_days if m[1] not in given]
    days_and_types = {(day, kind) for _, _, day, kind in others}
    ours = [m for m in on_those_days if m[1] in given and (m[2], m[3]) in days_and_types]
    if not ours:
        return [], []
    ours_days_and_types = {(day, kind) for _, _, day, kind in ours}
    others = [m for m in others if (m[2], m[3]) in ours_days_and_types]
    attendees: dict[int, set[str]] = defaultdict(set)
    for meeting_id, entity in Attendance.objects.filter(meeting__in=[m[0] for m in others + ours]).values_list("meeting_id", "entity__external_id"):
        attendees[meeting_id].add(entity)

    def rows(meetings):
        return [MeetingRow(pk, external_id, day, kind, frozenset(attendees[pk])) for pk, external_id, day, kind in sorted(meetings, key=lambda m: m[1])]

    return rows(others), rows(ours)


def repeated_stored_meetings() -> tuple[list[tuple[Meeting, str]], int]:
    """The stored meetings with the day, type and attendees of another (`engagement.checks`): the
    first NOTES_PER_CHECK as (meeting, why), and how many there are in all.

    Every attendance row is read, as two integer columns (about 0.25 s at a million rows on
    PostgreSQL), and each meeting's attendees summed as a fingerprint: only meetings whose day,
    type, size and fingerprint another shares are candidates, read again as ids for the check to
    judge exactly."""
    att_meeting, att_entity = read_fixed_width(f"SELECT meeting_id, entity_id FROM {Attendance._meta.db_table}", ["int8", "int8"])
    if not len(att_meeting):
        return [], 0
    order = np.argsort(att_meeting, kind="stable")
    att_meeting, att_entity = att_meeting[order], att_entity[order]
    meeting_ids, starts, sizes = np.unique(att_meeting, return_index=True, return_counts=True)
    # a mixed hash of each attendee, summed with wrap-around: the same set gives the same sum
    mixed = (att_entity.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(31)
    with np.errstate(over="ignore"):
        fingerprints = np.add.reduceat(mixed, starts).view(np.int64)
    types = list(MeetingType.values)
    type_code = "CASE type " + " ".join(f"WHEN '{value}' THEN {code}" for code, value in enumerate(types)) + f" ELSE {len(types)} END"
    ids, days, type_codes = read_fixed_width(
        f"SELECT id, CAST({day_number_sql('date')} AS BIGINT), CAST({type_code} AS BIGINT) FROM {Meeting._meta.db_table} ORDER BY id",
        ["int8", "int8", "int8"])
    at = np.searchsorted(ids, meeting_ids)
    # the meetings of more than one attendee (one makes no pair) whose day, type, size and fingerprint another has
    key = np.stack([days[at], type_codes[at], sizes, fingerprints])[:, sizes > 1]
    keyed_ids = meeting_ids[sizes > 1]
    _, group, group_size = np.unique(key, axis=1, return_inverse=True, return_counts=True)
    candidates = sorted(keyed_ids[group_size[group.ravel()] > 1].tolist())
    if not candidates:
        return [], 0
    attendees: dict[int, set[str]] = defaultdict(set)
    for meeting_id, entity in Attendance.objects.filter(meeting__in=candidates).values_list("meeting_id", "entity__external_id"):
        attendees[meeting_id].add(entity)
    meetings = Meeting.objects.in_bulk(candidates)
    rows = sorted((MeetingRow(pk, m.external_id, m.date, m.type, frozenset(attendees[pk])) for pk, m in meetings.items()),
                  key=lambda row: row.external_id)
    found = repeated_meetings(rows)
    listed = [f for f in found if not f.more]
    return [(meetings[f.at], f.message) for f in listed], len(listed) + sum(f.more for f in found)


def logging_warnings(meeting: Meeting, today: date) -> list[str]:
    """What to tell whoever just logged or corrected `meeting` (the page's warnings, the API's
    `warnings`): a date after today (most likely a mistyped year; it counts for nothing until then),
    and another meeting with its day, type and attendees (most likely the same one, logged twice)."""
    warnings = []
    if meeting.date > today:
        warnings.append(f"“{meeting.title}” is dated {meeting.date.isoformat()}, after today: it counts toward closeness only "
                        "from that day. Correct the date if it is a mistake.")
    other = meeting_given_twice(meeting)
    if other is not None:
        source = f"logged by {other.logged_by.username}" if other.logged_by else "imported or entered in the admin"
        warnings.append(f"“{meeting.title}” looks like the same meeting as “{other.title}” ({other.external_id}, {source}): the "
                        "same day, type and attendees. Both count, so every pair there meets twice; if it is one meeting, delete one.")
    return warnings


def agencies_by_meeting(meeting_ids=None, jurisdiction: str = "", between: tuple[date, date] | None = None) -> dict[int, tuple[int, ...]]:
    """The law-enforcement agencies present at each meeting: those that attended, those whose people
    attended (leads, member_of or employed_by in force on the meeting's date: the closeness
    engine's own roll-up, `present_rows`), and the law-enforcement units above them (a district's
    meeting counts for its department too). Optionally only meetings in `meeting_ids` or held
    `between` two days (inclusive), or agencies of one jurisdiction. Read as columns and rolled up in compiled code: at 50,000 meetings and a
    million attendance rows, a Python loop over the rows took a second of the coverage page."""
    from scoring.engine.data import NO_END, NO_START
    from scoring.engine.pair_product import present_rows

    agencies_sql = f"SELECT id FROM {Entity._meta.db_table} WHERE category = %s" + (" AND jurisdiction = %s" if jurisdiction else "")
    agencies_params = [Category.LAW_ENFORCEMENT.value] + ([jurisdiction] if jurisdiction else [])
    affiliation_types = sorted(AFFILIATION_TYPES)
    type_marks = ", ".join(["%s"] * len(affiliation_types))
    relationships = Relationship._meta.db_table
    meetings_filter, meetings_params = "", []
    if meeting_ids is not None:
        if not meeting_ids:
            return {}
        where, meetings_params = in_ids_sql("a.meeting_id", sorted(meeting_ids))
        meetings_filter = f" AND {where}"
    if between is not None:
        meetings_filter += " AND m.date BETWEEN %s AND %s"
        meetings_params = [*meetings_params, *between]
    att_meeting, att_entity, att_day = read_fixed_width(
        f"SELECT a.meeting_id, a.entity_id, CAST({day_number_sql('m.date')} AS BIGINT) "
        f"FROM {Attendance._meta.db_table} a JOIN {Meeting._meta.db_table} m ON m.id = a.meeting_id "
        f"WHERE (a.entity_id IN ({agencies_sql}) OR a.entity_id IN (SELECT r.source_id FROM {relationships} r "
        f"WHERE r.type IN ({type_marks}) AND r.target_id IN ({agencies_sql}))){meetings_filter}",
        ["int8"] * 3,
        params=[*agencies_params, *affiliation_types, *agencies_params, *meetings_params],
    )
    if not len(att_meeting):
        return {}
    affiliations = read_fixed_width(
        f"SELECT source_id, target_id, CAST(COALESCE({day_number_sql('start_date')}, {NO_START}) AS BIGINT), "
        f"CAST(COALESCE({day_number_sql('end_date')}, {NO_END}) AS BIGINT) FROM {relationships} "
        f"WHERE type IN ({type_marks}) AND target_id IN ({agencies_sql})",
        ["int8"] * 4,
        params=[*affiliation_types, *agencies_params],
    )
    agencies_of = Entity.objects.filter(category=Category.LAW_ENFORCEMENT, **({"jurisdiction": jurisdiction} if jurisdiction else {}))
    agency_ids = np.array(sorted(agencies_of.values_list("id", flat=True)), np.int64)
    # meetings as positions, each with its day
    meeting_list, position = np.unique(att_meeting, return_inverse=True)
    meeting_day = np.zeros(len(meeting_list), np.int64)
    meeting_day[position] = att_day
    rows_m, rows_e = present_rows(position.astype(np.int64), att_entity, meeting_day, int(meeting_day.max()), affiliations)
    is_agency = np.isin(rows_e, agency_ids)
    rows_m, rows_e = rows_m[is_agency], rows_e[is_agency]
    # the units above each agency present, level by level
    parent_of = dict(
        Entity.objects.filter(id__in=agency_ids.tolist(), parent__category=Category.LAW_ENFORCEMENT).values_list("id", "parent_id")
    )
    found_m, found_e = [rows_m], [rows_e]
    level_m, level_e = rows_m, rows_e
    while len(level_e) and parent_of:
        parents = np.array([parent_of.get(e, -1) for e in level_e.tolist()], np.int64)
        has_parent = parents >= 0
        level_m, level_e = level_m[has_parent], parents[has_parent]
        found_m.append(level_m)
        found_e.append(level_e)
    width = int(agency_ids.max(initial=0)) + 1
    keys = np.unique(np.concatenate(found_m) * width + np.concatenate(found_e))  # by meeting, then agency
    meeting_of, agency_of = keys // width, keys % width
    agencies: dict[int, tuple[int, ...]] = {}
    starts = np.flatnonzero(np.diff(meeting_of, prepend=-1))
    for first, last in zip(starts.tolist(), [*starts[1:].tolist(), len(keys)]):
        agencies[int(meeting_list[meeting_of[first]])] = tuple(agency_of[first:last].tolist())
    return agencies


def agency_names(ids) -> dict[int, tuple[str, str]]:
    return {pk: (name, ext) for pk, name, ext in Entity.objects.filter(pk__in=set(ids)).values_list("pk", "name", "external_id")}


def meeting_facts(*, jurisdiction: str = "", agencies_between: tuple[date, date] | None = None) -> list[MeetingFact]:
    """Every meeting with the agencies that attended it. With a jurisdiction, only meetings attended
    by an entity of that jurisdiction, and only that jurisdiction's agencies. With
    `agencies_between`, only the meetings held between those days (inclusive) have their agencies
    read: the coverage report counts agencies in its period alone, and the roll-up of every
    meeting's agencies was most of its page (0.54 of 0.9 s at 50,000 meetings)."""
    meetings = Meeting.objects.all()
    if jurisdiction:
        meetings = meetings.filter(attendance__entity__jurisdiction=jurisdiction).distinct()
    agencies = agencies_by_meeting(jurisdiction=jurisdiction, between=agencies_between)
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


def open_flag_facts() -> list[FlagFacts]:
    """Facts about every flag the latest recompute raised that is open or under review.

    Relationships are judged on the date each flag was last evaluated (one date for all flags after
    a recompute), and read in one query per date rather than per flag. Flags, their persons and
    the entities they name are read as tuples: thousands of open flags as model instances with
    their entities and persons took most of a second."""
    waiting = open_flags().order_by()
    flags_by_day: dict[date, list[tuple]] = defaultdict(list)
    for flag in waiting.values_list("pk", "rule", "status", "subject_id", "counterpart_id", "last_evaluated_on"):
        flags_by_day[flag[5]].append(flag)
    persons_of: dict[int, list[int]] = defaultdict(list)
    persons = Flag.persons.through.objects.filter(flag__in=waiting.values("pk"))
    for flag_id, entity_id in persons.values_list("flag_id", "entity_id"):
        persons_of[flag_id].append(entity_id)
    named = Entity.objects.filter(
        Q(pk__in=waiting.values("subject_id")) | Q(pk__in=waiting.values("counterpart_id")) | Q(pk__in=persons.values("entity_id"))
    ).order_by()
    party = {pk: Party(id=pk, external_id=external_id, name=name, kind=kind, kind_label=Kind(kind).label)
             for pk, external_id, name, kind in named.values_list("pk", "external_id", "name", "kind")}
    facts = []
    for day, day_flags in flags_by_day.items():
        subjects = {subject for _, _, _, subject, _, _ in day_flags}
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
        for flag_id, rule, status, subject, counterpart, _ in day_flags:
            if subject not in party or counterpart not in party:
                continue  # closed by a recompute that committed between these reads: gone on the next
            flag_persons = [p for p in persons_of.get(flag_id, []) if p in party]
            flag_powers = powers.get((subject, counterpart)) or {
                t for body in bodies_of.get(subject, ()) for t in powers.get((body, counterpart), ())
            }
            facts.append(FlagFacts(
                flag_id=flag_id, rule=rule, status=status,
                subject=party[subject], counterpart=party[counterpart],
                persons=tuple(party[p] for p in flag_persons),
                powers=frozenset(flag_powers),
                seated_person_ids=frozenset(p for p in flag_persons if p in seats.get(subject, ())),
            ))
    return facts


def meetings_attended(entity: Entity, limit: int = 20) -> list[tuple[Meeting, bool, list[Entity]]]:
    """The latest `limit` meetings an entity was at, newest first: itself, or through one of its
    people (who led it, sat on it or worked for it on the meeting's day: the roll-up the closeness
    engine makes). Each as (meeting, present itself, the people who stood for it there)."""
    affiliations = Relationship.objects.filter(target=entity, type__in=AFFILIATION_TYPES)
    its_people_on_the_day = in_force_on(affiliations.filter(source=OuterRef("entity")), OuterRef("meeting__date"))
    # the attendance of the entity and its people by index first: with the condition alone, PostgreSQL
    # tested it on every attendance row (1.8 s for a person at a million rows)
    candidates = {entity.pk, *affiliations.values_list("source", flat=True)}
    present = Attendance.objects.filter(entity__in=candidates).filter(Q(entity=entity) | Exists(its_people_on_the_day))
    meetings = list(Meeting.objects.filter(pk__in=present.values("meeting")).order_by("-date", "-id")[:limit])
    in_person, people = set(), defaultdict(list)
    for row in present.filter(meeting__in=meetings).select_related("entity").order_by("entity__name"):
        if row.entity_id == entity.pk:
            in_person.add(row.meeting_id)
        else:
            people[row.meeting_id].append(row.entity)
    return [(meeting, meeting.pk in in_person, people[meeting.pk]) for meeting in meetings]


def organisations_represented(meeting: Meeting) -> list[tuple[Entity, list[Entity]]]:
    """The organisations present at a meeting through its attendees (who led them, sat on them or
    worked for them on the meeting's day: the roll-up the closeness engine makes), by name, each
    with the attendees who stood for it. An organisation that attended itself is not repeated."""
    attendees = {row.entity_id: row.entity for row in meeting.attendance.select_related("entity")}
    ties = in_force_on(
        Relationship.objects.filter(source__in=attendees, type__in=AFFILIATION_TYPES).exclude(target__in=attendees), meeting.date
    ).select_related("target")
    people = defaultdict(dict)
    for tie in ties:
        people[tie.target][tie.source_id] = attendees[tie.source_id]
    return [
        (organisation, sorted(by_id.values(), key=lambda person: person.name))
        for organisation, by_id in sorted(people.items(), key=lambda item: item[0].name)
    ]


def meeting_newcomers(*, unchecked_only: bool = True):
    """The people added while meetings were logged (by default only those no analyst has checked
    yet: the Sources page's list), newest first, with their meeting and who added them."""
    newcomers = MeetingNewcomer.objects.select_related("entity", "meeting", "added_by")
    return newcomers.filter(checked_at__isnull=True) if unchecked_only else newcomers



def newcomers_waiting(user) -> int:
    """How many of the people `user` added while logging meetings no analyst has checked yet."""
    return MeetingNewcomer.objects.filter(added_by=user, checked_at__isnull=True).count()
