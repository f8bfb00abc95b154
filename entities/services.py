"""Changes to entities outside the admin: a person added while a meeting is logged, following,
and merging two entities that are one entered twice (the sources page lists the candidates).

The duplicate's facts move to the entity kept, in every app that refers to entities: its
relationships, disclosures, attendance (a meeting both attended keeps one row), reported
conflicts, units, and its conflict-of-interest flags with their review history; then the
duplicate is deleted and a full recompute queued (its scores go with it). All or nothing, with
the audit trail of every row that moved.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from audit.services import attendance_key, audit_events_bulk_write

from .models import Entity, Follow

@dataclass(frozen=True)
class NewPerson:
    """A person typed on a form who is not in the tracker yet, to be added with what the form saves."""

    name: str


def person_add(*, name: str, description: str) -> Entity:
    """Add a person (kind `person`) under a new external id made from the name (`p-jane-doe-1a2b3c`:
    readable, and unique without asking anyone to choose one)."""
    stem = slugify(name)[:60].strip("-") or "person"
    person = Entity(external_id=f"p-{stem}-{uuid.uuid4().hex[:6]}", name=name, kind="person", description=description)
    person.full_clean()
    person.save()
    return person


# The most entities one user follows: the Following page reads each one's changes.
FOLLOW_LIMIT = 100


class FollowError(Exception):
    """Following refused, with a message that says why."""


def follow_set(*, user, entity: Entity, following: bool) -> bool:
    """Follow `entity` or stop following it (either twice changes nothing); returns whether
    anything changed. Refused (FollowError) past FOLLOW_LIMIT entities."""
    if not following:
        return Follow.objects.filter(user=user, entity=entity).delete()[0] > 0
    with transaction.atomic():
        if Follow.objects.filter(user=user, entity=entity).exists():
            return False
        if Follow.objects.filter(user=user).count() >= FOLLOW_LIMIT:
            raise FollowError(f"You follow {FOLLOW_LIMIT} entities, the most one account may: stop following one first.")
        _, created = Follow.objects.get_or_create(user=user, entity=entity)
        return created


class EntityMergeError(Exception):
    """A merge refused, with a message that says why; nothing was changed."""


@dataclass
class EntityMerge:
    """What a merge moves (or would move: `entity_merge_plan`), counted per kind of fact."""

    keep: Entity
    duplicate: Entity
    moved: dict[str, int] = field(default_factory=dict)
    # (the kept entity's relationship, the twin's) that state one fact twice once merged: same type,
    # same other side and direction, same dates (each would count toward closeness)
    repeated: list[tuple[str, str]] = field(default_factory=list)


def merge_problems(keep: Entity, duplicate: Entity) -> list[str]:
    """Why these two cannot be merged, or nothing."""
    from relationships.models import Relationship

    if keep.pk == duplicate.pk:
        return ["An entity cannot be merged into itself."]
    problems = []
    if keep.kind != duplicate.kind:
        problems.append(f"{keep.external_id} is a {keep.get_kind_display().lower()} and {duplicate.external_id} a "
                        f"{duplicate.get_kind_display().lower()}: only entities of one kind are merged.")
    if keep.parent_id == duplicate.pk or duplicate.parent_id == keep.pk:
        problems.append("One is the other's parent unit: change the parent first.")
    joining = list(Relationship.objects.filter(
        Q(source=keep, target=duplicate) | Q(source=duplicate, target=keep)).order_by("external_id").values_list("external_id", flat=True))
    if joining:
        problems.append(f"Relationships join the two ({', '.join(joining)}): merged, they would join the entity to itself. "
                        "Delete them first if the two are one.")
    return problems


def entity_merge_plan(keep: Entity, duplicate: Entity) -> EntityMerge:
    """What merging `duplicate` into `keep` would move, without changing anything."""
    from conflicts.models import Flag
    from engagement.models import Attendance, ConflictReport
    from relationships.models import Disclosure, Relationship

    dup = duplicate
    return EntityMerge(keep, duplicate, repeated=_repeated_facts(keep, duplicate), moved={
        "relationships": Relationship.objects.filter(Q(source=dup) | Q(target=dup)).count(),
        "disclosures": Disclosure.objects.filter(discloser=dup).count(),
        "meetings attended": Attendance.objects.filter(entity=dup).count(),
        "reported conflicts": ConflictReport.objects.filter(Q(source=dup) | Q(target=dup)).count(),
        "units": Entity.objects.filter(parent=dup).count(),
        "flags": Flag.objects.filter(Q(subject=dup) | Q(counterpart=dup) | Q(persons=dup)).distinct().count(),
    })


def _repeated_facts(keep: Entity, duplicate: Entity) -> list[tuple[str, str]]:
    """The relationships of `duplicate` that, moved to `keep`, would repeat one of its own."""
    from relationships.models import Relationship

    def facts(entity: Entity) -> dict[tuple, str]:
        found = {}
        rows = Relationship.objects.filter(Q(source=entity) | Q(target=entity)).order_by("external_id").values_list(
            "external_id", "type", "source_id", "target_id", "start_date", "end_date")
        for ext, kind, source, target, start, end in rows:
            # the other side, and which way round: the entity itself stands as None
            found.setdefault((kind, None if source == entity.pk else source, None if target == entity.pk else target, start, end), ext)
        return found

    kept = facts(keep)
    return sorted((kept[fact], ext) for fact, ext in facts(duplicate).items() if fact in kept)


def entity_merge(*, keep: Entity, duplicate: Entity) -> EntityMerge:
    """Move every fact of `duplicate` to `keep`, delete `duplicate`, and queue a full recompute;
    refused (EntityMergeError, nothing changed) when `merge_problems` finds any."""
    from conflicts.models import Flag, FlagStatusChange
    from engagement.models import Attendance, ConflictReport
    from relationships.models import Disclosure, Relationship
    from scoring.tasks import recompute_all_task

    keep_id, dup_id, dup_ext, keep_ext = keep.pk, duplicate.pk, duplicate.external_id, keep.external_id
    events = []
    with transaction.atomic():
        # both rows locked, then checked: a second merge of the same twin waits, then finds it gone
        if keep_id != dup_id and len(Entity.objects.select_for_update().filter(pk__in=[keep_id, dup_id])) != 2:
            raise EntityMergeError("One of the two no longer exists (merged or deleted meanwhile): nothing changed.")
        problems = merge_problems(keep, duplicate)
        if problems:
            raise EntityMergeError(" ".join(problems))
        merge = entity_merge_plan(keep, duplicate)
        for column in ("source", "target"):
            moved = Relationship.objects.filter(**{column: dup_id})
            events += [("update", "relationships.relationship", ext, {f"{column}_id": [dup_ext, keep_ext]}, "")
                       for ext in moved.values_list("external_id", flat=True)]
            moved.update(**{column: keep_id})
        moved = Disclosure.objects.filter(discloser=dup_id)
        events += [("update", "relationships.disclosure", ext, {"discloser_id": [dup_ext, keep_ext]}, "")
                   for ext in moved.values_list("external_id", flat=True)]
        moved.update(discloser=keep_id)
        # a meeting both attended keeps the kept entity's row (and its role); the deletion, as every
        # single delete, writes its own audit event
        both = Attendance.objects.filter(entity=dup_id, meeting__attendance__entity=keep_id)
        Attendance.objects.filter(pk__in=list(both.values_list("pk", flat=True))).delete()
        moved = Attendance.objects.filter(entity=dup_id)
        for meeting_ext in moved.values_list("meeting__external_id", flat=True):
            events.append(("update", "engagement.attendance", attendance_key(meeting_ext, keep_ext), {"entity_id": [dup_ext, keep_ext]}, meeting_ext))
        moved.update(entity=keep_id)
        for column in ("source", "target"):
            ConflictReport.objects.filter(**{column: dup_id}).update(**{column: keep_id})
        moved = Entity.objects.filter(parent=dup_id)
        events += [("update", "entities.entity", ext, {"parent_id": [dup_ext, keep_ext]}, "") for ext in moved.values_list("external_id", flat=True)]
        moved.update(parent=keep_id)
        _flags_moved(Flag, FlagStatusChange, keep_id, dup_id)
        # those who followed the twin follow the entity kept (once)
        Follow.objects.filter(entity=dup_id, user__in=Follow.objects.filter(entity=keep_id).values("user")).delete()
        Follow.objects.filter(entity=dup_id).update(entity=keep_id)
        events.append(("update", "entities.entity", keep_ext, {"merged_in": [None, dup_ext]}, ""))
        audit_events_bulk_write(events)
        # its scores go with it (the recompute queued below scores the kept entity with everything);
        # deleted as a single delete, with its own audit event
        Entity.objects.get(pk=dup_id).delete()
        transaction.on_commit(lambda: recompute_all_task.delay())
    return merge


def _flags_moved(Flag, FlagStatusChange, keep_id: int, dup_id: int) -> None:
    """The duplicate's flags become the kept entity's; where the kept one already has a flag of the
    same rule and counterpart, that flag takes the duplicate's review history and the duplicate's
    flag goes (one flag per situation). The next recompute reconciles their evidence."""
    for flag in Flag.objects.filter(Q(subject=dup_id) | Q(counterpart=dup_id)):
        subject = keep_id if flag.subject_id == dup_id else flag.subject_id
        counterpart = keep_id if flag.counterpart_id == dup_id else flag.counterpart_id
        same = Flag.objects.filter(rule=flag.rule, subject=subject, counterpart=counterpart).exclude(pk=flag.pk).first()
        if same is not None:
            FlagStatusChange.objects.filter(flag=flag).update(flag=same)
            flag.delete()
        else:
            Flag.objects.filter(pk=flag.pk).update(subject=subject, counterpart=counterpart)
    through = Flag.persons.through
    already = set(through.objects.filter(entity=keep_id).values_list("flag_id", flat=True))
    through.objects.filter(entity=dup_id, flag_id__in=already).delete()
    through.objects.filter(entity=dup_id).update(entity=keep_id)
