"""Reads the database into the engine's plain data (queries in, dataclasses and arrays out)."""
from __future__ import annotations

import numpy as np
from django.db import connection

from core.bulk import day_number_sql, id_array, in_ids_sql, is_postgres, read_fixed_width, read_int_columns
from engagement.models import Attendance, Meeting
from engagement.types import MeetingType
from entities.models import Entity
from relationships.models import Relationship
from relationships.types import AFFILIATION_TYPES, RelationshipType

from .engine.data import NO_END, NO_START, EntityRecord, Evidence, MeetingTable, RelationshipColumns, RelationshipRecord


def load_entities() -> dict[int, EntityRecord]:
    # one plain query, as for the relationships (the ORM's chunked server-side cursor took twice as long)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, kind, parent_id, external_id, name FROM {Entity._meta.db_table} ORDER BY id")
        return {row[0]: EntityRecord(*row) for row in cursor.fetchall()}


def _relationship_selection(entity_scope: set[int] | None, types: frozenset[str] | None) -> tuple[str, list]:
    """The WHERE clause (or none) and its parameters for the relationships a loader reads: all, or
    what scoring pairs that touch `entity_scope` needs (the scope's own relationships and every
    affiliation, for the roll-up of people at the meetings it attended), or those of `types`."""
    if entity_scope is not None:
        scope = sorted(entity_scope)
        marks = ", ".join(["%s"] * len(scope)) or "NULL"
        affiliations = ", ".join(["%s"] * len(AFFILIATION_TYPES))
        return (f" WHERE source_id IN ({marks}) OR target_id IN ({marks}) OR type IN ({affiliations})",
                scope + scope + sorted(AFFILIATION_TYPES))
    if types is not None:
        return f" WHERE type IN ({', '.join(['%s'] * len(types))})", sorted(types)
    return "", []


