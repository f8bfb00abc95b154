from django.urls import path

from . import views

urlpatterns = [
    path("sources/", views.sources, name="sources"),
    path("relationships/", views.relationship_list, name="relationship_list"),
    # not /relationships/new/: a relationship may have the id "new" (its page is there)
    path("record/relationship/", views.relationship_new, name="relationship_new"),
    path("relationships/<str:external_id>/", views.relationship_detail, name="relationship_detail"),
    path("relationships/<str:external_id>/edit/", views.relationship_edit, name="relationship_edit"),
    path("relationships/<str:external_id>/source/", views.relationship_source, name="relationship_source"),
    path("relationships/<str:external_id>/delete/", views.relationship_delete, name="relationship_delete"),
    path("relationships/<str:external_id>/disclosures/new/", views.disclosure_new, name="disclosure_new"),
    path("disclosures/<str:external_id>/edit/", views.disclosure_edit, name="disclosure_edit"),
    path("disclosures/<str:external_id>/delete/", views.disclosure_delete, name="disclosure_delete"),
]
