"""Imports on the command line, as an analyst runs them."""
import io

from django.core.management import call_command


def import_notes(folder) -> list[str]:
    """Import the data set in `folder` with `import_dataset` and give the lines it wrote to standard
    error: its notes (the import went through; a problem would raise)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dataset", str(folder), stdout=out, stderr=err)
    assert "Import complete." in out.getvalue()
    return err.getvalue().splitlines()
