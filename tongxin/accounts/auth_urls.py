"""Log-in and log-out, at the top of the site (/login/, /login/code/, /logout/)."""

from django.urls import path

from tongxin.accounts import login_views

urlpatterns = [
    path("login/", login_views.login_view, name="login"),
    path("login/code/", login_views.login_code, name="login_code"),
    path("logout/", login_views.logout_view, name="logout"),
]
