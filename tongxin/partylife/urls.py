from django.urls import path

from tongxin.partylife import listing, views

app_name = "partylife"
urlpatterns = [
    path("", views.index, name="index"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/export.xlsx", listing.meeting_export, name="meeting_export"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/delete/", views.party_meeting_delete, name="meeting_delete"),
    path("compliance/", views.compliance, name="compliance"),
    path("meeting-rules/", views.meeting_rules, name="meeting_rules"),
    path("development/", views.development_list, name="development"),
    path("development/export.xlsx", listing.file_export, name="development_export"),
    path("development/new/", views.development_open, name="development_open"),
    path("development/rules/", views.development_rules, name="development_rules"),
    path("development/mine/", views.my_development, name="my_development"),
    path("development/<int:pk>/", views.development_file, name="development_file"),
    path("development/<int:pk>/steps/", views.development_step_add, name="development_step_add"),
    path("development/steps/<int:pk>/delete/", views.development_step_delete, name="development_step_delete"),
    path("mobile/", views.mobile_list, name="mobile"),
    path("mobile/export.xlsx", listing.mobile_export, name="mobile_export"),
    path("mobile/new/", views.mobile_register, name="mobile_register"),
    path("mobile/<int:pk>/", views.mobile_edit, name="mobile_edit"),
    path("mobile/<int:pk>/return/", views.mobile_return, name="mobile_return"),
    path("mobile/<int:pk>/reveal/", views.mobile_reveal, name="mobile_reveal"),
    path("windows/new/", views.window_create, name="window_create"),
    path("training/", views.training_list, name="training"),
    path("training/export.xlsx", listing.training_export, name="training_export"),
    path("training/participants.xlsx", listing.participant_export, name="participant_export"),
    path("training/new/", views.training_create, name="training_create"),
    path("training/<int:pk>/", views.training_detail, name="training_class"),
    path("training/<int:pk>/sessions/", views.training_session_add, name="training_session_add"),
    path("training/<int:pk>/participants/", views.training_participant_add, name="training_participant_add"),
    path("training/sessions/<int:pk>/attendance/", views.training_attendance, name="training_attendance"),
]
