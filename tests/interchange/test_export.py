"""export_dataset and the zip download against the interchange contract: sorted, byte-identical
repeat exports, a round trip through import, chunked writing, one snapshot, no half-written files."""
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from entities.models import Entity
from interchange.export import dataset_export, dataset_export_zip
from interchange.reading import files_from_directory
from interchange.services import dataset_import
from tests.interchange.strategies import data_set_emptied


@pytest.mark.django_db
def test_two_exports_are_byte_identical_and_a_round_trip_reproduces_the_data(lakeside, tmp_path):
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    dataset_export(tmp_path / "first")
    dataset_export(tmp_path / "second")
    names = sorted(p.name for p in (tmp_path / "first").iterdir())
    assert names == sorted(
        ["entities.csv", "relationships.csv", "meetings.csv", "attendance.csv", "disclosures.csv", "closeness.csv", "flags.csv"]
    )
    for name in names:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name

    from scoring.models import ClosenessSnapshot

    data_set_emptied()  # the data, and the scores and flags that refer to it
    ClosenessSnapshot.objects.all().delete()

    result = dataset_import(files=files_from_directory(tmp_path / "first"))
    assert result.ok, result.problems
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    dataset_export(tmp_path / "third")
    for name in names:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "third" / name).read_bytes(), name


@pytest.mark.django_db
def test_export_is_the_same_whatever_its_chunk_size(lakeside, tmp_path, monkeypatch):
    """Files are written a chunk of rows at a time: chunk boundaries change nothing."""
    import interchange.export as export

    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    whole = dataset_export(tmp_path / "whole")
    monkeypatch.setattr(export, "_CHUNK_ROWS", 7)
    chunked = dataset_export(tmp_path / "chunked")
    assert chunked == whole and whole["closeness.csv"] > 7 and whole["attendance.csv"] > 7
    for name in whole:
        assert (tmp_path / "whole" / name).read_bytes() == (tmp_path / "chunked" / name).read_bytes(), name
        lines = (tmp_path / "whole" / name).read_text().count("\n")
        assert lines == whole[name] + 1, name  # the header, then one line a row


@pytest.mark.django_db
def test_an_export_that_fails_leaves_the_directory_as_it_was(lakeside, tmp_path, monkeypatch):
    import interchange.export as export

    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    dataset_export(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    Entity.objects.filter(external_id=Entity.objects.order_by("external_id").first().external_id).update(name="Renamed")

    def failing(snapshot, ext):
        yield 1, "half a file\n"
        raise RuntimeError("the database went away")

    monkeypatch.setattr(export, "_closeness_chunks", failing)
    with pytest.raises(RuntimeError, match="went away"):
        dataset_export(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no new entities.csv, no partial files


@pytest.mark.django_db
def test_an_export_to_a_place_it_cannot_write_is_one_clear_message(lakeside, tmp_path):
    taken = tmp_path / "report.txt"
    taken.write_text("not a directory")

    with pytest.raises(CommandError, match=r"report.txt: cannot write the export there \(File exists\)"):
        call_command("export_dataset", str(taken), stdout=io.StringIO())
    assert taken.read_text() == "not a directory"


@pytest.mark.django_db
def test_the_zip_holds_the_same_files_as_the_directory_export(lakeside, tmp_path):
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    dataset_export(tmp_path)
    chunks = list(dataset_export_zip())
    assert len(chunks) > 7  # sent while it is made, not in one piece at the end
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None  # every file's checksum holds
    assert sorted(archive.namelist()) == sorted(p.name for p in tmp_path.iterdir())
    for name in archive.namelist():
        assert archive.read(name) == (tmp_path / name).read_bytes(), name
    assert b"".join(dataset_export_zip()) == b"".join(dataset_export_zip())  # fixed times: identical downloads


@pytest.mark.django_db
def test_meetings_csv_has_the_contracts_columns_unless_a_meeting_has_a_source(lakeside, tmp_path):
    """`source_url` extends the contract's meetings.csv and disclosures.csv: a data set in the
    contract's columns (the lakeside example's meetings and disclosures have no source) exports in
    exactly those, and one whose meetings cite their minutes exports them too, so that a round trip
    keeps them."""
    from engagement.models import Meeting

    contract = ["external_id", "date", "type", "title", "location", "neighborhood", "summary"]
    dataset_export(tmp_path / "plain")
    assert (tmp_path / "plain" / "meetings.csv").read_text(encoding="utf-8").splitlines()[0].split(",") == contract
    assert (tmp_path / "plain" / "disclosures.csv").read_text(encoding="utf-8").splitlines()[0].split(",") == [
        "external_id", "discloser", "relationship", "disclosed_on", "statement"]

    minuted = Meeting.objects.order_by("external_id").first()
    minuted.source_url = "https://lakeside.example.org/minutes/1"
    minuted.save()
    dataset_export(tmp_path / "sourced")
    lines = (tmp_path / "sourced" / "meetings.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == [*contract, "source_url"]
    assert lines[1].startswith(f"{minuted.external_id},") and lines[1].endswith(",https://lakeside.example.org/minutes/1")
    assert all(line.endswith(",") for line in lines[2:])  # the others: no source

    data_set_emptied()
    assert dataset_import(files=files_from_directory(tmp_path / "sourced")).ok
    assert dict(Meeting.objects.exclude(source_url="").values_list("external_id", "source_url")) == {
        minuted.external_id: "https://lakeside.example.org/minutes/1"}


@pytest.mark.django_db
def test_disclosures_csv_keeps_where_a_disclosure_is_on_file(lakeside, tmp_path):
    from relationships.models import Disclosure

    filed = Disclosure.objects.order_by("external_id").first()
    Disclosure.objects.filter(pk=filed.pk).update(source_url="https://lakeside.example.org/ethics/1")
    dataset_export(tmp_path / "sourced")
    lines = (tmp_path / "sourced" / "disclosures.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == ["external_id", "discloser", "relationship", "disclosed_on", "statement", "source_url"]
    assert lines[1].startswith(f"{filed.external_id},") and lines[1].endswith(",https://lakeside.example.org/ethics/1")
    # the meetings cite nothing: their file keeps the contract's columns
    assert "source_url" not in (tmp_path / "sourced" / "meetings.csv").read_text(encoding="utf-8").splitlines()[0]

    data_set_emptied()
    assert dataset_import(files=files_from_directory(tmp_path / "sourced")).ok
    assert dict(Disclosure.objects.exclude(source_url="").values_list("external_id", "source_url")) == {
        filed.external_id: "https://lakeside.example.org/ethics/1"}
