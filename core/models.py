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
