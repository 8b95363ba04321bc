from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "tongxin.regions"
    label = "regions"
