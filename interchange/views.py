import gzip

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.context import user_actor
from core.filters import UNREAD_BY_PAGE, unread_query_parameters
from core.params import row_id
from core.permissions import role_required
from core.roles import can_manage_data_sets

from .export import dataset_export_zip
from .models import DatasetImport, ImportedFiles, ImportRequest
from .services import IMPORT_REQUESTS_KEPT_DAYS, FileCounts, imported_files_kept
from .tasks import import_queued
from .uploads import files_from_upload

IMPORTS_LISTED = 20
MY_UPLOADS_LISTED = 5  # the signed-in analyst's latest uploads, each with its report (refused ones too)

analysts_only = role_required(can_manage_data_sets, "Only analysts and administrators import and export data sets.")


@analysts_only
@require_http_methods(["GET", "POST"])
def data_sets(request):
    """Upload a data set (a worker checks it, then imports it or reports its problems, shown here
    as it goes: `?request=<id>`) and download the current one."""
    context = {}
    if request.method == "POST":
        files, problems = files_from_upload(request.FILES.getlist("files"))
        if problems:  # not a data set at all (not a zip, a stray file): said at once, nothing queued
            return render(request, "interchange/data_sets.html", {"problems": problems, "files": sorted(files), **recent_imports()}, status=400)
        upload = import_queued(files=files, dry_run=bool(request.POST.get("dry_run")), actor=user_actor(request.user, "import"))
        return redirect(_report_url(upload))
    if "request" in request.GET:
        request_id = row_id(request.GET["request"])
        context["upload"] = ImportRequest.objects.filter(pk=request_id).first() if request_id else None
        if request_id is None:
            messages.info(request, f"'{request.GET['request']}' names no upload: 'request' in the address is an upload's number.")
        elif context["upload"] is None:
            messages.info(request, f"That upload's report is no longer kept (reports are kept {IMPORT_REQUESTS_KEPT_DAYS} days).")
    context["not_read"] = unread_query_parameters(request.GET, {"request"}, unread=UNREAD_BY_PAGE)
    context["my_uploads"] = ImportRequest.objects.filter(requested_by=request.user).order_by("-requested_at", "-pk")[:MY_UPLOADS_LISTED]
    return render(request, "interchange/data_sets.html", {**context, **recent_imports()})


def _report_url(upload: ImportRequest) -> str:
    """The data sets page showing an upload's box."""
    return f"{reverse('data_sets')}?request={upload.pk}"


@analysts_only
def import_request_status(request, pk: int):
    """The upload's box on the data sets page, which asks for it every few seconds until the worker
    has finished, saying which state it shows (`?shown=`, `shown_state`): while that is still the state, to htmx,
    "no change" (204: nothing swapped, nothing announced again to a screen reader)."""
    upload = get_object_or_404(ImportRequest, pk=pk)
    if not request.htmx:
        return redirect(_report_url(upload))
    if not upload.finished and request.GET.get("shown") == upload.shown_state:
        return HttpResponse(status=204)
    return render(request, "interchange/_import_request.html", {"upload": upload})


@analysts_only
def import_request_problems(request, pk: int):
    """Every problem an upload was refused for, as CSV (the page shows the first ones)."""
    upload = get_object_or_404(ImportRequest.objects.exclude(problems_csv=None), pk=pk)
    response = HttpResponse(gzip.decompress(bytes(upload.problems_csv)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{pk}-problems.csv"'
    return response


def recent_imports() -> dict:
    """The latest imports, each with its files' counts in words and their digests, and whether its
    files are kept, for the data sets page."""
    runs = list(DatasetImport.objects.with_files_kept()[:IMPORTS_LISTED])
    # an upload's report (its counts and notes as the uploader saw them), while kept
    reports = dict(ImportRequest.objects.filter(dataset_import__in=runs).values_list("dataset_import_id", "pk"))
    return {
        "imports": [{"run": run, "files": [(name, FileCounts(**n), run.files.get(name)) for name, n in run.counts.items()],
                     "report": reports.get(run.pk)}
                    for run in runs],
        "files_kept_for": imported_files_kept(),
        "reports_kept_days": IMPORT_REQUESTS_KEPT_DAYS,
    }


@analysts_only
def imported_files_download(request, pk: int):
    """The files of one import, as they were given, in a zip."""
    kept = get_object_or_404(ImportedFiles.objects.select_related("dataset_import"), pk=pk)
    response = HttpResponse(bytes(kept.archive), content_type="application/zip")
    when = timezone.localtime(kept.dataset_import.imported_at)
    response["Content-Disposition"] = f'attachment; filename="tracker-import-{pk}-{when:%Y-%m-%d-%H%M}.zip"'
    return response


@analysts_only
def data_set_download(request):
    response = StreamingHttpResponse(dataset_export_zip(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="tracker-data-{timezone.localdate().isoformat()}.zip"'
    return response
