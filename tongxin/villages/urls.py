from django.urls import path

from tongxin.villages import views

app_name = "villages"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("import/", views.economy_import_view, name="import"),
    path("tiers/", views.tiers, name="tiers"),
    path("tiers/new/", views.tiers_new, name="tiers_new"),
    path("<int:pk>/", views.village, name="village"),
    path("<int:pk>/<int:year>/edit/", views.economy_edit, name="edit"),
    path("<int:pk>/projects/new/", views.project_new, name="project_new"),
    path("<int:pk>/enterprises/new/", views.enterprise_new, name="enterprise_new"),
    path("projects/<int:pk>/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/returns/", views.project_return, name="project_return"),
    path("enterprises/<int:pk>/", views.enterprise_edit, name="enterprise_edit"),
]
