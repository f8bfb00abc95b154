from django.urls import path

from . import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("meetings/<int:pk>/surveys/", views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    path("feedback/<str:token>/", views.survey_answer, name="survey_answer"),
    path("engagement/coverage/", views.coverage, name="coverage"),
    path("engagement/trust/", views.trust_trend, name="trust_trend"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/decide/", views.report_decide, name="report_decide"),
    path("recusals/", views.recusal_guidance, name="recusals"),
    path("register/", views.disclosure_register, name="disclosure_register"),
    path("register/publish/", views.disclosure_register_toggle, name="disclosure_register_toggle"),
    path("search/entities/", views.entity_search, name="entity_search"),
    path("newcomers/<int:entity_id>/checked/", views.newcomer_checked, name="newcomer_checked"),
]
