from django.urls import path

from . import views

urlpatterns = [
    path("scoring/settings/", views.scoring_settings, name="scoring_settings"),
]
