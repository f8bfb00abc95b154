"""Shared set-up for page tests: the lakeside example, scored as of mid-2026."""
import io

from django.core.management import call_command


def scored_lakeside(lakeside_dir, as_of="2026-06-30"):
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    call_command("recompute", "--as-of", as_of, stdout=io.StringIO())
