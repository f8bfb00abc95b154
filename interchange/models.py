from django.conf import settings
from django.db import models

# how an import came in, in words (`via` as the audit trail records it)
VIA_WORDS = {"import": "Data sets page", "command": "command line"}


class DatasetImport(models.Model):
    """One import that wrote to the tracker (dry runs and refused ones write nothing and are not
    kept): when, who and how (as the audit trail names them), and what it did to each file's rows.
    The provenance of a data set as a whole, beside each fact's source URL."""

    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField(max_length=200, help_text="who, as the audit trail names them (a command: its name and the system user)")
    via = models.CharField(max_length=20)
    counts = models.JSONField(help_text="{file: {created, updated, unchanged}} for each file given")

    class Meta:
        ordering = ["-imported_at", "-id"]

    @property
    def via_words(self) -> str:
        return VIA_WORDS.get(self.via, self.via)

    def __str__(self):
        return f"Import of {self.imported_at:%Y-%m-%d %H:%M} by {self.actor}"
