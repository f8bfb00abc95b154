"""The record of the imports in the API (analysts and administrators, as the data sets page)."""
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core import roles
from core.api import role_permission

from .models import DatasetImport

IMPORTS_IN_THE_API = 100


class DatasetImportsView(APIView):
    """The latest imports that wrote to the tracker, newest first: when, who and how, each file's
    rows created, updated and unchanged, each file's size and SHA-256 as given, and where to download
    the files as given (`files_url`, null once they are no longer kept)."""

    permission_classes = [role_permission(read=roles.can_manage_data_sets, write=lambda user: False, name="ReadForAnalysts")]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        runs = DatasetImport.objects.with_files_kept()
        return Response({"imports": [
            {"imported_at": run.imported_at, "actor": run.actor, "via": run.via_words, "counts": run.counts, "files": run.files,
             "files_url": request.build_absolute_uri(reverse("imported_files_download", args=[run.pk])) if run.files_kept else None}
            for run in runs[:IMPORTS_IN_THE_API]
        ]})
