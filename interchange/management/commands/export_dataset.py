from pathlib import Path

from django.core.management.base import BaseCommand

from interchange.export import dataset_export


class Command(BaseCommand):
    help = "Write the data set, closeness.csv and flags.csv to DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, directory: Path, **options):
        for name, rows in dataset_export(directory).items():
            self.stdout.write(f"{name}: {rows} rows")
