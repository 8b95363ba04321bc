from django.urls import path

from tongxin.core.access import requires
from tongxin.gridwork import config_views, views
from tongxin.gridwork.listing import log_export
from tongxin.gridwork.services import VIEW

app_name = "gridwork"
urlpatterns = [
    path("", views.my_grid, name="my_grid"),
    path("record/", views.record_kind, name="record"),
    path("record/<slug:kind>/", views.record_household, name="record_household"),
    path("record/<slug:kind>/details/", views.record_details, name="record_details"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("entries/<int:pk>/case/", views.entry_report, name="entry_report"),
    path("entries/<int:pk>/correct/", views.entry_correct, name="entry_correct"),
    path("log/", views.log, name="log"),
    path("log/export/", requires(VIEW)(log_export), name="log_export"),
    path("community/", views.community, name="community"),
    path("community/interval/", views.interval, name="interval"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/close/", views.campaign_close_view, name="campaign_close"),
    path("campaigns/<int:pk>/coverage.xlsx", views.campaign_export, name="campaign_export"),
    path("settings/", config_views.settings, name="settings"),
    path("settings/<int:node>/kinds/new/", config_views.kind_create, name="kind_create"),
    path("settings/<int:node>/kinds/<int:pk>/", config_views.kind_edit, name="kind_edit"),
    path("settings/<int:node>/checklists/new/", config_views.checklist_create, name="checklist_create"),
    path("settings/<int:node>/checklists/<int:pk>/", config_views.checklist_edit, name="checklist_edit"),
    path("settings/<int:node>/interval/", config_views.interval_set, name="interval_set"),
]
