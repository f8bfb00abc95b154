"""The data-set pages: upload with a validation report, import summary, download; analysts only."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from entities.models import Entity
from relationships.models import Relationship
from tests.recompute_helpers import assert_incremental_gave_what_a_full_recompute_gives
from tests.uploads import upload


def csv_file(path):
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def zipped(directory, name="data.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.iterdir()):
            archive.write(path, f"folder/{path.name}")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


@pytest.mark.django_db
def test_a_bad_upload_shows_every_problem_and_writes_nothing(client_as, lakeside_dir):
    client = client_as("analyst")

    response = upload(client, zipped(lakeside_dir / "broken"))

    assert response.request["QUERY_STRING"].startswith("request=")
    page = response.content.decode()
    assert "9 problems found; nothing was imported" in page
    assert "<td>entities.csv</td><td>4</td><td>kind</td>" in page
    assert "<td>disclosures.csv</td><td>3</td><td>relationship</td>" in page
    assert ("By column: <code>entities.csv</code> kind: 1; <code>entities.csv</code> parent: 1; <code>relationships.csv</code> "
            "start_date: 1;") in page
    assert Entity.objects.count() == 0


@pytest.mark.django_db
def test_a_good_zip_is_imported_with_a_summary(client_as, lakeside_dir):
    client = client_as("analyst")

    response = upload(client, zipped(lakeside_dir / "data"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<td>entities.csv</td><td>191</td><td>0</td><td>0</td>" in page
    assert Relationship.objects.count() == 55


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_meeting_updates_the_pairs_of_the_organisations_its_people_stand_for(client_as):
    """The chief (who leads the department) and the board chair (who leads the board) meet: the
    department-board pair changes too, though neither organisation is in the uploaded rows."""
    from datetime import date

    from django.utils import timezone

    from scoring.selectors import current_pair_scores
    from scoring.services import recompute
    from tests.factories import EntityFactory, RelationshipFactory

    department, board = EntityFactory(kind="police_department"), EntityFactory(kind="oversight_body")
    chief, chair = EntityFactory(kind="person"), EntityFactory(kind="person")
    RelationshipFactory(source=chief, target=department, type="leads", start_date=date(2020, 1, 1), end_date=None)
    RelationshipFactory(source=chair, target=board, type="leads", start_date=date(2020, 1, 1), end_date=None)
    today = timezone.localdate()
    recompute(as_of=today)
    pair = tuple(sorted((department.pk, board.pk)))
    assert pair not in current_pair_scores()  # they have never met
    meetings = SimpleUploadedFile(
        "meetings.csv", f"external_id,date,type,title\nm-upload,{today.isoformat()},private_meeting,Chair and chief\n".encode()
    )
    attendance = SimpleUploadedFile("attendance.csv", f"meeting,entity\nm-upload,{chair.external_id}\nm-upload,{chief.external_id}\n".encode())
    entities = SimpleUploadedFile("entities.csv", b"external_id,name,kind\n")

    response = upload(client_as("analyst"), entities, meetings, attendance)

    assert response.status_code == 200, response.content.decode()
    assert pair in current_pair_scores()
    assert_incremental_gave_what_a_full_recompute_gives(today)


@pytest.mark.django_db
def test_separate_csv_files_can_be_uploaded_and_checked_without_writing(client_as, lakeside_dir):
    client = client_as("administrator")

    response = upload(client, csv_file(lakeside_dir / "data" / "entities.csv"), dry_run=True)

    assert response.status_code == 200
    assert "dry run, nothing written" in response.content.decode()
    assert Entity.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload,message",
    [
        (SimpleUploadedFile("data.zip", b"not a zip"), "not a valid zip archive"),
        (SimpleUploadedFile("notes.txt", b"hello"), "unexpected file"),
        (SimpleUploadedFile("Entities.csv", b"external_id,name,kind\n"), "unexpected file (expected a .zip or: entities.csv, relationships.csv, "
                                                                         "meetings.csv, attendance.csv, disclosures.csv); did you mean entities.csv?"),
    ],
)
def test_files_that_are_not_a_data_set_get_a_clear_message(client_as, payload, message):
    response = upload(client_as("analyst"), payload)

    assert response.status_code == 400
    assert message in response.content.decode()


def damaged(directory, damage) -> SimpleUploadedFile:
    """The data set zipped, then `damage(archive bytes, where entities.csv's local header starts,
    where its central directory entry starts)` done to it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.iterdir()):
            archive.write(path, path.name)
    data = bytearray(buffer.getvalue())
    local = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("entities.csv").header_offset
    # a central directory entry: its signature, then the name 46 bytes in
    central = next(
        at for at in range(len(data)) if data[at : at + 4] == b"PK\x01\x02" and data[at + 46 : at + 58] == b"entities.csv"
    )
    damage(data, local, central)
    return SimpleUploadedFile("data.zip", bytes(data), content_type="application/zip")


