from django.urls import path

from tongxin.activities import listing, views

app_name = "activities"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", listing.activity_export, name="export"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/signup/", views.signup, name="signup"),
    path("<int:pk>/signup/cancel/", views.signup_cancel, name="signup_cancel"),
    path("<int:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("teams/", views.team_list, name="teams"),
    path("teams/export.xlsx", listing.team_export, name="team_export"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/members/", views.team_member_add, name="team_member_add"),
    path("teams/members/<int:pk>/remove/", views.team_member_remove, name="team_member_remove"),
    path("teams/<int:pk>/callout/", views.callout_create, name="callout_create"),
    path("callouts/<int:pk>/", views.callout_respond, name="callout_respond"),
    path("callouts/<int:pk>/close/", views.callout_close, name="callout_close"),
]
