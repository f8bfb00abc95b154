import os
import sys
from pathlib import Path

from django.core.management.base import CommandError

from audit.context import acting_as, command_actor
from core.commands import DatabaseCommand
from core.formatting import count_text
from interchange.reading import files_from_directory, problems_by_column, unread_csv_files
from interchange.services import dataset_import


SUMMARIZED_FROM = 20  # problems: past a screenful, the report ends with how many each column has


class Command(DatabaseCommand):
    help = "Validate and import (upsert by external_id) the interchange CSV files in DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and report without writing")

    def handle(self, directory: Path, dry_run: bool, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory}: not a directory")
        try:
            unread, files = unread_csv_files(directory), files_from_directory(directory)
        except OSError as exc:  # unreadable (permissions, a broken disk): named, nothing imported
            raise CommandError(f"{exc.filename}: cannot be read ({exc.strerror or exc}); nothing was imported") from None
        # said first, whatever the import finds: a misspelt file name explains a missing file's problems
        for note in unread:
            self.stderr.write(str(note), style_func=self.style.WARNING)
        with acting_as(command_actor("import_dataset")):
            result = dataset_import(files=files, dry_run=dry_run)
        if not result.ok:
            lines = [str(problem) for problem in result.problems]
            groups = problems_by_column(result.problems)
            if len(result.problems) > SUMMARIZED_FROM and len(groups) > 1:
                # a long list scrolls away: where the problems are, in one line
                lines.append("By column: " + "; ".join(f"{file} {column}: {count:,}" for file, column, count in groups))
            lines.append(f"{count_text(len(result.problems), 'problem')} found; nothing was imported.")
            # The report goes to stdout for scripts that read it; on a terminal it is not repeated.
            for line in lines:
                self.stdout.write(line)
            if not _same_terminal():
                for line in lines:
                    self.stderr.write(line)
            raise SystemExit(1)
        for name, counts in result.counts.items():
            self.stdout.write(f"{name}: {counts}")
        # notes are diagnostics, not results: standard error, so that standard output keeps the
        # counts alone for scripts that read them (a note reads FILE:LINE: column: like a problem)
        for note in result.notes:
            self.stderr.write(str(note), style_func=self.style.WARNING)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            # the upload page queues a recompute; this command leaves it to the caller (the contract
            # runs `recompute --as-of` itself), so a newcomer is told the scores do not move yet
            self.stdout.write("Import complete. Closeness and flags are as before until "
                              "`python manage.py recompute` runs (now, or the nightly run).")


def _same_terminal() -> bool:
    try:
        return os.isatty(sys.stdout.fileno()) and os.isatty(sys.stderr.fileno())
    except (OSError, ValueError):
        return False
