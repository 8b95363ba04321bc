from django.urls import path

from tongxin.meetings import listing, views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="index"),
    path("export.xlsx", listing.meeting_export, name="export"),
    path("new/", views.meeting_create, name="create"),
    path("plan/<int:alliance_pk>/", views.plan_year, name="plan_year"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("decisions/<int:pk>/step/", views.decision_step, name="decision_step"),
    path("decisions/<int:pk>/tasks/", views.task_add, name="task_add"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/call/", views.call, name="call"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path("<int:pk>/claim/<int:need_pk>/", views.claim, name="claim"),
]
