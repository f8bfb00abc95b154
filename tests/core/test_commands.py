"""core.commands: the batch commands leave through os._exit, with their output, files and exit
status intact."""


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
