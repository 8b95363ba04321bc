from django.urls import path

from tongxin.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<int:pk>/", views.scheme, name="scheme"),
    path("schemes/<int:pk>/<slug:action>/", views.scheme_action, name="scheme_action"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("runs/<int:pk>/scores/", views.scores, name="scores"),
    path("runs/<int:pk>/scores/import/", views.scores_upload, name="scores_import"),
    path("runs/<int:pk>/sheet.xlsx", views.sheet, name="sheet"),
    path("runs/<int:pk>/ledger.xlsx", views.ledger, name="ledger"),
    path("runs/<int:pk>/<slug:action>/", views.run_action, name="run_action"),
    path("results/<int:pk>/", views.result, name="result"),
    path("results/<int:pk>/report/", views.report, name="report"),
    path("people/<int:pk>/", views.person_record, name="person"),
    path("contests/new/", views.contest_new, name="contest_new"),
    path("contests/<int:pk>/", views.contest, name="contest"),
]
