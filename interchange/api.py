"""The record of the imports in the API (analysts and administrators, as the data sets page)."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core import roles
from core.api import role_permission

from .models import DatasetImport

IMPORTS_IN_THE_API = 100


class DatasetImportsView(APIView):
    """The latest imports that wrote to the tracker, newest first: when, who and how, and each
    file's rows created, updated and unchanged."""

    permission_classes = [role_permission(read=roles.can_manage_data_sets, write=lambda user: False, name="ReadForAnalysts")]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"imports": [
            {"imported_at": run.imported_at, "actor": run.actor, "via": run.via_words, "counts": run.counts}
            for run in DatasetImport.objects.all()[:IMPORTS_IN_THE_API]
        ]})
