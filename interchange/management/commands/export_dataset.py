from pathlib import Path

from django.core.management.base import CommandError

from core.commands import LeavesWithoutTeardown
from core.formatting import count_text
from interchange.export import dataset_export


class Command(LeavesWithoutTeardown):
    help = "Write the data set, closeness.csv and flags.csv to DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, directory: Path, **options):
        try:
            counts = dataset_export(directory)
        except OSError as exc:  # not a directory, no permission, disk full: the export left nothing
            raise CommandError(f"{directory}: cannot write the export there ({exc.strerror or exc})") from exc
        for name, rows in counts.items():
            self.stdout.write(f"{name}: {count_text(rows, 'row')}")
