"""Evidence edited through the ORM (admin, forms, API) queues an incremental recompute.

The importer writes in bulk and queues its recompute itself (interchange.services)."""
from django.db.models.signals import post_delete, post_save, pre_save

from engagement.models import Attendance, Meeting
from entities.models import Entity
from relationships.models import Disclosure, Relationship

from .triggers import entities_at_meeting, queue_recompute, with_organisations


# What the scores and the conflict rules read of a relationship: a correction of its source URL or
# its notes alone changes no score or flag, and queues nothing
RELATIONSHIP_EVIDENCE = ("source_id", "target_id", "type", "start_date", "end_date", "amount", "analyst_score")


def relationship_evidence_changed(field_names) -> bool:
    """Whether a change of these fields of a relationship (a form's `changed_data`) changes what
    the scores or the rules read, and so queues a recompute."""
    return any(f"{name}_id" in RELATIONSHIP_EVIDENCE or name in RELATIONSHIP_EVIDENCE for name in field_names)


def _remember_stored(sender, instance, **kwargs):
    """Before an edit is saved, note what the row joined until now: a relationship or attendance
    row moved to other entities (the admin, the API) changes the pairs it left as well."""
    if instance.pk is None:
        return
    fields = RELATIONSHIP_EVIDENCE if sender is Relationship else ("meeting_id", "entity_id")
    instance._stored = sender.objects.filter(pk=instance.pk).values_list(*fields).first()


def _relationship_changed(sender, instance, created=False, **kwargs):
    stored = getattr(instance, "_stored", None)
    if kwargs.get("signal") is post_save and not created and stored is not None:
        # as the database gives them back (a date set as text, 2500 and 2500.00 compare so)
        saved = tuple(Relationship._meta.get_field(name).to_python(getattr(instance, name)) for name in RELATIONSHIP_EVIDENCE)
        if saved == stored:
            return
    # its endpoints until now too; the pair it joined, and (for an affiliation) the organisation
    # the source stood for at its meetings, change as well
    queue_recompute({instance.source_id, instance.target_id, *(stored or ())[:2]})


def _meeting_changed(sender, instance, **kwargs):
    if kwargs.get("signal") is post_delete:
        return  # its attendance rows go with it and report themselves
    queue_recompute(entities_at_meeting(instance.pk))


def _attendance_changed(sender, instance, **kwargs):
    # the attendee's organisations too: once a row is deleted, the meeting no longer names them;
    # and a row moved to another meeting or entity changes the pairs it left
    affected = entities_at_meeting(instance.meeting_id) | with_organisations({instance.entity_id})
    stored = getattr(instance, "_stored", None)
    if stored and stored != (instance.meeting_id, instance.entity_id):
        affected |= entities_at_meeting(stored[0]) | with_organisations({stored[1]})
    queue_recompute(affected)


def _entity_changed(sender, instance, created=False, **kwargs):
    # a new entity has no evidence yet; a changed one (its parent, its kind) can change flags
    if not created and kwargs.get("signal") is post_save:
        queue_recompute({instance.pk})


def _disclosure_changed(sender, instance, **kwargs):
    queue_recompute({instance.discloser_id})


def connect() -> None:
    pre_save.connect(_remember_stored, sender=Relationship, dispatch_uid="rel-stored")
    pre_save.connect(_remember_stored, sender=Attendance, dispatch_uid="att-stored")
    for signal in (post_save, post_delete):
        signal.connect(_relationship_changed, sender=Relationship, dispatch_uid=f"rel-{signal}")
        signal.connect(_meeting_changed, sender=Meeting, dispatch_uid=f"meeting-{signal}")
        signal.connect(_attendance_changed, sender=Attendance, dispatch_uid=f"att-{signal}")
        signal.connect(_disclosure_changed, sender=Disclosure, dispatch_uid=f"disc-{signal}")
    post_save.connect(_entity_changed, sender=Entity, dispatch_uid="entity-saved")
