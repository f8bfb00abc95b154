"""The trail for single saves and deletes (forms, admin, API, services). Bulk writes send no signals:
the importer writes its events itself (interchange.services)."""
from django.db.models.signals import post_delete, post_save, pre_save

from conflicts.models import FlagStatusChange
from engagement.models import Attendance, ConflictReport, EngagementSettings, Meeting
from entities.models import Entity
from relationships.models import Disclosure, Relationship
from scoring.models import ScoringSettings

from .context import current_actor, user_actor
from .models import AuditEvent
from .services import attendance_key, audit_event_new, created_changes

AUDITED = (Entity, Relationship, Meeting, Attendance, Disclosure, ScoringSettings, EngagementSettings, ConflictReport)
SKIPPED_FIELDS = {"id", "created_at", "updated_at"}


def object_type(instance) -> str:
    return instance._meta.label_lower


def object_keys(instance) -> tuple[str, str]:
    """(object_key, context_key): external ids where the record has one."""
    if isinstance(instance, Attendance):
        meeting = Meeting.objects.filter(pk=instance.meeting_id).values_list("external_id", flat=True).first() or str(instance.meeting_id)
        entity = Entity.objects.filter(pk=instance.entity_id).values_list("external_id", flat=True).first() or str(instance.entity_id)
        return attendance_key(meeting, entity), meeting
    return getattr(instance, "external_id", None) or str(instance.pk), ""


def field_values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in SKIPPED_FIELDS}


def remember_old_values(sender, instance, **kwargs):
    if instance.pk is None:
        instance._audit_old = None
        return
    old = sender.objects.filter(pk=instance.pk).first()
    instance._audit_old = field_values(old) if old is not None else None


def record_save(sender, instance, created, **kwargs):
    old = getattr(instance, "_audit_old", None)
    new = field_values(instance)
    if created or old is None:
        changes = created_changes(new)
        action = AuditEvent.Action.CREATE
    else:
        changes = {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}
        action = AuditEvent.Action.UPDATE
        if not changes:
            return  # a save that changed nothing is not an event
    key, context = object_keys(instance)
    audit_event_new(action=action, object_type=object_type(instance), object_key=key, changes=changes, context_key=context).save()


def record_delete(sender, instance, **kwargs):
    key, context = object_keys(instance)
    changes = {k: [v, None] for k, v in field_values(instance).items() if v not in (None, "")}
    audit_event_new(action=AuditEvent.Action.DELETE, object_type=object_type(instance), object_key=key, changes=changes, context_key=context).save()


def record_flag_status(sender, instance, created, **kwargs):
    """A flag's status change is already its own record (FlagStatusChange); mirror it in the trail."""
    if created and instance.changed_by_id is not None:
        audit_event_new(
            actor=user_actor(instance.changed_by, current_actor().via),
            action=AuditEvent.Action.UPDATE, object_type="conflicts.flag", object_key=str(instance.flag_id),
            changes={"status": [instance.from_status, instance.to_status], "reason": [None, instance.reason]},
        ).save()


for model in AUDITED:
    pre_save.connect(remember_old_values, sender=model, dispatch_uid=f"audit-pre-{model._meta.label_lower}")
    post_save.connect(record_save, sender=model, dispatch_uid=f"audit-save-{model._meta.label_lower}")
    post_delete.connect(record_delete, sender=model, dispatch_uid=f"audit-delete-{model._meta.label_lower}")
post_save.connect(record_flag_status, sender=FlagStatusChange, dispatch_uid="audit-flag-status")
