from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One create, update or delete of an audited record: who, when, through what, and what changed.

    Written by signals for single saves (forms, admin, API) and in bulk by the importer, which sends no
    signals; so the trail is the same on SQLite and PostgreSQL (no database triggers)."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # who, as text: survives the user's deletion, and names non-users ("import_dataset command by root")
    actor_label = models.CharField(max_length=200)
    via = models.CharField(max_length=20)  # web, api, admin, import, command, task
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=60)  # app_label.model
    object_key = models.CharField(max_length=250)  # external_id, or a composite key for attendance
    # the meeting of an attendance row (so a meeting's page shows its attendance changes)
    context_key = models.CharField(max_length=250, blank=True, default="")
    # {field: [old, new]}; a creation lists the new values, a deletion the old ones
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_key", "at"]),
            models.Index(fields=["object_type", "context_key"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_key}"
