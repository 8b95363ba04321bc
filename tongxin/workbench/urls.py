from django.urls import path

from tongxin.workbench import views

app_name = "workbench"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("tasks/", views.tasks, name="tasks"),
    path("member/", views.member, name="member"),
    path("me/", views.me, name="me"),
]
