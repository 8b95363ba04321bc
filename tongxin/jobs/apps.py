from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tongxin.jobs"
    label = "jobs"
