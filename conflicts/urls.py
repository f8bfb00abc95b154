from django.urls import path

from . import views

urlpatterns = [
    path("flags/", views.flag_list, name="flag_list"),
    path("flags/status/", views.flag_bulk_transition, name="flag_bulk_transition"),
    path("flags/<int:pk>/", views.flag_detail, name="flag_detail"),
    path("flags/<int:pk>/status/", views.flag_transition, name="flag_transition"),
]
