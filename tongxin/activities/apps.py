from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "tongxin.activities"
    label = "activities"

    def ready(self) -> None:
        from tongxin.activities.service_source import ActivitySource  # models are loaded only now
        from tongxin.members.sources import register

        register(ActivitySource())
