from django.conf import settings
from django.db import models

from core.workers import TaskFollowedOnAPage

# how an import came in, in words (`via` as the audit trail records it)
VIA_WORDS = {"import": "Data sets page", "command": "command line", "api": "API"}


class DatasetImportQuerySet(models.QuerySet):
    def with_files_kept(self):
        """Each import with `files_kept`: whether its files are still kept to download."""
        return self.annotate(files_kept=models.Exists(ImportedFiles.objects.filter(dataset_import=models.OuterRef("pk"))))


class DatasetImport(models.Model):
    """One import that wrote to the tracker (dry runs and refused ones write nothing and are not
    kept): when, who and how (as the audit trail names them), what it did to each file's rows and
    what it noted. The provenance of a data set as a whole, beside each fact's source URL."""

    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField(max_length=200, help_text="who, as the audit trail names them (a command: its name and the system user)")
    via = models.CharField(max_length=20)
    counts = models.JSONField(help_text="{file: {created, updated, unchanged}} for each file given")
    files = models.JSONField(
        default=dict, blank=True,
        help_text="{file: {sha256, bytes}} for each file given, as given: kept for every import, so a copy of a "
                  "file can be checked against what was imported long after the files themselves are gone",
    )
    notes = models.JSONField(
        null=True, blank=True,
        help_text="what the import noted as worth a look (a merged twin back, a fact given twice...): "
                  "[{file, line, column, message, link}], kept with the import for good, however it came in "
                  "(null: imported before imports kept their notes)",
    )

    objects = DatasetImportQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]

    @property
    def via_words(self) -> str:
        return VIA_WORDS.get(self.via, self.via)

    def __str__(self):
        return f"Import of {self.imported_at:%Y-%m-%d %H:%M} by {self.actor}"


class ImportedFiles(models.Model):
    """The files of one import, exactly as given, in a zip: what an analyst can download again to see
    what was imported. Kept for the latest `settings.IMPORTED_FILES_KEPT` imports only (a data set
    at the benchmark's scale is 8 MB zipped); their digests stay on the import for good."""

    dataset_import = models.OneToOneField(DatasetImport, on_delete=models.CASCADE, primary_key=True, related_name="kept_files")
    archive = models.BinaryField(help_text="a zip of the files as given")

    class Meta:
        verbose_name_plural = "imported files"

    def __str__(self):
        return f"Files of the {self.dataset_import}"


class ImportRequest(TaskFollowedOnAPage, models.Model):
    """An upload on the data sets page, checked and imported by a worker: a data set of a million
    attendance rows takes close to a minute, longer than a web request may (and would hold a web
    process meanwhile). The page shows its progress, then its report: the counts, or the problems
    (the first `PROBLEMS_SHOWN`, and every one in `problems_csv` to download)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "waiting for a worker"
        RUNNING = "running", "checking and importing"
        DONE = "done", "done"

    class Outcome(models.TextChoices):
        IMPORTED = "imported", "imported"
        CHECKED = "checked", "checked (dry run)"
        REFUSED = "refused", "refused (problems found)"
        FAILED = "failed", "failed"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.CharField(max_length=200, help_text="who asked, as the audit trail names them")
    via = models.CharField(max_length=20, default="import", help_text="how: the data sets page (import) or the API (api)")
    requested_at = models.DateTimeField(auto_now_add=True)
    dry_run = models.BooleanField(default=False)
    file_names = models.JSONField(default=list)
    archive = models.BinaryField(null=True, help_text="the files as given (zip), until the worker has run them")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, help_text="{file: {created, updated, unchanged}}")
    notes = models.JSONField(default=list, help_text="what was imported but deserves a look: [{file, line, column, message, link}]")
    problem_count = models.PositiveIntegerField(default=0)
    problems_shown = models.JSONField(default=list, help_text="the first problems: [{file, line, column, message}]")
    problems_by_column = models.JSONField(default=list, help_text="how many problems each column has: [[file, column, count]]")
    problems_csv = models.BinaryField(null=True, help_text="every problem, as gzipped CSV")
    error = models.TextField(blank=True, help_text="why it failed, when it failed")
    dataset_import = models.ForeignKey(DatasetImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"Import request {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def changed_rows(self) -> int:
        """Rows the import created or updated (0: every row was already there as given)."""
        return sum(n["created"] + n["updated"] for n in self.counts.values())
