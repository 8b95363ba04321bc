from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "tongxin.households"
    label = "households"
