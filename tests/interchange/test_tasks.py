"""The data sets page's uploads, checked and imported by a worker (interchange.services.import_request_run)."""
import csv
import gzip
import io
import time
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from audit.context import Actor
from engagement.models import Attendance
from entities.models import Entity
from interchange.models import DatasetImport, ImportRequest
from interchange.services import PROBLEMS_SHOWN, import_request_run, import_requested

ANALYST = Actor(None, "an analyst", "import")


def requested(files: dict[str, bytes], dry_run: bool = False) -> ImportRequest:
    return import_requested(files=files, dry_run=dry_run, actor=ANALYST)


def lakeside_files(lakeside_dir) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (lakeside_dir / "data").iterdir()}


@pytest.mark.django_db
def test_an_upload_is_imported_and_its_report_kept(lakeside_dir):
    request = import_request_run(requested(lakeside_files(lakeside_dir)).pk)

    assert (request.status, request.outcome) == ("done", "imported")
    assert request.counts["entities.csv"] == {"created": 191, "updated": 0, "unchanged": 0}
    assert request.dataset_import == DatasetImport.objects.get() and request.dataset_import.actor == "an analyst"
    assert request.archive is None and request.problem_count == 0 and request.problems_csv is None
    assert Attendance.objects.count() == 2725
    # run again (a worker that died after finishing, its task redelivered): nothing is imported twice
    assert import_request_run(request.pk).finished_at == request.finished_at and DatasetImport.objects.count() == 1


@pytest.mark.django_db
def test_a_dry_run_is_checked_and_writes_nothing(lakeside_dir):
    request = import_request_run(requested(lakeside_files(lakeside_dir), dry_run=True).pk)

    assert request.outcome == "checked" and request.counts["attendance.csv"]["created"] == 2725
    assert not Entity.objects.exists() and request.dataset_import is None


@pytest.mark.django_db
def test_a_refused_upload_shows_the_first_problems_and_keeps_every_one_to_download():
    rows = "".join(f"m-{n},2026-01-0{n % 9 + 1},private_meeting,\n" for n in range(PROBLEMS_SHOWN + 50))  # every title missing
    request = import_request_run(requested({"meetings.csv": ("external_id,date,type,title\n" + rows).encode()}).pk)

    assert request.outcome == "refused" and request.problem_count == PROBLEMS_SHOWN + 50
    assert len(request.problems_shown) == PROBLEMS_SHOWN
    assert request.problems_shown[0] == {"file": "meetings.csv", "line": 2, "column": "title", "message": request.problems_shown[0]["message"], "link": ""}
    lines = gzip.decompress(bytes(request.problems_csv)).decode().splitlines()
    assert lines[0] == "file,line,column,message" and len(lines) == PROBLEMS_SHOWN + 51
    assert lines[-1].startswith(f"meetings.csv,{PROBLEMS_SHOWN + 51},title,")
    assert not DatasetImport.objects.exists()


@pytest.mark.django_db
def test_control_characters_a_problem_quotes_are_shown_escaped_and_the_report_is_kept():
    # PostgreSQL's jsonb refuses a NUL: the report of a header or a cell holding one failed to save
    files = {
        "entities.csv": b"external_id,name,kind,no\x00te\ne-1,One,person,\n",
        "relationships.csv": b"external_id,source,target,type,amount\nr-1,e-1,e-1x,funds,\"12\n3\"\n",
    }
    request = import_request_run(requested(files).pk)

    assert (request.status, request.outcome) == ("done", "refused")
    shown = {(p["file"], p["line"], p["column"]): p["message"] for p in request.problems_shown}
    assert shown[("entities.csv", 1, "no\\x00te")].startswith("unknown column 'no\\x00te'")
    assert shown[("relationships.csv", 2, "amount")] == "'12\\n3' is not a number"
    downloaded = list(csv.reader(io.StringIO(gzip.decompress(bytes(request.problems_csv)).decode())))
    assert downloaded[1][:3] == ["entities.csv", "1", "no\\x00te"] and len(downloaded) == 1 + request.problem_count
    assert not Entity.objects.exists()


