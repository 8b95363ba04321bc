from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "tongxin.activities"
    label = "activities"
