from django.urls import path

from tongxin.lists import listing, views

app_name = "lists"  # tongxin/urls.py adds the co-building ledger to it
urlpatterns = [
    path("", views.need_list, name="index"),
    path("needs/", views.need_list, name="needs"),
    path("needs/export.xlsx", listing.need_export, name="need_export"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:pk>/claim/", views.need_claim, name="need_claim"),
    path("needs/<int:pk>/release/", views.need_release, name="need_release"),
    path("needs/<int:pk>/withdraw/", views.need_withdraw, name="need_withdraw"),
    path("needs/from-cases/", views.cases_unsolved, name="cases"),
    path("needs/from-cases/<int:case_pk>/", views.need_from_case, name="need_from_case"),
    path("problems/", views.problem_list, name="problems"),
    path("results/", views.result_list, name="results"),
    path("resources/", views.resource_list, name="resources"),
    path("resources/export.xlsx", listing.resource_export, name="resource_export"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("projects/", views.project_list, name="projects"),
    path("projects/export.xlsx", listing.project_export, name="project_export"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("projects/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("projects/<int:pk>/close/", views.project_close, name="project_close"),
    path("projects/<int:pk>/cancel/", views.project_cancel, name="project_cancel"),
    path("milestones/<int:pk>/report/", views.milestone_report, name="milestone_report"),
    path("milestones/<int:pk>/accept/", views.milestone_accept, name="milestone_accept"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
]
