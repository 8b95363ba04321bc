"""The security administrator's page of display links (大屏只读链接)."""

from django.urls import path

from tongxin.statistics import display_views

urlpatterns = [
    path("", display_views.displays, name="displays"),
    path("<int:pk>/revoke/", display_views.display_revoke, name="display_revoke"),
]
