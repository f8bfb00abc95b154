"""core.commands: the batch commands leave through os._exit, with their output, files and exit
status intact, and say in a line when the database cannot serve them."""
import re

import pytest


def test_a_command_error_still_prints_its_message_and_exits_1(embedded_manage):
    result = embedded_manage("recompute", "--as-of", "2026-13-01", check=False)  # refused before any query

    assert result.returncode == 1
    assert "--as-of: '2026-13-01' is not a real calendar date" in result.stderr


def test_a_finished_command_leaves_its_output_and_files_behind(embedded_manage, lakeside_dir, tmp_path):
    imported = embedded_manage("import_dataset", str(lakeside_dir / "data"))
    # the scores do not move on an import from the command line: it says what will move them
    assert "Import complete. Closeness and flags are as before until `python manage.py recompute` runs" in imported
    assert "Recomputed as of 2026-06-30" in embedded_manage("recompute", "--as-of", "2026-06-30")

    printed = embedded_manage("export_dataset", str(tmp_path / "out"))

    for name in ("flags.csv", "closeness.csv"):  # what it printed, and each file whole
        lines = (tmp_path / "out" / name).read_text().splitlines()
        assert f"{name}: {len(lines) - 1} rows" in printed and len(lines) > 1


@pytest.mark.parametrize("command", [["import_dataset", "LAKESIDE"], ["recompute", "--as-of", "2026-06-30"], ["export_dataset", "OUT"], ["load_demo"]])
def test_a_command_on_a_database_never_migrated_says_to_migrate(manage_on, empty_postgres_url, lakeside_dir, tmp_path, command):
    # an analyst's first import on a new server: a traceback ending in 'relation "entities_entity" does not exist'
    args = [{"LAKESIDE": str(lakeside_dir / "data"), "OUT": str(tmp_path / "out")}.get(arg, arg) for arg in command]

    result = manage_on(empty_postgres_url, *args)

    name = empty_postgres_url.rsplit("/", 1)[1]
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(rf"the PostgreSQL database {name} at [^ ]+ is not set up \(\d+ of the project's migrations have not run\); "
                     "nothing was done: run python manage.py migrate$", result.stderr.strip())


def test_a_command_on_the_embedded_database_never_migrated_says_to_migrate(manage_on, lakeside_dir, tmp_path):
    result = manage_on(f"sqlite:///{tmp_path / 'new.sqlite3'}", "import_dataset", str(lakeside_dir / "data"))

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"the SQLite database {tmp_path / 'new.sqlite3'} is not set up" in result.stderr


def test_a_command_that_cannot_reach_its_database_says_where_it_looked(manage_on):
    result = manage_on("postgres://postgres@127.0.0.1:1/tracker", "recompute")  # nothing listens on port 1

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot reach the PostgreSQL database tracker at 127.0.0.1:1 (" in result.stderr
    assert result.stderr.strip().endswith("nothing was done: start the database server, or set DATABASE_URL to the database meant")


@pytest.mark.django_db(transaction=True)  # as a command meets it: outside any transaction
def test_a_database_that_is_ready_is_no_fault_of_its_own():
    # the command's own database error then keeps its traceback: it is a fault to fix in the code
    from core.commands import database_fault

    assert database_fault() is None