@pytest.mark.django_db
def test_a_failure_is_reported_and_writes_nothing(lakeside_dir, monkeypatch):
    import interchange.services as services

    def upsert_then_fail(parsed, touched):
        services.Entity.objects.create(external_id="half-written", name="x", kind="person")
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "_upsert_all", upsert_then_fail)
    request = import_request_run(requested(lakeside_files(lakeside_dir)).pk)

    assert (request.status, request.outcome) == ("done", "failed") and "RuntimeError: the disk is full" in request.error
    assert not Entity.objects.exists() and not DatasetImport.objects.exists()
    assert import_request_run(request.pk + 1) is None  # a request no longer kept


@pytest.mark.django_db
def test_an_upload_queued_while_no_worker_runs_says_so_at_once(lakeside_dir, client_as, monkeypatch):
    """The workers' heartbeat (core.workers): before, the page said it waited for a worker for five
    minutes before saying none was taking it."""
    from config.celery import app
    from core.workers import beat_heartbeat_recorded, heartbeat_recorded

    monkeypatch.setitem(app.conf, "task_always_eager", False)  # deployed with a broker
    analyst = client_as("analyst")
    upload = requested({"entities.csv": (lakeside_dir / "data" / "entities.csv").read_bytes()})
    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(seconds=30))
    assert not upload.overdue and "taking longer" not in analyst.get(f"/data/?request={upload.pk}").content.decode()

    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(minutes=8))
    page = " ".join(analyst.get(f"/data/?request={upload.pk}").content.decode().split())
    # beat has never sent them work either (core.tasks.beat_sent_a_task): they may only be idle,
    # so the page does not say they will not take it
    assert "This may wait: no background worker has taken any work since" in page
    assert ("and beat, which sends them work every minute, has sent none yet: the workers may be stopped too, or only idle, "
            "and then one takes it within seconds (this box updates itself). Nothing is written until it finishes.") in page
    assert "so none will take it" not in page
    assert ImportRequest.objects.get(pk=upload.pk).shown_state == "queued-overdue"

    beat_heartbeat_recorded(now=timezone.now() - timedelta(seconds=20))  # beat sends, no worker takes: they are stopped
    page = " ".join(analyst.get(f"/data/?request={upload.pk}").content.decode().split())
    assert "This will wait: no background worker has taken any work since" in page and "This may wait" not in page
    assert "so none will take it until one is back or free. Nothing is written until it finishes." in page
    assert ImportRequest.objects.get(pk=upload.pk).shown_state == "queued-overdue"  # the polling box swaps it in


@pytest.mark.django_db
def test_the_page_shows_a_queued_upload_and_updates_it_when_the_worker_is_done(lakeside_dir, client_as):
    analyst = client_as("analyst")
    entities = (lakeside_dir / "data" / "entities.csv").read_bytes()

    response = analyst.post("/data/", {"files": [SimpleUploadedFile("entities.csv", entities)]})  # not committed: not run yet
    request = ImportRequest.objects.get()
    assert response.url == f"/data/?request={request.pk}"
    page = analyst.get(response.url).content.decode()
    assert "Waiting for a worker" in page and f'hx-get="/data/requests/{request.pk}/?shown=queued"' in page

    status = f"/data/requests/{request.pk}/?shown=queued"
    assert analyst.get(status, headers={"HX-Request": "true"}).status_code == 204  # no change: nothing swapped
    assert analyst.get(status).status_code == 302  # not htmx: the page itself
    assert "taking longer than it should" not in page
    ImportRequest.objects.filter(pk=request.pk).update(requested_at=timezone.now() - timedelta(minutes=6))
    assert "no worker has taken it yet" in analyst.get(response.url).content.decode()  # no worker running
    polled = analyst.get(status, headers={"HX-Request": "true"})  # the box asking: swapped, now saying so
    assert polled.status_code == 200 and "no worker has taken it" in polled.content.decode()
    assert analyst.get(f"{status}-overdue", headers={"HX-Request": "true"}).status_code == 204

    import_request_run(request.pk)
    body = analyst.get(status, headers={"HX-Request": "true"}).content.decode()
    assert "Imported" in body and "<td>entities.csv</td><td>191</td>" in body and "hx-get" not in body
    assert "taking longer" not in body and "Scores and flags are being recomputed for what changed." in body
    again = import_request_run(requested({"entities.csv": entities}).pk)
    assert "Nothing changed: every row was already here as given." in analyst.get(f"/data/?request={again.pk}").content.decode()

    gone = analyst.get("/data/?request=123456")
    assert "no longer kept" in gone.content.decode() and "upload-title" not in gone.content.decode()