def _bad_checksum(data, local, central):
    data[local + 14] ^= 0xFF
    data[central + 16] ^= 0xFF


def _scrambled_bytes(data, local, central):
    start = local + 30 + len("entities.csv") + 20
    data[start : start + 20] = bytes(b ^ 0x55 for b in data[start : start + 20])


def _encrypted(data, local, central):
    data[local + 6] |= 1
    data[central + 8] |= 1


def _unknown_method(data, local, central):
    data[local + 8] = 99
    data[central + 10] = 99


@pytest.mark.django_db
@pytest.mark.parametrize(
    "damage,message",
    [
        (_bad_checksum, "data.zip/entities.csv</td><td>1</td><td>-</td><td>the archive is damaged (Bad CRC-32"),
        (_scrambled_bytes, "data.zip/entities.csv</td><td>1</td><td>-</td><td>the archive is damaged"),
        (_encrypted, "the file is encrypted: zip the data set again without a password"),
        (_unknown_method, "compressed with a method this importer cannot read"),
    ],
    ids=["bad checksum", "scrambled bytes", "encrypted", "unknown compression"],
)
def test_a_damaged_zip_names_the_file_at_fault_and_writes_nothing(client_as, lakeside_dir, damage, message):
    response = upload(client_as("analyst"), damaged(lakeside_dir / "data", damage))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Entity.objects.count() == 0


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client_as, monkeypatch):
    from interchange import uploads

    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED", 2**20)
    half = b"external_id,name,kind\n" + b"x" * 2**19
    response = upload(client_as("analyst"), SimpleUploadedFile("entities.csv", half), SimpleUploadedFile("meetings.csv", half))

    assert response.status_code == 400
    assert "upload</td><td>1</td><td>-</td><td>the files are larger than 1 MB together" in response.content.decode()
    assert Entity.objects.count() == 0


@pytest.mark.django_db
def test_a_zip_holding_two_data_sets_is_refused_naming_both(client_as, lakeside_dir):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for folder in ("2025", "2026"):
            for path in sorted((lakeside_dir / "data").iterdir()):
                archive.write(path, f"{folder}/{path.name}")

    response = upload(client_as("analyst"), SimpleUploadedFile("both.zip", buffer.getvalue()))

    assert response.status_code == 400
    assert "a second entities.csv in the archive (the first is 2025/entities.csv)" in response.content.decode()
    assert Entity.objects.count() == 0


