from django.urls import path

from tongxin.regions import views

app_name = "regions"  # tongxin/urls.py adds the structure pages (a region's page) to it
urlpatterns = [
    path("", views.region_list, name="list"),
    path("new/", views.region_create, name="create"),
    path("choices/", views.region_choices_partial, name="choices"),
    path("<int:pk>/edit/", views.region_edit, name="edit"),
    path("<int:pk>/move/", views.region_move, name="move"),
    path("<int:pk>/children/", views.region_children_partial, name="children"),
]
