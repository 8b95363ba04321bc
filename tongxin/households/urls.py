from django.urls import path

from tongxin.households import views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("export/", views.household_export, name="export"),
    path("new/", views.household_create, name="create"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/edit/", views.household_edit, name="edit"),
    path("<int:pk>/tags/", views.household_tags, name="tags"),
    path("<int:pk>/residents/new/", views.residence_add, name="residence_add"),
    path("residents/<int:pk>/end/", views.residence_end, name="residence_end"),
    path("care-tags/", views.care_tags, name="care_tags"),
    path("care-tags/<int:node>/new/", views.care_tag_create, name="care_tag_create"),
    path("care-tags/<int:node>/<int:pk>/", views.care_tag_edit, name="care_tag_edit"),
    path("links/", views.link_list, name="links"),
    path("links/new/", views.link_create, name="link_create"),
    path("links/<int:pk>/", views.link_detail, name="link"),
    path("links/<int:pk>/end/", views.link_end, name="link_end"),
]