@pytest.mark.django_db
def test_every_problem_downloads_as_csv(client_as):
    request = import_request_run(requested({"entities.csv": b"external_id,name,kind\nx,X,planet\n"}).pk)

    response = client_as("analyst").get(f"/data/requests/{request.pk}/problems.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[1].startswith("entities.csv,2,kind,")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_an_upload_of_the_page(lakeside_dir, worker_queue, client_as, monkeypatch):
    from config.celery import app as celery_app
    from interchange.tasks import import_request_task
    from tests.worker import REDIS_URL

    # the page's queueing, sent on a connection of its own to the worker's private queue (as the
    # other worker tests send theirs: a pooled producer may still hold another broker)
    def queued(request_id):
        with celery_app.connection_for_write(REDIS_URL) as conn:
            return import_request_task.apply_async(args=[request_id], queue=worker_queue, connection=conn)

    monkeypatch.setattr(import_request_task, "delay", queued)
    analyst = client_as("analyst")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for path in (lakeside_dir / "data").iterdir():
            z.write(path, path.name)

    response = analyst.post("/data/", {"files": [SimpleUploadedFile("lakeside.zip", archive.getvalue())]})
    request = ImportRequest.objects.get()
    deadline = time.monotonic() + 120
    while not request.finished and time.monotonic() < deadline:
        time.sleep(0.5)
        request.refresh_from_db()

    assert request.outcome == "imported", request.error
    assert Entity.objects.count() == 191 and Attendance.objects.count() == 2725
    assert "Imported" in analyst.get(response.url).content.decode()


@pytest.mark.django_db
def test_the_admin_lists_uploads_read_only(client, user_with_role):
    request = import_request_run(requested({"entities.csv": b"external_id,name,kind\nx,X,planet\n"}).pk)
    user = user_with_role("administrator")
    user.is_staff = user.is_superuser = True  # as load_demo makes its administrator
    user.save()
    admin = client
    admin.force_login(user)

    assert "refused (problems found)" in admin.get("/admin/interchange/importrequest/").content.decode()
    page = admin.get(f"/admin/interchange/importrequest/{request.pk}/change/").content.decode()
    assert "an analyst" in page and 'name="_save"' not in page


@pytest.mark.django_db
def test_a_script_uploads_through_the_api_and_follows_its_upload_to_the_report(lakeside_dir, client_as):
    from django.test import TestCase

    api = client_as("analyst")
    entities = SimpleUploadedFile("entities.csv", (lakeside_dir / "data" / "entities.csv").read_bytes())
    with TestCase.captureOnCommitCallbacks(execute=True):
        accepted = api.post("/api/imports/", {"files": [entities]})

    assert accepted.status_code == 202
    report = api.get(accepted.json()["url"]).json()
    assert (report["status"], report["outcome"]) == ("done", "imported")
    assert report["counts"] == {"entities.csv": {"created": 191, "updated": 0, "unchanged": 0}} and report["problems_csv_url"] is None
    assert api.get("/api/imports/").json()["imports"][0]["via"] == "API"


@pytest.mark.django_db
def test_the_api_reports_refused_uploads_and_checks(client_as):
    from django.test import TestCase

    api = client_as("analyst")
    with TestCase.captureOnCommitCallbacks(execute=True):
        checked = api.post("/api/imports/", {"files": [SimpleUploadedFile("entities.csv", b"external_id,name,kind\nx,X,person\n")], "dry_run": "true"})
        bad_row = api.post("/api/imports/", {"files": [SimpleUploadedFile("entities.csv", b"external_id,name,kind\nx,X,planet\n")]})
    not_data = api.post("/api/imports/", {"files": [SimpleUploadedFile("notes.txt", b"hello")]})

    assert api.get(checked.json()["url"]).json()["outcome"] == "checked" and not Entity.objects.exists()
    refused = api.get(bad_row.json()["url"]).json()
    assert refused["outcome"] == "refused" and refused["problems"][0]["column"] == "kind"
    assert refused["problems_by_column"] == [{"file": "entities.csv", "column": "kind", "count": 1}]
    assert api.get(refused["problems_csv_url"]).content.decode().startswith("file,line,column,message\n")
    assert not_data.status_code == 400 and "unexpected file" in not_data.json()["problems"][0]["message"]
    assert client_as("city_staff").post("/api/imports/", {"files": [SimpleUploadedFile("entities.csv", b"x")]}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["check", "Y-es", "2"])
def test_an_api_upload_whose_dry_run_is_neither_true_nor_false_is_refused_and_queues_nothing(client_as, value):
    # read as false, it would import what was meant as a check
    response = client_as("analyst").post(
        "/api/imports/", {"files": [SimpleUploadedFile("entities.csv", b"external_id,name,kind\nx,X,person\n")], "dry_run": value})

    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert problem["column"] == "dry_run" and problem["message"].startswith("must be true or false")
    assert not ImportRequest.objects.exists() and not Entity.objects.exists()


@pytest.mark.django_db
def test_an_api_upload_naming_a_field_it_does_not_read_is_refused_and_queues_nothing(client_as):
    """`dryrun=true` imported what was meant as a check; `file=@…` was read as no files."""
    entities = b"external_id,name,kind\nx,X,person\n"
    api = client_as("analyst")

    mistyped = api.post("/api/imports/", {"files": [SimpleUploadedFile("entities.csv", entities)], "dryrun": "true"})
    singular = api.post("/api/imports/", {"file": [SimpleUploadedFile("entities.csv", entities)]})

    [problem] = mistyped.json()["problems"]
    assert mistyped.status_code == 400 and problem["column"] == "dryrun"
    assert problem["message"] == "unknown field: an upload takes dry_run, files; did you mean 'dry_run'?"
    assert singular.status_code == 400 and any(p["column"] == "file" and "did you mean 'files'?" in p["message"] for p in singular.json()["problems"])
    assert not ImportRequest.objects.exists() and not Entity.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "dry_run"), [("yes", True), ("1", True), ("on", True), ("false", False), ("0", False), ("", False)])
