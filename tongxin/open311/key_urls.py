"""The security administrator's page of Open311 client keys (/open311/keys/)."""

from django.urls import path

from tongxin.open311 import key_views

app_name = "open311_keys"

urlpatterns = [
    path("", key_views.key_list, name="list"),
    path("<int:pk>/revoke/", key_views.key_revoke, name="revoke"),
]
