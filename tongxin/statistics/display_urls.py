"""The security administrator's page of display links (大屏只读链接), and an official's own big
screen (screen/: meant to move up to /statistics/screen/ in urls.py, with the same names)."""

from django.urls import path

from tongxin.statistics import display_views, screen_views

urlpatterns = [
    path("", display_views.displays, name="displays"),
    path("<int:pk>/revoke/", display_views.display_revoke, name="display_revoke"),
    path("screen/", screen_views.official, name="screen"),
    path("screen/live/", screen_views.official_live, name="screen_live"),
]
