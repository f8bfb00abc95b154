from django.db import models


class TimeStampedModel(models.Model):
    """Adds when a row was created and when its data last changed (writes that change nothing keep it)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
