"""The REST API under /api/: one router over the viewsets each app owns, plus schema and docs.

API views do their own authentication (session or token) and role checks, so the site-wide
LoginRequiredMiddleware is told to let them through (a script with a token has no session)."""
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from conflicts.api import FlagViewSet
from core.following_api import FollowEntityView, FollowingChangesView, FollowingView
from engagement.api import MeetingViewSet
from entities.api import EntityViewSet
from relationships.api import DisclosureViewSet, RelationshipViewSet
from interchange.api import DatasetImportsView, ImportRequestView
from scoring.api import (
    CloseChangesView, EntityTiesView, PairHistoryView, PairMeetingsView, PairScoreViewSet, ScoringStatusView, SettingsHistoryView, TiesOverTimeView,
)

router = DefaultRouter()
router.register("entities", EntityViewSet, basename="entity")
router.register("relationships", RelationshipViewSet, basename="relationship")
router.register("disclosures", DisclosureViewSet, basename="disclosure")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("closeness", PairScoreViewSet, basename="pair")
router.register("flags", FlagViewSet, basename="flag")

urlpatterns = [
    path("closeness/changes/", CloseChangesView.as_view(), name="close-changes"),
    path("closeness/ties/", TiesOverTimeView.as_view(), name="ties-over-time"),
    # before the router's entities/<id>/ (an external id may hold any character but "/")
    path("entities/<str:external_id>/ties/", EntityTiesView.as_view(), name="entity-ties"),
    path("entities/<str:external_id>/follow/", FollowEntityView.as_view(), name="entity-follow"),
    path("following/", FollowingView.as_view(), name="following-list"),
    path("following/changes/", FollowingChangesView.as_view(), name="following-changes"),
    path("scoring/settings/history/", SettingsHistoryView.as_view(), name="settings-history"),
    path("scoring/status/", ScoringStatusView.as_view(), name="scoring-status"),
    path("imports/", DatasetImportsView.as_view(), name="imports"),
    path("imports/requests/<int:pk>/", ImportRequestView.as_view(), name="import-request"),
] + router.urls + [
    path("closeness/<str:a>/<str:b>/history/", PairHistoryView.as_view(), name="pair-history"),
    path("closeness/<str:a>/<str:b>/meetings/", PairMeetingsView.as_view(), name="pair-meetings"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the split view serves its start-up script as a file, so the CSP can stay script-src 'self'
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

for pattern in urlpatterns:
    pattern.callback.login_required = False  # what django.contrib.auth's login_not_required sets
