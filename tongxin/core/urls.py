from django.urls import path

from tongxin.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language_view, name="set_language"),
]
