"""The big screen (大屏) opened through a display link: /screen/<token>/."""

from django.urls import path

from tongxin.statistics import screen_views

app_name = "screen"
urlpatterns = [
    path("<str:token>/", screen_views.display, name="show"),
    path("<str:token>/live/", screen_views.display_live, name="live"),
]
