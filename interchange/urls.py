from django.urls import path

from . import views

urlpatterns = [
    path("data/", views.data_sets, name="data_sets"),
    path("data/export.zip", views.data_set_download, name="data_set_download"),
    path("data/requests/<int:pk>/", views.import_request_status, name="import_request_status"),
    path("data/requests/<int:pk>/problems.csv", views.import_request_problems, name="import_request_problems"),
    path("data/imports/<int:pk>/files.zip", views.imported_files_download, name="imported_files_download"),
]
