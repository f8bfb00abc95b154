from django.urls import path

from . import views

urlpatterns = [
    path("scoring/settings/", views.scoring_settings, name="scoring_settings"),
    path("scoring/settings/history/", views.settings_history, name="settings_history"),
    path("scoring/settings/preview/<int:pk>/", views.settings_preview_status, name="settings_preview_status"),
    path("closeness/", views.pair_list, name="pair_list"),
    path("closeness/changes/", views.close_changes, name="close_changes"),
    path("network/", views.network, name="network"),
    path("closeness/<str:a>/<str:b>/", views.pair_detail, name="pair_detail"),
]
