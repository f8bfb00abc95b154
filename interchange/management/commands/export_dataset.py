from pathlib import Path

from core.commands import LeavesWithoutTeardown
from interchange.export import dataset_export


class Command(LeavesWithoutTeardown):
    help = "Write the data set, closeness.csv and flags.csv to DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, directory: Path, **options):
        for name, rows in dataset_export(directory).items():
            self.stdout.write(f"{name}: {rows} rows")
