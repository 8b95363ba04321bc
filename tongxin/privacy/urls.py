"""Mounted at /privacy/: the public notice and request form, the registry, the requests."""

from django.urls import path

from tongxin.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.notice, name="notice"),
    path("request/", views.public_request, name="public_request"),
    path("registry/", views.registry, name="registry"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/step/", views.request_step, name="request_step"),
    path("requests/<int:pk>/export.json", views.request_export, name="request_export"),
]
