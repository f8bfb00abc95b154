"""The Following page in the API, for scripts: which entities the token's account follows, following
one or stopping, and what changed for each since a day (the page's rows). Personal, like the page:
every role may follow; nobody sees another account's."""
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from entities.models import Entity, Follow
from entities.services import FOLLOW_LIMIT, FollowError, follow_set
from scoring.forms import SinceForm
from scoring.services import current_snapshot

from . import roles
from .api import role_permission
from .api_filters import refuse_unknown_query_parameters
from .following import followed_changes

FollowPermission = role_permission(write=roles.can_view, name="FollowPermission")


class FollowingView(APIView):
    """The entities this account follows (by name), with when each was followed."""

    permission_classes = [FollowPermission]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        follows = Follow.objects.filter(user=request.user).select_related("entity").order_by("entity__name", "entity_id")
        return Response({
            "limit": FOLLOW_LIMIT,
            "entities": [{"external_id": f.entity.external_id, "name": f.entity.name, "kind": f.entity.kind,
                          "followed_since": f.created_at} for f in follows],
        })


class FollowEntityView(APIView):
    """PUT follows the entity (201, or 200 when already followed; 409 past the limit); DELETE
    stops following it (204, followed or not)."""

    permission_classes = [FollowPermission]

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def put(self, request, external_id: str):
        entity = get_object_or_404(Entity, external_id=external_id)
        try:
            changed = follow_set(user=request.user, entity=entity, following=True)
        except FollowError as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response({"entity": entity.external_id, "following": True}, status=status.HTTP_201_CREATED if changed else status.HTTP_200_OK)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, external_id: str):
        entity = get_object_or_404(Entity, external_id=external_id)
        follow_set(user=request.user, entity=entity, following=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowingChangesView(APIView):
    """For each entity this account follows, what changed since `?since=` (default a month before
    the current scores), as on the Following page: its pairs that changed band (`band_move` one of
    became_close, no_longer_close, became_working, no_longer_working; the scores then and now), the
    ids of its flags raised and ended since, and those of its relationships recorded since."""

    permission_classes = [FollowPermission]

    @extend_schema(
        parameters=[OpenApiParameter("since", OpenApiTypes.DATE, description="compare with the scores as of this day or just before")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        form = SinceForm(request.query_params)
        refuse_unknown_query_parameters(request, self, set(form.fields))
        if not form.is_valid():
            raise ValidationError(form.errors)
        snapshot = current_snapshot()
        since, rows = followed_changes(request.user, snapshot, form.cleaned_data["since"])
        return Response({
            "as_of": snapshot.as_of if since else None,
            "since": since.as_of if since else None,
            "entities": [{
                "external_id": row.entity.external_id,
                "name": row.entity.name,
                "moves": [{"other": m["other"].external_id, "band_move": m["band_move"], "then": m["before"], "now": m["after"]}
                          for m in row.moved],
                "flags_raised": [flag.pk for flag in row.raised],
                "flags_lapsed": [flag.pk for flag in row.lapsed],
                "relationships_recorded": [r.external_id for r in row.recorded],
            } for row in rows],
        })
