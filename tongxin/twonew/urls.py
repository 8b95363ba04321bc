from django.urls import path

from tongxin.twonew import views

app_name = "twonew"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_new, name="new"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("<int:pk>/posts/new/", views.post_new, name="post_new"),
    path("<int:pk>/posts/<int:post>/", views.post_edit, name="post"),
    path("<int:pk>/posts/<int:post>/members/", views.post_member_add_view, name="member_add"),
    path(
        "<int:pk>/posts/<int:post>/members/<int:person>/remove/",
        views.post_member_remove_view,
        name="member_remove",
    ),
    path("<int:pk>/items/new/", views.item_new, name="item_new"),
    path("<int:pk>/items/<int:item>/", views.item_edit, name="item_edit"),
    path("<int:pk>/items/<int:item>/done/", views.rectification_done, name="item_done"),
]
