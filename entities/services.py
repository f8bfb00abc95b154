"""Changes to entities outside the admin: a person added while a meeting is logged, following,
and merging two entities that are one entered twice (the sources page lists the candidates), or
undoing such a merge.

The duplicate's facts move to the entity kept, in every app that refers to entities: its
relationships, disclosures, attendance (a meeting both attended keeps one row), reported
conflicts, units, and its conflict-of-interest flags with their review history; then the
duplicate is deleted and a full recompute queued (its scores go with it). All or nothing, with
the audit trail of every row that moved. The merge is recorded (`MergeRecord`: the twin's fields
and the keys of what moved), so an undo can put the twin back and move back to it what is still on
the entity kept.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import router, transaction
from django.db.models import Q
from django.db.models.deletion import Collector, ProtectedError
from django.utils import timezone
from django.utils.text import slugify

from audit.context import current_actor
from audit.services import attendance_key, audit_events_bulk_write

from .kinds import is_person_kind
from .models import Entity, Follow, MergeRecord

@dataclass(frozen=True)
class NewPerson:
    """A person typed on a form who is not in the tracker yet, to be added with what the form saves."""

    name: str


def made_up_external_id(name: str, kind: str) -> str:
    """An id for an entity added without one: made from its name (`p-jane-doe-1a2b3c` for a person,
    `e-harbor-watch-4d5e6f` otherwise), readable, and unique without asking anyone to choose one."""
    person = is_person_kind(kind)
    stem = slugify(name)[:60].strip("-") or ("person" if person else "entity")
    return f"{'p' if person else 'e'}-{stem}-{uuid.uuid4().hex[:6]}"


def entity_deletion_refused(entity: Entity) -> str:
    """Why an entity added by mistake cannot be deleted on its page, or "": something refers to it
    (a relationship, an attendance, a disclosure, a report, a unit; its facts are evidence: one
    entered twice is merged instead), a flag names it, or entities were merged into it."""
    if entity.merges_in.exists():
        return "other entities were merged into it (its page lists them)"
    # as any of its entities: a flag's subject and counterpart cascade (Django's collector would
    # delete the flag and its review history along with the entity, not refuse)
    if entity.flags_as_person.exists() or entity.flags_as_subject.exists() or entity.flags_as_counterpart.exists():
        return "a conflict-of-interest flag names it"
    try:
        Collector(using=router.db_for_write(Entity)).collect([entity])
    except ProtectedError as exc:
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        return f"{', '.join(kinds)} refer to it (if it is another entity entered twice, merge the two instead)"
    return ""


def person_add(*, name: str, description: str) -> Entity:
    """Add a person (kind `person`) under a new external id made from the name."""
    person = Entity(external_id=made_up_external_id(name, "person"), name=name, kind="person", description=description)
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


# one of each kind of fact a merge moves, for "1 relationship, 3 meetings attended"
_ONE_FACT = {"relationships": "relationship", "disclosures": "disclosure", "meetings attended": "meeting attended",
             "reported conflicts": "reported conflict", "units": "unit", "flags": "flag", "followers": "follower"}


def facts_in_words(counts: dict[str, int]) -> str:
    """What a merge or its undo moved, in words: "1 relationship, 3 meetings attended" ("nothing")."""
    return ", ".join(f"{n} {_ONE_FACT.get(what, what) if n == 1 else what}" for what, n in counts.items() if n) or "nothing"


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


@dataclass(frozen=True)
class MovedColumn:
    """A column that refers to an entity, whose rows a merge moves from the twin to the entity kept
    (and an undo moves back): the rows are recorded by `key` in `MergeRecord.moved[name]`."""

    label: str  # what the merge plan calls these facts
    model: str
    column: str
    key: str  # the field that names a row: its external id, its meeting's (attendance), its id
    audited: bool = True  # facts of the data set, in the audit trail

    @property
    def name(self) -> str:
        return f"{self.model}.{self.column}"

    def rows(self, entity_id: int, keys: list | None = None):
        from django.apps import apps

        rows = apps.get_model(self.model).objects.filter(**{self.column: entity_id})
        return rows if keys is None else rows.filter(**{f"{self.key}__in": keys})

    def move(self, *, keys: list | None, from_: tuple[int, str], to: tuple[int, str], events: list) -> list:
        """Move the rows of `from_` (id, external id) named by `keys` (all of them: None) to `to`;
        returns the keys of the rows moved, and adds their audit events to `events`."""
        rows = self.rows(from_[0], keys)
        moved = list(rows.values_list(self.key, flat=True))
        if self.audited:
            object_type = self.model.lower()
            for key in moved:
                if self.model == "engagement.Attendance":
                    events.append(("update", object_type, attendance_key(key, to[1]), {"entity_id": [from_[1], to[1]]}, key))
                else:
                    events.append(("update", object_type, key, {f"{self.column}_id": [from_[1], to[1]]}, ""))
        # an edit moves updated_at, which the recompute's fingerprint of the rules' inputs reads
        stamped = {"updated_at": timezone.now()} if any(f.name == "updated_at" for f in rows.model._meta.fields) else {}
        rows.update(**{self.column: to[0]}, **stamped)
        return moved


# Every column that refers to an entity and moves with a merge, but the flags' (moved with their
# review histories: `_flags_moved`) and the follows (personal, not audited).
MOVED_COLUMNS = (
    MovedColumn("relationships", "relationships.Relationship", "source", "external_id"),
    MovedColumn("relationships", "relationships.Relationship", "target", "external_id"),
    MovedColumn("disclosures", "relationships.Disclosure", "discloser", "external_id"),
    MovedColumn("meetings attended", "engagement.Attendance", "entity", "meeting__external_id"),
    MovedColumn("reported conflicts", "engagement.ConflictReport", "source", "pk", audited=False),
    MovedColumn("reported conflicts", "engagement.ConflictReport", "target", "pk", audited=False),
    MovedColumn("units", "entities.Entity", "parent", "external_id"),
)
FLAG_COLUMNS = ("subject", "counterpart")
# what a flag joined to another at a merge keeps for an undo, beside its sides, persons and evidence
JOINED_FLAG_FIELDS = ("rule", "severity", "status", "disclosed", "explanation", "holds", "first_raised_on", "last_evaluated_on",
                      "lapsed_on", "evidence_digest")
TWIN_FIELDS = ("name", "kind", "jurisdiction", "description", "website")


def entity_merge(*, keep: Entity, duplicate: Entity) -> EntityMerge:
    """Move every fact of `duplicate` to `keep`, delete `duplicate`, record the merge (`MergeRecord`:
    what moved, so it can be undone) and queue a full recompute; refused (EntityMergeError, nothing
    changed) when `merge_problems` finds any."""
    from engagement.models import Attendance, MeetingNewcomer
    from scoring.merges import pair_scores_kept
    from scoring.triggers import queue_full_recompute

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
        moved = {}
        # a meeting both attended keeps the kept entity's row (and its role); the deletion, as every
        # single delete, writes its own audit event
        both = Attendance.objects.filter(entity=dup_id, meeting__attendance__entity=keep_id).select_related("meeting")
        moved["attendance shared"] = [[row.meeting.external_id, row.role] for row in both]
        Attendance.objects.filter(pk__in=[row.pk for row in both]).delete()
        for column in MOVED_COLUMNS:
            moved[column.name] = column.move(keys=None, from_=(dup_id, dup_ext), to=(keep_id, keep_ext), events=events)
        moved.update(_flags_moved(keep_id, dup_id))
        # those who followed the twin follow the entity kept (once)
        shared = Follow.objects.filter(entity=dup_id, user__in=Follow.objects.filter(entity=keep_id).values("user"))
        moved["follows shared"] = list(shared.values_list("user_id", flat=True))
        shared.delete()
        moved["follows"] = list(Follow.objects.filter(entity=dup_id).values_list("user_id", flat=True))
        Follow.objects.filter(entity=dup_id).update(entity=keep_id)
        newcomer = MeetingNewcomer.objects.filter(entity=dup_id).select_related("meeting").first()
        if newcomer is not None:
            moved["newcomer"] = {
                "meeting": newcomer.meeting.external_id if newcomer.meeting else None, "added_by": newcomer.added_by_id,
                "added_at": newcomer.added_at.isoformat(), "checked_by": newcomer.checked_by_id,
                "checked_at": newcomer.checked_at.isoformat() if newcomer.checked_at else None,
            }
        events.append(("update", "entities.entity", keep_ext, {"merged_in": [None, dup_ext]}, ""))
        audit_events_bulk_write(events)
        # merges into the twin become merges into the entity kept, where their facts now are: the
        # twin's own twins keep their undo, and their old links lead on
        MergeRecord.objects.filter(keep=dup_id).update(keep=keep_id)
        # its pair scores go with it (their foreign keys cascade): kept, with its id, so that an undo
        # gives its pairs their history back
        moved["id"] = dup_id
        moved["pair scores"] = pair_scores_kept(dup_id)
        actor = current_actor()
        MergeRecord.objects.create(
            keep_id=keep_id, duplicate_external_id=dup_ext, moved=moved,
            duplicate={**{f: getattr(duplicate, f) for f in TWIN_FIELDS}, "parent": duplicate.parent.external_id if duplicate.parent_id else None},
            merged_by_id=actor.user_id, merged_by_label=actor.label,
        )
        # its scores go with it (the recompute queued below scores the kept entity with everything);
        # deleted as a single delete, with its own audit event
        Entity.objects.get(pk=dup_id).delete()
        queue_full_recompute()
    return merge


def _flags_moved(keep_id: int, dup_id: int) -> dict:
    """The duplicate's flags become the kept entity's; where the kept one already has a flag of the
    same rule and counterpart, that flag takes the duplicate's review history and the duplicate's
    flag goes (one flag per situation). The next recompute reconciles their evidence. Returns what
    moved, for the merge's record (a joined flag whole: its fields, sides, persons, evidence and the
    ids of its history).""" 
    from conflicts.models import Flag, FlagStatusChange

    moved = {f"conflicts.Flag.{column}": [] for column in FLAG_COLUMNS}
    joined = []

    def twin_or(pk: int) -> int | None:
        return None if pk == dup_id else pk  # None: the twin

    for flag in Flag.objects.filter(Q(subject=dup_id) | Q(counterpart=dup_id)).prefetch_related("persons", "evidence"):
        subject = keep_id if flag.subject_id == dup_id else flag.subject_id
        counterpart = keep_id if flag.counterpart_id == dup_id else flag.counterpart_id
        same = Flag.objects.filter(rule=flag.rule, subject=subject, counterpart=counterpart).exclude(pk=flag.pk).first()
        if same is not None:
            # kept whole, so that an undo can give the twin its flag back with its history
            joined.append({
                "into": same.pk, **{f: getattr(flag, f) for f in JOINED_FLAG_FIELDS},
                "subject": twin_or(flag.subject_id), "counterpart": twin_or(flag.counterpart_id),
                "persons": [twin_or(p.pk) for p in flag.persons.all()], "evidence": [r.pk for r in flag.evidence.all()],
                "history": list(FlagStatusChange.objects.filter(flag=flag).values_list("pk", flat=True)),
            })
            FlagStatusChange.objects.filter(flag=flag).update(flag=same)
            flag.delete()
        else:
            Flag.objects.filter(pk=flag.pk).update(subject=subject, counterpart=counterpart)
            moved[f"conflicts.Flag.{'subject' if flag.subject_id == dup_id else 'counterpart'}"].append(flag.pk)
    through = Flag.persons.through
    already = set(through.objects.filter(entity=keep_id).values_list("flag_id", flat=True))
    shared = through.objects.filter(entity=dup_id, flag_id__in=already)
    moved["flag persons shared"] = sorted(shared.values_list("flag_id", flat=True))
    shared.delete()
    moved["flag persons"] = sorted(through.objects.filter(entity=dup_id).values_list("flag_id", flat=True))
    through.objects.filter(entity=dup_id).update(entity=keep_id)
    moved["flags joined"] = json_ready(joined)
    return moved


def json_ready(rows: list[dict]) -> list[dict]:
    """Dates as ISO text, for a JSON field."""
    return [{k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()} for row in rows]


def _joined_flags_restored(joined: list[dict], twin: Entity) -> int:
    """Give the twin back each flag the merge joined to the kept entity's flag on the same
    situation: its own fields, persons and evidence (those still here), and its review history
    moved back from the flag it joined. Returns how many came back."""
    from conflicts.models import Flag, FlagStatusChange
    from relationships.models import Relationship

    restored = 0
    for row in joined:
        subject, counterpart = (twin.pk if row[side] is None else row[side] for side in FLAG_COLUMNS)
        if Entity.objects.filter(pk__in={subject, counterpart}).count() != len({subject, counterpart}) or \
                Flag.objects.filter(rule=row["rule"], subject=subject, counterpart=counterpart).exists():
            continue  # its other side is gone, or the situation has a flag again
        flag = Flag.objects.create(subject_id=subject, counterpart_id=counterpart, **{f: row[f] for f in JOINED_FLAG_FIELDS})
        flag.persons.set(Entity.objects.filter(pk__in=[twin.pk if p is None else p for p in row["persons"]]))
        flag.evidence.set(Relationship.objects.filter(pk__in=row["evidence"]))
        FlagStatusChange.objects.filter(pk__in=row["history"], flag_id=row["into"]).update(flag=flag)
        restored += 1
    return restored


@dataclass
class MergeUndo:
    """What undoing a merge moves back to the twin (or would: `entity_merge_undo_plan`), per kind of
    fact; `left`: what the merge moved that is no longer on the entity kept (changed or deleted
    since), which stays as it is; `notes`: anything else the undo cannot put back."""

    record: MergeRecord
    back: dict[str, int] = field(default_factory=dict)
    left: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    twin: Entity | None = None


def merge_undo_problems(record: MergeRecord) -> list[str]:
    """Why this merge cannot be undone, or nothing."""
    if record.undone_at:
        return [f"This merge was undone on {record.undone_at:%Y-%m-%d} by {record.undone_by_label or 'someone'}."]
    if Entity.objects.filter(external_id=record.duplicate_external_id).exists():
        return [f"An entity has the id {record.duplicate_external_id} again (added or imported since the merge): "
                "the twin cannot be put back under it. Merge that entity into this one instead, if they are one."]
    return []


def entity_merge_undo_plan(record: MergeRecord) -> MergeUndo:
    """What undoing `record` would move back to the twin, without changing anything."""
    from conflicts.models import Flag
    from engagement.models import Meeting

    undo = MergeUndo(record)

    def count(label: str, recorded: int, still: int) -> None:
        undo.back[label] = undo.back.get(label, 0) + still
        undo.left[label] = undo.left.get(label, 0) + recorded - still

    moved, keep_id = record.moved, record.keep_id
    for column in MOVED_COLUMNS:
        keys = moved.get(column.name, [])
        count(column.label, len(keys), column.rows(keep_id, keys).count() if keys else 0)
    shared = [meeting for meeting, _ in moved.get("attendance shared", [])]
    count("meetings attended", len(shared), Meeting.objects.filter(external_id__in=shared).count())
    for column in FLAG_COLUMNS:
        ids = moved.get(f"conflicts.Flag.{column}", [])
        count("flags", len(ids), Flag.objects.filter(pk__in=ids, **{column: keep_id}).count())
    follows = moved.get("follows", [])
    count("followers", len(follows), Follow.objects.filter(entity=keep_id, user__in=follows).count())
    parent = record.duplicate.get("parent")
    if parent and not Entity.objects.filter(external_id=parent).exists():
        undo.notes.append(f"Its parent unit {parent} no longer exists: it comes back without one.")
    joined = moved.get("flags joined", [])
    if joined:
        # joined to this entity's flag on the same situation: given back with their review history
        count("flags", len(joined), sum(1 for row in joined if Flag.objects.filter(pk=row["into"]).exists()))
    if "pair scores" not in moved:  # merged before merges kept the twin's scores
        undo.notes.append("Its scores start again from the recompute that follows: the history of its pairs before the merge is not kept.")
    return undo


def entity_merge_undo(record: MergeRecord) -> MergeUndo:
    """Put the twin back (a new entity with its old id and fields), move back to it what the merge
    moved and is still on the entity kept, mark the record undone, and queue a full recompute;
    refused (EntityMergeError, nothing changed) when `merge_undo_problems` finds any."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from conflicts.models import Flag
    from engagement.models import Attendance, Meeting, MeetingNewcomer
    from scoring.merges import pair_scores_restored
    from scoring.triggers import queue_full_recompute

    with transaction.atomic():
        # locked: an undo clicked twice waits, then finds it undone
        record = MergeRecord.objects.select_for_update().select_related("keep").get(pk=record.pk)
        problems = merge_undo_problems(record)
        if problems:
            raise EntityMergeError(" ".join(problems))
        undo = entity_merge_undo_plan(record)
        keep, fields, moved = record.keep, record.duplicate, record.moved
        # under its old id where it is free (ids are never given twice): what is stored by id, as
        # its weak pairs' history, is its own again
        old_id = moved.get("id")
        twin = Entity(pk=old_id if old_id and not Entity.objects.filter(pk=old_id).exists() else None,
                      external_id=record.duplicate_external_id, **{f: fields.get(f, "") for f in TWIN_FIELDS},
                      parent=Entity.objects.filter(external_id=fields.get("parent") or "").first())
        try:
            twin.full_clean()
        except ValidationError as exc:
            raise EntityMergeError(f"{twin.external_id} cannot be put back: {' '.join(exc.messages)}") from exc
        twin.save(force_insert=True)  # a single save: its own audit event
        if twin.pk == old_id:
            pair_scores_restored(moved.get("pair scores", {}), merged_at=record.merged_at)
        events = []
        for column in MOVED_COLUMNS:
            column.move(keys=moved.get(column.name, []), from_=(keep.pk, keep.external_id), to=(twin.pk, twin.external_id), events=events)
        meetings = dict(Meeting.objects.filter(external_id__in=[m for m, _ in moved.get("attendance shared", [])]).values_list("external_id", "pk"))
        for meeting, role in moved.get("attendance shared", []):
            if meeting in meetings:
                Attendance(meeting_id=meetings[meeting], entity=twin, role=role).save()  # audited as single saves
        for column in FLAG_COLUMNS:
            Flag.objects.filter(pk__in=moved.get(f"conflicts.Flag.{column}", []), **{column: keep.pk}).update(**{column: twin.pk})
        through = Flag.persons.through
        through.objects.filter(entity=keep.pk, flag_id__in=moved.get("flag persons", [])).update(entity=twin.pk)
        through.objects.bulk_create([through(flag_id=pk, entity_id=twin.pk) for pk in
                                     Flag.objects.filter(pk__in=moved.get("flag persons shared", [])).values_list("pk", flat=True)])
        _joined_flags_restored(moved.get("flags joined", []), twin)
        users = get_user_model().objects
        Follow.objects.filter(entity=keep.pk, user__in=moved.get("follows", [])).update(entity=twin)
        Follow.objects.bulk_create([Follow(user_id=pk, entity=twin) for pk in
                                    users.filter(pk__in=moved.get("follows shared", [])).values_list("pk", flat=True)])
        newcomer = moved.get("newcomer")
        if newcomer:
            def user(pk):
                return pk if pk is not None and users.filter(pk=pk).exists() else None

            restored = MeetingNewcomer.objects.create(
                entity=twin, meeting=Meeting.objects.filter(external_id=newcomer["meeting"] or "").first(),
                added_by_id=user(newcomer["added_by"]), checked_by_id=user(newcomer["checked_by"]), checked_at=newcomer["checked_at"])
            MeetingNewcomer.objects.filter(pk=restored.pk).update(added_at=newcomer["added_at"])  # not the undo's time
        events.append(("update", "entities.entity", keep.external_id, {"merged_in": [twin.external_id, None]}, ""))
        audit_events_bulk_write(events)
        actor = current_actor()
        record.undone_at, record.undone_by_id, record.undone_by_label = timezone.now(), actor.user_id, actor.label
        record.save(update_fields=["undone_at", "undone_by", "undone_by_label"])
        queue_full_recompute()
    undo.twin = twin
    return undo