def test_an_api_upload_reads_dry_run_as_drf_reads_a_boolean(client_as, value, dry_run):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_as("analyst").post(
            "/api/imports/", {"files": [SimpleUploadedFile("entities.csv", b"external_id,name,kind\nx,X,person\n")], "dry_run": value})

    assert response.status_code == 202 and response.json()["dry_run"] is dry_run
    assert Entity.objects.exists() is not dry_run


@pytest.mark.django_db
def test_the_page_lists_the_analysts_own_latest_uploads_with_their_reports(client_as):
    from tests.uploads import upload

    analyst = client_as("analyst")
    upload(analyst, SimpleUploadedFile("entities.csv", b"external_id,name,kind\nx,X,planet\n"))
    upload(analyst, SimpleUploadedFile("entities.csv", b"external_id,name,kind\nx,X,person\n"), dry_run=True)
    refused, checked = ImportRequest.objects.order_by("pk")

    page = analyst.get("/data/").content.decode()
    assert f'?request={refused.pk}">' in page and "refused (problems found), 1 problem</li>" in page
    assert f'?request={checked.pk}">' in page and "checked (dry run)</li>" in page
    assert 'id="my-uploads"' not in client_as("analyst").get("/data/").content.decode()  # another analyst's page


@pytest.mark.django_db
def test_an_import_from_an_upload_links_to_its_report(client_as, lakeside_dir):
    from tests.uploads import upload

    analyst = client_as("analyst")
    upload(analyst, SimpleUploadedFile("entities.csv", (lakeside_dir / "data" / "entities.csv").read_bytes()))
    request = ImportRequest.objects.get()

    page = analyst.get("/data/").content.decode()
    assert f'<a href="/data/?request={request.pk}">its report</a>' in page
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO(), stderr=io.StringIO())  # no report
    assert analyst.get("/data/").content.decode().count(">its report</a>") == 1
