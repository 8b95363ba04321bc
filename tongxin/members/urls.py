from django.urls import path

from tongxin.members import listing, views

app_name = "members"
urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("me/report/", views.report_online, name="report_online"),
    path("me/rereport/", views.rereport_me, name="rereport_me"),
    path("people/<int:pk>/record/", views.person_record, name="person_record"),
    path("people/choices/", views.person_choices_partial, name="person_choices"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/rereport/", views.report_renew, name="report_renew"),
    path("reports/<int:pk>/end/", views.report_end, name="report_end"),
    path("posts/", views.post_list, name="posts"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("units/", views.unit_report_list, name="units"),
    path("units/new/", views.unit_report_create, name="unit_create"),
    path("units/<int:pk>/<str:action>/", views.unit_report_action, name="unit_action"),
    path("services/", listing.service_list, name="services"),
    path("services/export.xlsx", listing.service_export, name="service_export"),
    path("cards/", views.card_list, name="cards"),
    path("cards/export.xlsx", views.card_export, name="cards_export"),
    path("cards/print.pdf", views.card_print, name="cards_print"),
    path("cards/<int:pk>/", views.card_detail, name="card"),
    path("check/", views.annual_check, name="check"),
    path("rules/", views.rules_list, name="rules"),
    path("rules/new/", views.rules_create, name="rules_create"),
]
