"""The imports in the API, for analysts and administrators (as the data sets page): the record of
the imports, and uploads checked and imported by a worker."""
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.context import user_actor
from core import roles
from core.api import UnknownFieldsRefused, role_permission

from .models import DatasetImport, ImportRequest
from .reading import Problem
from .tasks import import_queued
from .uploads import files_from_upload

IMPORTS_IN_THE_API = 100

ForAnalysts = role_permission(read=roles.can_manage_data_sets, write=roles.can_manage_data_sets, name="ForAnalysts")


class UploadOptions(UnknownFieldsRefused, serializers.Serializer):
    """What an API upload asks beside its files. A value DRF does not read as a boolean is refused:
    read as false, a garbled `dry_run` would import what was meant as a check; so is a field it
    does not read (`dryrun=true` imported what was meant as a check, `file=@…` read as no files)."""

    known_beyond_fields = ("files",)
    known_fields_words = "an upload takes"

    dry_run = serializers.BooleanField(required=False, default=False, error_messages={
        "invalid": "must be true or false (or 1/0, yes/no, on/off); nothing was checked or imported",
    })


def import_request_json(request, upload: ImportRequest) -> dict:
    """An upload as the API gives it: where it stands, then its report."""
    def url(name, pk):
        return request.build_absolute_uri(reverse(name, args=[pk]))

    return {
        "id": upload.pk, "url": url("import-request", upload.pk), "status": upload.status, "outcome": upload.outcome or None,
        "dry_run": upload.dry_run, "files": upload.file_names, "requested_at": upload.requested_at,
        "started_at": upload.started_at, "finished_at": upload.finished_at, "counts": upload.counts, "notes": upload.notes,
        "problem_count": upload.problem_count, "problems": upload.problems_shown,
        "problems_by_column": [{"file": file, "column": column, "count": count} for file, column, count in upload.problems_by_column],
        "problems_csv_url": url("import_request_problems", upload.pk) if upload.problem_count else None,
        "error": upload.error or None,
    }


class DatasetImportsView(APIView):
    """GET: the latest imports that wrote to the tracker, newest first: when, who and how, each
    file's rows created, updated and unchanged, each file's size and SHA-256 as given, what it noted
    as worth a look (`notes`: file, line, column, message, link), and where to
    download the files as given (`files_url`, null once they are no longer kept).

    POST (multipart, `files`: a zip or the CSV files, as on the data sets page; `dry_run`: true to
    check only): 202 with the upload, which a worker checks and imports; follow its `url` until
    `status` is `done`, then read `outcome` (imported, checked, refused or failed), `counts` or
    `problems`. A file that is not a data set at all is a 400 with its `problems`."""

    permission_classes = [ForAnalysts]
    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        runs = DatasetImport.objects.with_files_kept()
        return Response({"imports": [
            {"imported_at": run.imported_at, "actor": run.actor, "via": run.via_words, "counts": run.counts, "files": run.files,
             "notes": run.notes,
             "files_url": request.build_absolute_uri(reverse("imported_files_download", args=[run.pk])) if run.files_kept else None}
            for run in runs[:IMPORTS_IN_THE_API]
        ]})

    @extend_schema(
        request={"multipart/form-data": {"type": "object", "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
            "dry_run": {"type": "boolean"},
        }, "required": ["files"]}},
        responses={202: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        options = UploadOptions(data=request.data)
        files, problems = files_from_upload(request.FILES.getlist("files"))
        if not options.is_valid():
            problems += [Problem("upload", 1, field, str(message)) for field, messages in options.errors.items() for message in messages]
        if problems:
            return Response({"problems": [vars(p) for p in problems]}, status=status.HTTP_400_BAD_REQUEST)
        upload = import_queued(files=files, dry_run=options.validated_data["dry_run"], actor=user_actor(request.user, "api"))
        upload.refresh_from_db()  # the embedded default (Celery eager) has run it by now
        return Response(import_request_json(request, upload), status=status.HTTP_202_ACCEPTED)


class ImportRequestView(APIView):
    """An upload made through the API or the data sets page: where it stands, then its report (the
    first 200 problems; every one at `problems_csv_url`)."""

    permission_classes = [ForAnalysts]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        return Response(import_request_json(request, get_object_or_404(ImportRequest, pk=pk)))
