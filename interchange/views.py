from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.context import acting_as, user_actor
from core.permissions import role_required
from core.roles import can_manage_data_sets
from scoring.triggers import queue_recompute

from .export import dataset_export_zip
from .format import ENTITIES
from .models import DatasetImport, ImportedFiles
from .services import FileCounts, dataset_import
from .uploads import files_from_upload

IMPORTS_LISTED = 20

analysts_only = role_required(can_manage_data_sets, "Only analysts and administrators import and export data sets.")


@analysts_only
@require_http_methods(["GET", "POST"])
def data_sets(request):
    """Upload a data set (validate, then import or report) and download the current one."""
    context = {}
    if request.method == "POST":
        files, problems = files_from_upload(request.FILES.getlist("files"))
        dry_run = bool(request.POST.get("dry_run"))
        if problems:
            context.update(problems=problems, files=sorted(files))
        else:
            # on this page entities.csv may be left out (adding meetings, or sources to relationships,
            # to the data already here): the rows then refer to entities the database knows
            with acting_as(user_actor(request.user, "import")):
                result = dataset_import(files={ENTITIES.name: ",".join(ENTITIES.required).encode() + b"\n", **files}, dry_run=dry_run,
                                        recorded=files)
            counts = {name: n for name, n in result.counts.items() if name in files}
            context.update(problems=result.problems, counts=counts, dry_run=dry_run, files=sorted(files), notes=result.notes)
            if result.ok and not dry_run:
                queue_recompute(result.touched_entity_ids)
        status = 400 if context.get("problems") else 200
        return render(request, "interchange/data_sets.html", {**context, **recent_imports()}, status=status)
    return render(request, "interchange/data_sets.html", {**context, **recent_imports()})


def recent_imports() -> dict:
    """The latest imports, each with its files' counts in words and their digests, and whether its
    files are kept, for the data sets page."""
    runs = DatasetImport.objects.with_files_kept()
    return {
        "imports": [{"run": run, "files": [(name, FileCounts(**n), run.files.get(name)) for name, n in run.counts.items()]}
                    for run in runs[:IMPORTS_LISTED]],
        "files_kept_for": settings.IMPORTED_FILES_KEPT,
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