@pytest.mark.django_db
def test_the_data_set_downloads_as_a_zip_of_seven_files(client_as, lakeside):
    response = client_as("analyst").get("/data/export.zip")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response.streaming  # the download starts while the zip is being made
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert sorted(names) == sorted(
        ["entities.csv", "relationships.csv", "meetings.csv", "attendance.csv", "disclosures.csv", "closeness.csv", "flags.csv"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city_staff", "board_member"])
@pytest.mark.parametrize("method,url", [("get", "/data/"), ("post", "/data/"), ("get", "/data/export.zip"), ("get", "/data/imports/{pk}/files.zip")])
def test_other_roles_are_refused(client_as, lakeside_dir, role, method, url):
    upload(client_as("analyst"), csv_file(lakeside_dir / "data" / "entities.csv"))
    from interchange.models import DatasetImport

    response = getattr(client_as(role), method)(url.format(pk=DatasetImport.objects.get().pk))

    assert response.status_code == 403


@pytest.mark.django_db
def test_the_page_lists_the_recent_imports_with_who_and_each_files_counts(client_as, lakeside_dir):
    from interchange.models import DatasetImport

    client = client_as("analyst")
    assert "No import yet." in client.get("/data/").content.decode()
    upload(client, csv_file(lakeside_dir / "data" / "meetings.csv"), dry_run=True)  # a check writes nothing
    assert not DatasetImport.objects.exists()
    upload(client, zipped(lakeside_dir / "data"))
    upload(client, csv_file(lakeside_dir / "data" / "meetings.csv"))  # only meetings: no entities.csv of its own

    latest = DatasetImport.objects.first()
    assert latest.via == "import" and latest.imported_by.username == latest.actor
    assert latest.counts == {"meetings.csv": {"created": 0, "updated": 0, "unchanged": 140}}  # not the header the page adds
    page = client.get("/data/").content.decode()
    assert "<code>meetings.csv</code>: 0 created, 0 updated, 140 unchanged" in page
    assert "<code>entities.csv</code>: 191 created, 0 updated, 0 unchanged" in page
    assert page.count(f"<td>{latest.actor}</td><td>Data sets page</td>") == 2
    # everyone reads how fresh the data is on the overview
    overview = client_as("city_staff").get("/").content.decode()
    assert f"Data last imported on {latest.imported_at:%Y-%m-%d}" in overview and latest.actor not in overview


@pytest.mark.django_db
def test_the_files_of_an_import_download_as_given_with_their_digests_listed(client_as, lakeside_dir):
    import hashlib

    from interchange.models import DatasetImport

    client = client_as("analyst")
    upload(client, zipped(lakeside_dir / "data"))  # a zip of a folder: its files are kept, by their own names
    meetings = (lakeside_dir / "data" / "meetings.csv").read_bytes()
    upload(client, csv_file(lakeside_dir / "data" / "meetings.csv"))  # without entities.csv: the header the page adds is not kept

    latest, first = DatasetImport.objects.all()
    page = client.get("/data/").content.decode()
    digest = hashlib.sha256(meetings).hexdigest()
    assert f"SHA-256 <code>{digest[:12]}…</code>" in page and f'<code class="text-break">{digest}</code>' in page
    assert page.count('files.zip">Download (.zip)</a>') == 2
    response = client.get(f"/data/imports/{latest.pk}/files.zip")
    assert response["Content-Type"] == "application/zip"
    assert f'filename="tracker-import-{latest.pk}-' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["meetings.csv"] and archive.read("meetings.csv") == meetings
    with zipfile.ZipFile(io.BytesIO(client.get(f"/data/imports/{first.pk}/files.zip").content)) as archive:
        assert sorted(archive.namelist()) == sorted(p.name for p in (lakeside_dir / "data").iterdir())
    assert client.get(f"/data/imports/{latest.pk + 100}/files.zip").status_code == 404


@pytest.mark.django_db
def test_an_import_whose_files_are_no_longer_kept_lists_its_digests_only(client_as, lakeside_dir, settings):
    settings.IMPORTED_FILES_KEPT = 1
    client = client_as("analyst")
    for _ in range(2):
        upload(client, csv_file(lakeside_dir / "data" / "entities.csv"))

    page = client.get("/data/").content.decode()
    assert page.count('files.zip">Download (.zip)</a>') == 1 and page.count("<td>no longer kept</td>") == 1
    assert page.count("SHA-256 <code") == 2 and "The files of the latest 1 import are kept" in page


@pytest.mark.django_db
def test_the_recent_imports_show_what_each_noted_however_it_came_in(client_as, tmp_path):
    from interchange.models import DatasetImport
    from tests.imports import data_set, import_notes

    import_notes(data_set(tmp_path / "first", entities="external_id,name,kind\np-1,Ann Lee,person\n"))
    import_notes(data_set(tmp_path / "twin", entities="external_id,name,kind\np-2,Ann  Lee,person\n"))  # on the command line
    DatasetImport.objects.create(actor="before notes were kept", via="command", counts={})  # notes null, as after the migration

    for role, merge in (("analyst", "(administrators merge entities)"), ("administrator", 'Open the merge page</a>')):
        page = client_as(role).get("/data/").content.decode()
        assert "<summary>1 note</summary>" in page and "entities.csv line 2, name: note: " in page and merge in page
        assert page.count("<td>none</td>") == 1 and "not kept (imported before notes were kept)" in page
    imports = client_as("analyst").get("/api/imports/").json()["imports"]
    assert [len(run["notes"]) if run["notes"] is not None else None for run in imports] == [None, 1, 0]
    assert imports[1]["notes"][0]["line"] == 2 and "p-1" in imports[1]["notes"][0]["message"]


@pytest.mark.django_db
def test_the_api_lists_the_imports_for_analysts(client_as, lakeside_dir):
    import hashlib

    from interchange.models import ImportedFiles

    client = client_as("analyst")
    upload(client, csv_file(lakeside_dir / "data" / "entities.csv"))

    (run,) = client.get("/api/imports/").json()["imports"]
    assert run["via"] == "Data sets page" and run["counts"] == {"entities.csv": {"created": 191, "updated": 0, "unchanged": 0}}
    entities = (lakeside_dir / "data" / "entities.csv").read_bytes()
    assert run["files"] == {"entities.csv": {"sha256": hashlib.sha256(entities).hexdigest(), "bytes": len(entities)}}
    assert client.get(run["files_url"]).content.startswith(b"PK")
    ImportedFiles.objects.all().delete()
    assert client.get("/api/imports/").json()["imports"][0]["files_url"] is None
    assert client_as("city_staff").get("/api/imports/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role,offered", [
    ("analyst", "(administrators merge entities)"),
    ("administrator", '<a href="/entities/x-2/merge/?into=x-1">Open the merge page</a>'),
])
def test_an_upload_that_brings_back_a_merged_twin_says_so(client_as, tmp_path, role, offered):
    from entities.services import entity_merge
    from tests.factories import EntityFactory

    keep, twin = EntityFactory(external_id="x-1", kind="person"), EntityFactory(external_id="x-2", kind="person")
    entity_merge(keep=keep, duplicate=twin)
    entities = tmp_path / "entities.csv"
    entities.write_text("external_id,name,kind\nx-2,Jo Twin,person\n")

    page = upload(client_as(role), csv_file(entities)).content.decode()

    assert 'id="import-notes"' in page and "entities.csv line 2, external_id: note: x-2 was merged into x-1 on" in page
    assert "Imported, but worth a look (1 note):" in page
    assert offered in page
    assert Entity.objects.filter(external_id="x-2").exists()


@pytest.mark.django_db
def test_an_upload_the_task_queue_cannot_take_says_so_and_writes_nothing(client_as, lakeside_dir, task_queue_unreachable):
    """Before, the upload's page answered a server error, the upload left waiting for a worker forever."""
    client = client_as("analyst")

    response = upload(client, zipped(lakeside_dir / "data"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "The import failed; nothing was imported" in page
    assert "not checked, as the background workers&#x27; task queue could not be reached. Nothing was written." in page
    assert "hx-get" not in page.split('id="upload-body"')[1].split(">")[0]  # finished: the box stops asking
    assert Entity.objects.count() == 0


@pytest.mark.django_db
def test_the_data_sets_page_says_what_in_its_address_it_could_not_show(client_as):
    client = client_as("analyst")
    # an upload's report past its keeping, or an address that names none
    page = client.get("/data/", {"request": "999999"}).content.decode()
    assert "That upload&#x27;s report is no longer kept" in page
    page = client.get("/data/", {"request": "abc"}).content.decode()
    assert "&#x27;abc&#x27; names no upload" in page and "no longer kept" not in page
    page = client.get("/data/", {"requst": "5"}).content.decode()
    assert "This page reads nothing from &#x27;requst&#x27; (in its address): did you mean &#x27;request&#x27;?" in page
    assert "reads nothing from" not in client.get("/data/").content.decode()
