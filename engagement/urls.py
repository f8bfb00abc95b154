from django.urls import path

from . import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("search/entities/", views.entity_search, name="entity_search"),
]