def load_relationships(entity_scope: set[int] | None = None, types: frozenset[str] | None = None) -> list[RelationshipRecord]:
    """All relationships as records (the rules' input), or those `_relationship_selection` picks."""
    # one plain query: the ORM's chunked server-side cursor and Decimal values tripled the time
    where, params = _relationship_selection(entity_scope, types)
    sql = (
        "SELECT id, source_id, target_id, type, start_date, end_date, CAST(amount AS double precision), "
        f"CAST(analyst_score AS double precision), external_id FROM {Relationship._meta.db_table}{where} ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # columns in RelationshipRecord's field order (positional: a third faster than keywords)
    return [RelationshipRecord(*row) for row in rows]


def load_relationship_columns(entity_scope: set[int] | None = None) -> RelationshipColumns:
    """The relationships `load_relationships(entity_scope)` reads, as the engine's arrays computed
    by the database and read in one binary COPY: the records turned into arrays in Python cost
    0.1-0.25 s of a full recompute at 100,000 relationships, and as much of an incremental one."""
    type_names = tuple(RelationshipType.values)  # the table's constraint admits no other type
    code = " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(type_names))
    where, params = _relationship_selection(entity_scope, None)
    sql = (
        f"SELECT id, source_id, target_id, CAST(CASE type {code} END AS BIGINT), "
        f"CAST(COALESCE({day_number_sql('start_date')}, {NO_START}) AS BIGINT), "
        f"CAST(COALESCE({day_number_sql('end_date')}, {NO_END}) AS BIGINT), "
        "COALESCE(CAST(amount AS double precision), 0.0), COALESCE(CAST(analyst_score AS double precision), -1.0) "
        f"FROM {Relationship._meta.db_table}{where} ORDER BY id"
    )
    ids, source, target, type_code, start_day, end_day, amount, rating = read_fixed_width(sql, ["int8"] * 6 + ["float8"] * 2, params=params)
    return RelationshipColumns(ids, source, target, type_code, type_names, start_day, end_day, amount, rating)


def _meeting_ids_touching(entity_scope: set[int], relationships: RelationshipColumns) -> list[int]:
    """Meetings at which an entity of the scope was present, in person or through its people."""
    scope = np.array(sorted(entity_scope), dtype=np.int64)
    of_scope = relationships.of_types(AFFILIATION_TYPES) & np.isin(relationships.target, scope)
    present = np.union1d(scope, relationships.source[of_scope]).tolist()
    return list(
        Attendance.objects.filter(entity_id__in=present).order_by().values_list("meeting_id", flat=True).distinct()
    )


def _meeting_columns(meeting_ids: list[int] | None) -> np.ndarray:
    """(id, day as date.toordinal(), type as its index in MeetingType.values) of every meeting, or
    of those ids, by id: integers computed by the database and read in one go (model instances
    with their dates took 0.15 s for 50,000 meetings)."""
    table = Meeting._meta.db_table
    day = day_number_sql("date")
    code = "CASE type " + " ".join(f"WHEN %s THEN {i}" for i in range(len(MeetingType.values))) + " END"
    sql, params = f"SELECT id, {day}, {code} FROM {table}", list(MeetingType.values)
    if meeting_ids is not None:
        where, id_params = in_ids_sql("id", meeting_ids)
        sql, params = f"{sql} WHERE {where}", [*params, *id_params]
    return read_int_columns(sql + " ORDER BY id", params, n_columns=3)


def load_meetings(meeting_ids: list[int] | None = None) -> MeetingTable:
    attendance_table = Attendance._meta.db_table
    if meeting_ids is None:
        # binary COPY: the text form of a million rows took three times as long to read and parse
        att_meeting, att_entity = read_fixed_width(f"SELECT meeting_id, entity_id FROM {attendance_table}", ["int8", "int8"])
    else:
        if not meeting_ids:
            return MeetingTable.empty()
        if is_postgres():  # one array parameter, read by COPY
            att = read_int_columns(f"SELECT meeting_id, entity_id FROM {attendance_table} WHERE meeting_id = ANY(%s::bigint[])", [id_array(meeting_ids)])
        else:
            # order_by(): the model's default ordering would join meetings and entities to sort
            rows = Attendance.objects.filter(meeting_id__in=meeting_ids).order_by().values_list("meeting_id", "entity_id")
            att = np.array(list(rows), dtype=np.int64).reshape(-1, 2)
        att_meeting, att_entity = att[:, 0], att[:, 1].copy()
    meetings = _meeting_columns(meeting_ids)
    if not len(meetings):
        return MeetingTable.empty()
    meeting_type = np.array(MeetingType.values, dtype=object)[meetings[:, 2]]
    position = np.searchsorted(meetings[:, 0], att_meeting)
    return MeetingTable(meetings[:, 0].copy(), meetings[:, 1].copy(), meeting_type, position.astype(np.int64), att_entity)


def load_evidence(entity_scope: set[int] | None = None) -> Evidence:
    """Everything (a full recompute: the relationships as records for the rules, and as columns
    for the engine) or what pairs touching `entity_scope` need (an incremental one: columns only;
    the rules then read `load_relationships()` for all relationships)."""
    entities = load_entities()
    columns = load_relationship_columns(entity_scope)
    records = load_relationships() if entity_scope is None else []
    meeting_ids = None if entity_scope is None else _meeting_ids_touching(entity_scope, columns)
    return Evidence(list(entities.values()), records, load_meetings(meeting_ids), relationship_columns=columns)


def load_pair_evidence(a: int, b: int) -> Evidence:
    """Just what the meetings behind one pair need: the meetings where both were present (in person
    or through their people), with those meetings' full attendance (for their size) and the people's
    affiliations to a and b (roll-up is one level, person to organisation)."""
    affiliations = [
        RelationshipRecord(id=r[0], source=r[1], target=r[2], type=r[3], start_date=r[4], end_date=r[5])
        for r in Relationship.objects.filter(target_id__in=(a, b), type__in=AFFILIATION_TYPES).values_list(
            "id", "source_id", "target_id", "type", "start_date", "end_date"
        )
    ]

    def meetings_of(side: int) -> set[int]:
        present = {side} | {r.source for r in affiliations if r.target == side}
        return set(Attendance.objects.filter(entity_id__in=present).order_by().values_list("meeting_id", flat=True).distinct())

    # the intersection: a meeting only one side attended says nothing about the pair
    meeting_ids = sorted(meetings_of(a) & meetings_of(b))
    return Evidence([], affiliations, load_meetings(meeting_ids))
