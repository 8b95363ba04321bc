from django.urls import path

from tongxin.exchange import views

app_name = "exchange"

urlpatterns = [
    path("hotline/", views.peer_list, name="peers"),
    path("hotline/new/", views.peer_create, name="peer_create"),
    path("hotline/<int:pk>/", views.peer_detail, name="peer"),
    path("hotline/<int:pk>/edit/", views.peer_edit, name="peer_edit"),
    path("hotline/<int:pk>/secret/", views.peer_rotate, name="peer_rotate"),
    path("robots/", views.robot_list, name="robots"),
    path("robots/new/", views.robot_create, name="robot_create"),
    path("robots/log/", views.delivery_log, name="log"),
    path("robots/<int:pk>/", views.robot_detail, name="robot"),
    path("robots/<int:pk>/edit/", views.robot_edit, name="robot_edit"),
    path("robots/<int:pk>/revoke/", views.robot_revoke, name="robot_revoke"),
]
