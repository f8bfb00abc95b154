"""`make backup` then `make restore` into an empty database gives byte-identical exports."""
import io
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
RESTORED_DB = "tracker_restore_check"


def run(*args, env):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def database_url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def recreate_empty(name: str) -> None:
    s = connection.settings_dict
    admin = psycopg2.connect(dbname="postgres", user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_into_an_empty_database_give_identical_exports(lakeside_dir, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("backups are pg_dump/pg_restore")
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    call_command("export_dataset", str(tmp_path / "before"), stdout=io.StringIO())

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    dump = tmp_path / "tracker.dump"
    run("make", "--no-print-directory", "backup", f"DATABASE_URL={database_url(connection.settings_dict['NAME'])}", f"BACKUP={dump}", env=env)
    assert dump.stat().st_size > 0
    recreate_empty(RESTORED_DB)
    run("make", "--no-print-directory", "restore", f"FILE={dump}", f"DATABASE_URL={database_url(RESTORED_DB)}", env=env)
    run(sys.executable, "manage.py", "export_dataset", str(tmp_path / "after"), env={**env, "DATABASE_URL": database_url(RESTORED_DB)})

    before = {p.name: p.read_bytes() for p in (tmp_path / "before").iterdir()}
    after = {p.name: p.read_bytes() for p in (tmp_path / "after").iterdir()}
    assert before.keys() == after.keys() and "flags.csv" in before and "closeness.csv" in before
    for name in before:
        assert before[name] == after[name], name


def test_restore_refuses_without_a_file():
    result = subprocess.run(["make", "--no-print-directory", "restore", "DATABASE_URL=postgres://x@127.0.0.1/none"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "usage: make restore FILE=" in result.stderr
