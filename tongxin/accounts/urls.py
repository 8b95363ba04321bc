from django.urls import path

from tongxin.accounts import login_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/roles/", views.account_role_grant, name="role_grant"),
    path("<int:pk>/roles/<int:assignment_pk>/revoke/", views.account_role_revoke, name="role_revoke"),
    path("<int:pk>/unlock/", views.account_unlock, name="unlock"),
    path("<int:pk>/active/", views.account_set_active, name="set_active"),
    path("<int:pk>/password-reset/", views.account_password_reset, name="password_reset"),
    path("<int:pk>/second-factor-reset/", views.account_mfa_reset, name="mfa_reset"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/rotate/", views.token_rotate, name="token_rotate"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("password/", views.password, name="password"),
    path("second-factor/", login_views.mfa_enrol, name="mfa"),
]
