from django.db import models


class TimeStampedModel(models.Model):
    """Adds when a row was created and when its data last changed (writes that change nothing keep it)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SingletonModel(models.Model):
    """A table of one row (site-wide settings): `load()` reads it, creating it with defaults once."""

    class Meta:
        abstract = True

    @classmethod
    def singleton_defaults(cls) -> dict:
        return {}

    @classmethod
    def load(cls):
        row, _ = cls.objects.get_or_create(pk=1, defaults=cls.singleton_defaults())
        return row


class KeptForm(models.Model):
    """A form sent after its session ended, or from a page gone out of date, kept to save once its
    sender signs in (core.unsaved). A row of its own, named by a cookie of the browser's, rather
    than in the session: every request writes the whole session back (its 8 hours start again at
    each), so a request of the same browser's that read the session before the form was kept (an
    entity search answered as the form was sent) wrote it back without the form."""

    token = models.CharField(max_length=64, unique=True)
    # the account's key (core.unsaved.account_key, as the browser's cookie names it), not a foreign
    # key: kept whatever becomes of the account
    typed_by = models.CharField(max_length=64, null=True, blank=True)
    path = models.TextField()
    fields = models.JSONField()
    files = models.JSONField(default=list)
    sent_at = models.DateTimeField()

    def __str__(self):
        return f"Form sent to {self.path} at {self.sent_at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(SingletonModel):
    """When a background worker last started a task (core.tasks.worker_took_a_task), beat's
    heartbeat every minute included (core.tasks.worker_heartbeat_task), and when beat last sent
    a task, that heartbeat or another (core.tasks.beat_sent_a_task): both recent, the chain beat -> task queue
    -> worker -> database works; the workers' old and beat's recent, the workers are stopped (or
    all busy); both old, beat is stopped or cannot reach the task queue. What tells these apart,
    and from "the recompute fails", on the pages and in the status API."""

    last_seen = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    beat_last_sent = models.DateTimeField(null=True, blank=True)
    # when the administrators were last emailed that no worker takes work (core.workers.workers_alert_due)
    workers_alerted_at = models.DateTimeField(null=True, blank=True)
    # ... and by a web process, that beat sends nothing (core.workers.BEAT_ALERT)
    beat_alerted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Workers last seen {self.last_seen:%Y-%m-%d %H:%M}" if self.last_seen else "Workers never seen"
