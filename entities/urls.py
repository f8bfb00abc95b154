from django.urls import path

from . import views

urlpatterns = [
    path("entities/", views.entity_list, name="entity_list"),
    path("find/", views.entity_find, name="entity_find"),
    # not /entities/new/: an entity may have the id "new" (its page is there)
    path("record/entity/", views.entity_new, name="entity_new"),
    path("entities/<str:external_id>/", views.entity_detail, name="entity_detail"),
    path("entities/<str:external_id>/edit/", views.entity_edit, name="entity_edit"),
    path("entities/<str:external_id>/delete/", views.entity_delete, name="entity_delete"),
    path("entities/<str:external_id>/merge/", views.entity_merge_page, name="entity_merge"),
    path("entities/<str:external_id>/merges/<int:record_id>/undo/", views.entity_merge_undo_page, name="entity_merge_undo"),
    path("entities/<str:external_id>/follow/", views.entity_follow, name="entity_follow"),
]
