from django.urls import path

from . import pages, views

urlpatterns = [
    path("", pages.overview, name="overview"),
    path("following/", pages.following, name="following"),
    path("following/digest/", pages.following_digest, name="following_digest"),
    path("following/digest/confirm/<str:token>/", pages.following_digest_confirm, name="following_digest_confirm"),
    path("following/digest/stop/<str:token>/", pages.following_digest_stop, name="following_digest_stop"),
    path("help/", views.help_index, name="help_index"),
    path("help/<slug:slug>/", views.help_page, name="help_page"),
    path("unsaved/", views.unsaved_form, name="unsaved_form"),
]
