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


def data_set(folder, **files: str):
    """A folder holding the given CSV files (`entities="external_id,name,kind\\n…"`), made if need be."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text)
    return folder
