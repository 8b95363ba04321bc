from django.urls import path

from tongxin.villages import views

app_name = "villages"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("import/", views.economy_import_view, name="import"),
    path("<int:pk>/", views.village, name="village"),
    path("<int:pk>/<int:year>/edit/", views.economy_edit, name="edit"),
]
